"""Names of the worker's Faust tables that more than one stage reads (the agents write them, the API serves them).

Names on the wire: Faust derives the changelog topics from them."""

EVENTS_TABLE = "events"
REVISIONS_TABLE = "event-revisions"
RECORDS_TABLE = "records"  # the record ladders of streams.detect
