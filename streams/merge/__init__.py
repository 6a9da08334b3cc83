from streams.merge.keys import pair_key, partition_for, record_scope
from streams.merge.state import OpenEvent, OpenEvents
from streams.merge.merger import Merged, merge_into, merge_report

__all__ = ["Merged", "OpenEvent", "OpenEvents", "merge_into", "merge_report", "pair_key", "partition_for", "record_scope"]
