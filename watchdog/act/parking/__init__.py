"""Parking and resuming on a schedule (office hours), as executor steps; see flow.py."""

from watchdog.act.parking.flow import carried, park_and_resume, parked_by_watchdog, run_due
from watchdog.act.parking.resume import NothingToResume, resume_now
from watchdog.act.parking.savings import (
    NO_TEAM,
    TEAM_TAG,
    ParkedSpell,
    ParkingTotal,
    parked_spells,
    team_of,
)
from watchdog.act.parking.tick import parking_tick

__all__ = [
    "NO_TEAM",
    "TEAM_TAG",
    "NothingToResume",
    "ParkedSpell",
    "ParkingTotal",
    "carried",
    "park_and_resume",
    "parked_by_watchdog",
    "parked_spells",
    "parking_tick",
    "resume_now",
    "run_due",
    "team_of",
]
