from monitor.fetch.fetcher import FeedFetcher, FetchResult, open_session
from monitor.fetch.politeness import HostGate, Slots
from monitor.state import Validators

__all__ = ["FeedFetcher", "FetchResult", "HostGate", "Slots", "Validators", "open_session"]
