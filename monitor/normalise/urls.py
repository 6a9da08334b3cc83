"""Canonical URLs: tracking parameters and fragments stripped, the rest normalised."""

from __future__ import annotations

import re

from w3lib.url import canonicalize_url, url_query_cleaner

# Parameters that identify a campaign or a click, never the article.
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|msclkid|yclid|mc_cid|mc_eid|igshid|ref|ref_src|cmpid|ocid)$")
_WEB = re.compile(r"^https?://[^/?#\s]", re.IGNORECASE)


def canonical_url(url: str) -> str:
    """Raises ValueError for what is not a URL (a bad port, a broken IPv6 literal)."""
    stripped = url_query_cleaner(url, [], remove=True, unique=False, keep_fragments=False)
    params = [p for p in stripped.partition("?")[2].split("&") if p and not _TRACKING.match(p.partition("=")[0])]
    base = stripped.partition("?")[0]
    return canonicalize_url(f"{base}?{'&'.join(params)}" if params else base)


def article_url(url: str | None) -> str | None:
    """The canonical http(s) URL of an article, or None: javascript:, data:, file: and URLs that
    do not parse (``http://h.c[o/``, port 99999) are dropped, the article is kept."""
    if not url or not _WEB.match(url.strip()):
        return None
    try:
        canonical = canonical_url(url.strip())
    except ValueError:
        return None
    return canonical if _WEB.match(canonical) else None
