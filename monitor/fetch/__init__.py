from monitor.fetch.fetcher import FeedFetcher, FetchResult, Validators

__all__ = ["FeedFetcher", "FetchResult", "Validators"]
