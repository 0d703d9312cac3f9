"""Parking and resuming on a schedule (office hours), as executor steps; see flow.py."""

from watchdog.act.parking.flow import carried, park_and_resume, parked_by_watchdog, run_due
from watchdog.act.parking.resume import NothingToResume, resume_now
from watchdog.act.parking.savings import ParkedSpell, ParkingTotal, parked_spells
from watchdog.act.parking.tick import parking_tick

__all__ = [
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
]
