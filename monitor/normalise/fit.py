"""Articles made to fit one Kafka record (``kafka.max_record_bytes``): the body is cut first, then
the summary, then the title, each marked where it was cut."""

from __future__ import annotations

from tocsin.records import Article

_CUT = " […]"
# Room for the record's other fields and for JSON escaping beyond the estimate below.
_OVERHEAD = 8 * 1024
# Room left below the limit for the record's framing (key, headers) and for the sources a
# cross-feed duplicate adds when the article is published again naming them.
HEADROOM = 16 * 1024


def fitted(article: Article, limit: int) -> Article | None:
    """The article, a shortened copy that fits, or None when even a bare one would not."""
    limit -= HEADROOM
    text = len(article.title) + len(article.summary) + len(article.body) + len(article.url or "")
    if 4 * text + _OVERHEAD <= limit:  # four UTF-8 bytes a character at most: no need to serialise
        return article
    size = len(article.to_bytes())
    for name in ("body", "summary", "title"):
        while size > limit and (value := getattr(article, name)):
            keep = max(0, min(len(value) - (size - limit) - 64, len(value) // 2 if size > 2 * limit else len(value) - 1))
            article = article.model_copy(update={name: value[:keep] + _CUT if keep else ""})
            size = len(article.to_bytes())
        if size <= limit:
            return article
    return None
