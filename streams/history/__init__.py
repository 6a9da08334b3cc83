"""Seeding record history: historical attacks as events. Pure."""

from streams.history.attacks_csv import WeaponClassifier, events_from_csv, write_csv
from streams.history.events_jsonl import events_from_jsonl
from streams.history.exceptions import HistoryError

__all__ = ["HistoryError", "WeaponClassifier", "events_from_csv", "events_from_jsonl", "write_csv"]
