from monitor.fulltext.extractor import FullTextFetcher

__all__ = ["FullTextFetcher"]
