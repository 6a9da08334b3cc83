from streams.merge.keys import pair_key, partition_for, record_scope
from streams.merge.state import OpenEvent, OpenEvents
from streams.merge.merger import find_event, merge_into, merge_report, new_event_id, report_window, still_open

__all__ = ["OpenEvent", "OpenEvents", "find_event", "merge_into", "merge_report", "new_event_id", "pair_key", "partition_for", "record_scope", "report_window", "still_open"]
