from monitor.normalise.articles import ArticleNormaliser, canonical_url, html_to_text

__all__ = ["ArticleNormaliser", "canonical_url", "html_to_text"]
