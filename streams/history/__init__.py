"""Seeding record history: historical attacks as events. Pure."""

from streams.history.attacks_csv import WeaponClassifier, events_from_csv
from streams.history.events_jsonl import events_from_jsonl

__all__ = ["WeaponClassifier", "events_from_csv", "events_from_jsonl"]
