"""The plan stage: findings with a stop or delete action become ordered teardown steps."""

from watchdog.plan.builder import plan

__all__ = ["plan"]
