from streams.merge.keys import pair_key, partition_for, record_scope
from streams.merge.state import OpenEvent, OpenEvents
from streams.merge.merger import event_id_of, merge_into, merge_report, report_window, still_open

__all__ = ["OpenEvent", "OpenEvents", "event_id_of", "merge_into", "merge_report", "pair_key", "partition_for", "record_scope", "report_window", "still_open"]
