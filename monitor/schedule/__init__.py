"""When to poll next: pure functions of the answer, the feed and the clock."""
from monitor.schedule.timing import backoff_delay, cache_delay, retry_after_delay

__all__ = ["backoff_delay", "cache_delay", "retry_after_delay"]
