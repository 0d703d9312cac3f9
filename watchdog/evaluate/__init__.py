"""The evaluate stage: pure functions from resources, signals, policies and a time to findings."""

from watchdog.evaluate.engine import Evaluation, evaluate

__all__ = ["Evaluation", "evaluate"]
