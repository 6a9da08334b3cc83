"""The worker's web page: recent events with their evidence, the record ladders
as charts, feed health. Server-rendered HTML with inline CSS and SVG. Pure.

Nothing is loaded from elsewhere (no script, no font, no CDN): it works offline
and under a strict Content-Security-Policy. Events are rendered from their JSON
form with every optional field read defensively, so fields a newer event record
carries (disputes, aliases …) show up without breaking older ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from typing import Any
from urllib.parse import urlencode

from streams.detect import RecordLadder

CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'self'"
CREDIT = (
    "Historical record nights: Air Force of Ukraine national reports, compiled by Petro Ivaniuk "
    "(“Massive Missile Attacks on Ukraine”, missile_attacks_daily.csv)."
)


@dataclass(frozen=True)
class FeedHealth:
    name: str
    url: str
    last_success: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    consecutive_errors: int
    stale: bool

    @property
    def status(self) -> str:
        if self.consecutive_errors:
            return "failing"
        return "stale" if self.stale else "ok"


@dataclass(frozen=True)
class PageData:
    events: Sequence[Mapping[str, Any]]  # event records as JSON
    next_page: str | None  # query string of the next page
    ladders: Sequence[tuple[str, str, RecordLadder]]  # (scope, metric, ladder)
    feeds: Sequence[FeedHealth] | None  # None: feed state could not be read
    generated_at: datetime


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _number(value: object) -> str:
    if isinstance(value, (int, float)):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return _e(value)


def _label(metric: str) -> str:
    return metric.replace("_", " ")


def _moment(value: datetime | str | None) -> str:
    if value is None:
        return "never"
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return _e(text.replace("T", " ")[:16] + " UTC")


# -- record ladders -----------------------------------------------------------------

_W, _H, _PAD_L, _PAD_R, _PAD_T, _PAD_B = 560, 220, 56, 16, 16, 28


def ladder_chart(scope: str, metric: str, ladder: RecordLadder) -> str:
    """A step chart of the record over time: each mark holds until a higher one replaces it."""
    marks = sorted(ladder.marks, key=lambda m: m.night_of)
    if not marks:
        return ""
    first, newest = marks[0].night_of.toordinal(), marks[-1].night_of.toordinal()
    last = newest + max((newest - first) // 12, 7)  # room after the current record
    span = last - first
    top = max(m.value for m in marks) * 1.15 or 1.0

    def x(day: date) -> float:
        return _PAD_L + (day.toordinal() - first) / span * (_W - _PAD_L - _PAD_R)

    def y(value: float) -> float:
        return _H - _PAD_B - value / top * (_H - _PAD_T - _PAD_B)

    points: list[str] = []
    for i, mark in enumerate(marks):
        if i:
            points.append(f"{x(mark.night_of):.1f},{y(marks[i - 1].value):.1f}")
        points.append(f"{x(mark.night_of):.1f},{y(mark.value):.1f}")
    points.append(f"{x(date.fromordinal(last)):.1f},{y(marks[-1].value):.1f}")
    ticks = "".join(
        f'<line x1="{_PAD_L}" x2="{_W - _PAD_R}" y1="{y(v):.1f}" y2="{y(v):.1f}" class="grid"/>'
        f'<text x="{_PAD_L - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{_number(v)}</text>'
        for v in _ticks(top)
    )
    start, end = date.fromordinal(first), date.fromordinal(newest)
    dates = [(start, "start"), (end, "end")]
    dates += [(date(year, 1, 1), "middle") for year in range(start.year + 1, end.year + 1)]
    axis = "".join(
        f'<text x="{x(day):.1f}" y="{_H - 8}" text-anchor="{anchor}">{day.isoformat() if anchor != "middle" else day.year}</text>'
        for day, anchor in dates
        if anchor != "middle" or min(abs(day.toordinal() - first), abs(day.toordinal() - newest)) > span / 5  # clear of the end labels
    )
    dots = "".join(
        f'<circle cx="{x(m.night_of):.1f}" cy="{y(m.value):.1f}" r="3.5"><title>{_number(m.value)} on the night of {m.night_of.isoformat()}</title></circle>'
        for m in marks
    )
    current = marks[-1]
    label = (
        f'<text x="{x(current.night_of) - 6:.1f}" y="{max(y(current.value) - 8, 12):.1f}" text-anchor="end" class="top">'
        f"{_number(current.value)} · {current.night_of.isoformat()}</text>"
    )
    title = f"{_e(_label(metric))} — scope {_e(scope)}"
    return (
        f'<figure class="ladder"><figcaption>{title}</figcaption>'
        f'<svg viewBox="0 0 {_W} {_H}" width="100%" role="img" aria-label="record ladder of {title}">'
        f'{ticks}<line x1="{_PAD_L}" x2="{_W - _PAD_R}" y1="{_H - _PAD_B}" y2="{_H - _PAD_B}" class="axis"/>{axis}'
        f'<polyline points="{" ".join(points)}" class="step"/>{dots}{label}</svg>'
        f"<p class=\"note\">{len(marks)} records since {marks[0].night_of.isoformat()}; the current one: "
        f"<strong>{_number(current.value)}</strong> on the night of {current.night_of.isoformat()}.</p></figure>"
    )


def _ticks(top: float) -> list[float]:
    step = 10 ** max(len(str(int(top))) - 1, 0)
    while top / step > 6:
        step *= 2
    return [step * i for i in range(int(top // step) + 1)]


# -- events --------------------------------------------------------------------------


def _figure_rows(event: Mapping[str, Any]) -> str:
    sources = {s.get("article_id"): s for s in event.get("sources") or ()}
    rows = []
    for figure in event.get("figures") or ():
        qualifier = figure.get("qualifier") or "exact"
        value = _number(figure.get("value")) + ("" if qualifier == "exact" else f" <span class=\"q\">({_e(_label(qualifier))})</span>")
        disputed = figure.get("disputed")
        dispute = f'<span class="dispute">disputed: {_number(disputed[0])}–{_number(disputed[1])}</span>' if disputed else ""
        derived = '<span class="q">derived</span>' if figure.get("derived") else ""
        claims = "".join(
            f"<li><q>{_e((claim.get('evidence') or {}).get('text'))}</q> — {_e(_source_name(sources.get(claim.get('article_id')), claim.get('article_id')))}"
            f" <span class=\"q\">({_number(claim.get('value'))})</span></li>"
            for claim in figure.get("claims") or ()
        )
        rows.append(
            f"<tr><th>{_e(_label(figure.get('metric', '?')))}</th><td class=\"num\">{value} {dispute} {derived}</td>"
            f"<td><ul class=\"claims\">{claims}</ul></td></tr>"
        )
    return "".join(rows)


def _source_name(source: Mapping[str, Any] | None, fallback: object) -> str:
    return str(source.get("source") or fallback) if source else str(fallback)


def _disputes(event: Mapping[str, Any]) -> str:
    """An event-level ``disputes`` field, whatever its exact shape: each entry as its key facts."""
    disputes = event.get("disputes")
    if not disputes:
        return ""
    items = []
    for dispute in disputes if isinstance(disputes, list) else [disputes]:
        if isinstance(dispute, Mapping):
            items.append("; ".join(f"{_e(_label(str(k)))}: {_e(_plain(v))}" for k, v in dispute.items()))
        else:
            items.append(_e(dispute))
    return '<div class="disputes"><h4>Disputes</h4><ul>' + "".join(f"<li>{i}</li>" for i in items) + "</ul></div>"


def _plain(value: object) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_plain(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) for v in value)
    return _number(value) if isinstance(value, (int, float)) else str(value)


def _sources(event: Mapping[str, Any]) -> str:
    items = []
    for source in event.get("sources") or ():
        name = _e(source.get("source") or source.get("article_id"))
        url = source.get("url")
        link = f'<a href="{_e(url)}" rel="noreferrer">{name}</a>' if isinstance(url, str) and url.startswith(("http://", "https://")) else name
        kind = f' <span class="q">{_e(source.get("kind"))}</span>' if source.get("kind") else ""
        when = f' <span class="q">{_moment(source.get("published_at"))}</span>' if source.get("published_at") else ""
        items.append(f"<li>{link}{kind}{when}</li>")
    return "<ul class=\"sources\">" + "".join(items) + "</ul>"


def _aliases(event: Mapping[str, Any]) -> str:
    aliases = [str(a) for a in event.get("aliases") or ()]
    return f'<p class="meta">Also reported as {_e(", ".join(aliases))} (merged into this event).</p>' if aliases else ""


def _places(event: Mapping[str, Any]) -> str:
    places = [p.get("name") for p in event.get("locations") or () if p.get("name")]
    return f"<p><strong>Places:</strong> {_e(', '.join(places))}</p>" if places else ""


def event_card(event: Mapping[str, Any]) -> str:
    window = event.get("window") or {}
    night = window.get("night_of", "?")
    historical = ' <span class="tag">historical</span>' if event.get("historical") else ""
    return (
        f'<article class="event" id="{_e(event.get("event_id"))}">'
        f"<h3>{_e(event.get('attacker'))} → {_e(event.get('target'))} · night of {_e(night)}{historical}</h3>"
        f'<p class="meta">{_e(event.get("event_id"))} · revision {_e(event.get("revision"))} · updated {_moment(event.get("updated_at"))}</p>'
        f'<table class="figures"><colgroup><col class="f"><col class="v"><col></colgroup>'
        f"<thead><tr><th>Figure</th><th>Value</th><th>Evidence (source)</th></tr></thead><tbody>{_figure_rows(event)}</tbody></table>"
        f"{_disputes(event)}{_aliases(event)}{_places(event)}<h4>Sources ({len(event.get('sources') or ())})</h4>{_sources(event)}</article>"
    )


# -- feed health --------------------------------------------------------------------


def feed_table(feeds: Sequence[FeedHealth] | None) -> str:
    if feeds is None:
        return '<p class="warn">Feed state could not be read from Kafka just now.</p>'
    if not feeds:
        return "<p>No feeds are configured.</p>"
    order = {"failing": 0, "stale": 1, "ok": 2}
    rows = "".join(
        f'<tr class="{f.status}"><td><span class="dot"></span>{_e(f.status)}</td><td>{_e(f.name)}</td>'
        f"<td>{_moment(f.last_success)}</td><td class=\"num\">{f.consecutive_errors}</td>"
        f"<td>{_e(f.last_error or '')}{' (' + _moment(f.last_error_at) + ')' if f.last_error_at else ''}</td></tr>"
        for f in sorted(feeds, key=lambda f: (order[f.status], f.name))
    )
    unhealthy = sum(1 for f in feeds if f.status != "ok")
    return (
        f"<p>{len(feeds)} feed{'s' if len(feeds) != 1 else ''}, {unhealthy} stale or failing.</p>"
        f'<table class="feeds"><thead><tr><th>Status</th><th>Feed</th><th>Last success</th><th>Errors in a row</th><th>Last error</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


# -- the page -----------------------------------------------------------------------

_STYLE = """
:root{--fg:#1b1f24;--muted:#5b6470;--line:#d8dde3;--accent:#b4232a;--bg:#f6f7f9;--card:#fff}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#1b1f24;color:#fff;padding:14px 28px;display:flex;align-items:baseline;gap:18px;flex-wrap:wrap}
header h1{margin:0;font-size:22px;letter-spacing:.02em}header h1 span{color:#ff6b6b}header p{margin:0;color:#c5cbd3;font-size:13px}
header nav{margin-left:auto;font-size:13px}header nav a{color:#fff;margin-left:14px}
main{max-width:1180px;margin:0 auto;padding:12px 28px 40px}section{margin-top:22px}h2{font-size:18px;border-bottom:2px solid var(--line);padding-bottom:4px}
.ladders{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:16px}
figure.ladder{margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px}
figcaption{font-weight:600;text-transform:capitalize}svg text{font-size:11px;fill:var(--muted)}svg text.top{fill:var(--accent);font-weight:700;font-size:12px}
.grid{stroke:#eceff2}.axis{stroke:#9aa3ad}.step{fill:none;stroke:var(--accent);stroke-width:2}circle{fill:var(--accent)}
.note,.meta{color:var(--muted);font-size:13px;margin:4px 0}
article.event{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 16px;margin-bottom:14px}
article.event h3{margin:0 0 2px;font-size:16px}h4{margin:10px 0 4px;font-size:14px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:5px 8px;border-top:1px solid var(--line)}
thead th{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.03em;border-top:none}
.figures{table-layout:fixed}.figures col.f{width:220px}.figures col.v{width:200px}.figures tbody th{text-transform:capitalize}.num{white-space:nowrap;font-variant-numeric:tabular-nums}
.claims,.sources{margin:0;padding-left:18px}.claims li{font-size:13px}q{font-style:italic}
.q{color:var(--muted);font-size:12px}.dispute{color:#fff;background:#c46a00;border-radius:4px;padding:1px 6px;font-size:12px}
.tag{background:#e7eaee;border-radius:4px;padding:1px 6px;font-size:12px;color:var(--muted)}
.disputes{background:#fff6e8;border-left:3px solid #c46a00;padding:4px 10px;margin-top:8px}
.feeds td{font-size:13px}.feeds td:nth-child(-n+3){white-space:nowrap}.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:6px;background:#2f9e44}
tr.stale .dot{background:#e8a200}tr.failing .dot{background:var(--accent)}tr.failing td:first-child,tr.stale td:first-child{font-weight:600}
.warn{color:var(--accent)}.pager{margin-top:8px}footer{color:var(--muted);font-size:12px;max-width:1180px;margin:0 auto;padding:0 28px 28px}
"""


def render_page(data: PageData, base_query: Mapping[str, str], token: Mapping[str, str] | None = None) -> str:
    """``base_query`` is kept by the next page's link; ``token`` (a token given in the address) by every link."""

    def link(path: str, query: Mapping[str, str]) -> str:
        every = {**query, **(token or {})}
        return _e(f"{path}?{urlencode(every)}" if every else path)

    ladders = "".join(ladder_chart(scope, metric, ladder) for scope, metric, ladder in data.ladders)
    events = "".join(event_card(e) for e in data.events) or "<p>No events yet.</p>"
    older = ""
    if data.next_page:
        older = f'<p class="pager"><a href="/?{_e(urlencode({**base_query, "cursor": data.next_page}))}">Older events →</a></p>'
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width,initial-scale=1"><link rel="icon" href="data:,">'
        f"<title>Tocsin</title><style>{_STYLE}</style></head><body>"
        f"<header><h1>Toc<span>sin</span></h1><p>generated {_moment(data.generated_at)}</p>"
        f'<nav><a href="{link("/alerts.atom", {})}">Atom</a><a href="{link("/alerts.json", {})}">JSON Feed</a>'
        f'<a href="{link("/export", {"format": "csv"})}">CSV</a><a href="{link("/export", {"format": "geojson"})}">GeoJSON</a>'
        '<a href="/openapi.json">OpenAPI</a></nav></header><main>'
        f'<section id="records"><h2>Record ladders</h2><div class="ladders">{ladders or "<p>No records yet.</p>"}</div></section>'
        f'<section id="events"><h2>Recent events</h2>{events}{older}</section>'
        f'<section id="feeds"><h2>Feed health</h2>{feed_table(data.feeds)}</section>'
        f"</main><footer>{_e(CREDIT)}</footer></body></html>"
    )


def ladders_of(items: Iterable[tuple[str, RecordLadder]]) -> list[tuple[str, str, RecordLadder]]:
    """(scope, metric, ladder) from the records table's ``scope|metric`` keys, in a stable order."""
    out = []
    for key, ladder in items:
        scope, _, metric = key.partition("|")
        if ladder.marks:
            out.append((scope, metric, ladder))
    return sorted(out)
