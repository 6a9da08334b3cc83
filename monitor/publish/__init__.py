from monitor.publish.publisher import ArticlePublisher

__all__ = ["ArticlePublisher"]
