from streams.detect.detector import AlertLogEntry, Detection, cooldown_key, detect
from streams.detect.ladder import Mark, RecordLadder, broken_record
from streams.detect.thresholds import cooled_down, event_time, matching_rules

__all__ = [
    "AlertLogEntry",
    "Detection",
    "Mark",
    "RecordLadder",
    "broken_record",
    "cooldown_key",
    "cooled_down",
    "detect",
    "event_time",
    "matching_rules",
]
