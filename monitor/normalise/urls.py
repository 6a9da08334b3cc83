"""Canonical URLs: tracking parameters and fragments stripped, the rest normalised."""

from __future__ import annotations

import re

from w3lib.url import canonicalize_url, url_query_cleaner

# Parameters that identify a campaign or a click, never the article.
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|msclkid|yclid|mc_cid|mc_eid|igshid|ref|ref_src|cmpid|ocid)$")


def canonical_url(url: str) -> str:
    stripped = url_query_cleaner(url, [], remove=True, unique=False, keep_fragments=False)
    params = [p for p in stripped.partition("?")[2].split("&") if p and not _TRACKING.match(p.partition("=")[0])]
    base = stripped.partition("?")[0]
    return canonicalize_url(f"{base}?{'&'.join(params)}" if params else base)
