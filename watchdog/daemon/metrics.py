"""`GET /metrics` in Prometheus' text format: what the daemon has done since it started and
what the last cycle found. Written by hand: a few counters and gauges need no client library.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence

from watchdog.service.cycle import CycleResult


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.cycles: Counter[str] = Counter()  # by outcome: ok | failed | skipped
        self.steps: Counter[str] = Counter()  # teardown steps by fate
        self.slack: Counter[str] = Counter()  # posted | updated | failed
        self.work: Counter[str] = Counter()  # deferred work by task
        self.parking: Counter[str] = Counter()  # parking ticks by outcome: ran | failed | skipped
        self.digests: Counter[str] = Counter()  # weekly digests by outcome: sent | failed
        self.self_cost_usd = 0.0  # what the cycles' requests added to the AWS bill, in all
        self.metrics_requested = 0
        self.parked_usd = 0.0  # what parking saved, over the audit log
        self.parked_usd_by_team: dict[str, float] = {}
        self.parked_hours = 0.0
        self.errors = 0
        self.findings: dict[tuple[str, str], int] = {}  # (kind, action) -> count, last cycle
        self.at_stake_usd = 0.0
        self.last_cycle_timestamp = 0.0

    def cycle_ran(self, result: CycleResult, at: float) -> None:
        with self._lock:
            self.cycles["ok"] += 1
            self.last_cycle_timestamp = at
            findings: Counter[tuple[str, str]] = Counter()
            stake: dict[str, float] = {}
            for outcome in result.apply.findings:
                findings[(outcome.resource_kind, outcome.action)] += 1
                cost = outcome.monthly_cost_usd or 0.0
                stake[outcome.resource_arn] = max(stake.get(outcome.resource_arn, 0.0), cost)
                self.steps.update(step.fate for step in outcome.steps)
            self.findings = dict(findings)
            self.at_stake_usd = round(sum(stake.values()), 2)
            self.errors += len(result.apply.errors)
            if result.apply.self_cost is not None:
                self.self_cost_usd += result.apply.self_cost.usd
                self.metrics_requested += result.apply.self_cost.metrics_requested
            if result.slack is not None:
                self.slack["posted"] += result.slack.posted
                self.slack["updated"] += result.slack.updated
                self.slack["failed"] += len(result.slack.failed)

    def parking_saved(
        self, usd: float, hours: float, by_team: Sequence[tuple[str, float]] = ()
    ) -> None:
        with self._lock:
            self.parked_usd, self.parked_hours = round(usd, 2), round(hours, 2)
            self.parked_usd_by_team = {team: round(v, 2) for team, v in by_team}

    def error(self) -> None:
        with self._lock:
            self.errors += 1

    def count(self, counter: str, key: str) -> None:
        with self._lock:
            getattr(self, counter)[key] += 1

    def render(self) -> str:
        with self._lock:
            lines: list[str] = []
            _family(lines, "watchdog_cycles_total", "counter", "cycles by outcome")
            lines += [f'watchdog_cycles_total{{outcome="{k}"}} {v}' for k, v in self.cycles.items()]
            _family(lines, "watchdog_findings", "gauge", "findings in the last cycle")
            lines += [
                f'watchdog_findings{{kind="{kind}",action="{action}"}} {n}'
                for (kind, action), n in sorted(self.findings.items())
            ]
            _family(lines, "watchdog_monthly_usd_at_stake", "gauge", "flagged resources' cost")
            lines.append(f"watchdog_monthly_usd_at_stake {self.at_stake_usd}")
            _family(lines, "watchdog_steps_total", "counter", "teardown steps by fate")
            lines += [f'watchdog_steps_total{{fate="{k}"}} {v}' for k, v in self.steps.items()]
            _family(lines, "watchdog_slack_messages_total", "counter", "Slack posts and edits")
            lines += [
                f'watchdog_slack_messages_total{{outcome="{k}"}} {v}' for k, v in self.slack.items()
            ]
            _family(lines, "watchdog_work_total", "counter", "work started by clicks and links")
            lines += [f'watchdog_work_total{{task="{k}"}} {v}' for k, v in self.work.items()]
            _family(lines, "watchdog_parking_ticks_total", "counter", "parking ticks by outcome")
            lines += [
                f'watchdog_parking_ticks_total{{outcome="{k}"}} {v}'
                for k, v in self.parking.items()
            ]
            _family(lines, "watchdog_self_cost_usd_total", "counter", "what its requests cost")
            lines.append(f"watchdog_self_cost_usd_total {self.self_cost_usd:.6f}")
            _family(lines, "watchdog_metrics_requested_total", "counter", "GetMetricData metrics")
            lines.append(f"watchdog_metrics_requested_total {self.metrics_requested}")
            _family(lines, "watchdog_digests_total", "counter", "weekly digests, per channel")
            lines += [
                f'watchdog_digests_total{{outcome="{k}"}} {v}' for k, v in self.digests.items()
            ]
            _family(lines, "watchdog_parking_saved_usd", "gauge", "what parked hours saved")
            lines.append(f"watchdog_parking_saved_usd {self.parked_usd}")
            _family(lines, "watchdog_parking_saved_usd_by_team", "gauge", "the same, by team tag")
            lines += [
                f'watchdog_parking_saved_usd_by_team{{team="{_label(team)}"}} {usd}'
                for team, usd in sorted(self.parked_usd_by_team.items())
            ]
            _family(lines, "watchdog_parked_hours", "gauge", "hours resources were parked")
            lines.append(f"watchdog_parked_hours {self.parked_hours}")
            _family(lines, "watchdog_errors_total", "counter", "scan errors and failed cycles")
            lines.append(f"watchdog_errors_total {self.errors + self.cycles['failed']}")
            _family(lines, "watchdog_last_cycle_timestamp_seconds", "gauge", "last cycle's end")
            lines.append(f"watchdog_last_cycle_timestamp_seconds {self.last_cycle_timestamp}")
            return "\n".join(lines) + "\n"


def _family(lines: list[str], name: str, kind: str, help_text: str) -> None:
    lines.append(f"# HELP {name} {help_text}")
    lines.append(f"# TYPE {name} {kind}")


def _label(value: str) -> str:
    """A label value as the text exposition format wants it: \\, " and newlines escaped (a team
    tag is whatever someone typed)."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
