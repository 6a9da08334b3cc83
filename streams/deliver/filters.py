"""Which endpoint gets which alert. Pure."""

from __future__ import annotations

from tocsin.records import Alert, Severity
from tocsin.settings import WebhookFilters

_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


def wants(filters: WebhookFilters, alert: Alert) -> bool:
    if filters.kinds and alert.kind not in filters.kinds:
        return False
    if filters.metrics and alert.metric not in filters.metrics:
        return False
    if _SEVERITY_RANK[alert.severity] < _SEVERITY_RANK[filters.min_severity]:
        return False
    if filters.targets and alert.event.target not in filters.targets:
        return False
    if filters.locations:
        wanted = {name.casefold() for name in filters.locations}
        places = {p.casefold() for loc in alert.event.locations for p in (loc.name, loc.iso3166_2) if p}
        if not wanted & places:
            return False
    return True
