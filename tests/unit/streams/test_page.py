"""The page renders whatever an event record holds, escaped, with its optional parts when present."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from api_data import live_event
from streams.api.page import FeedHealth, PageData, event_card, ladder_chart, render_page
from streams.detect import Mark, RecordLadder


def test_an_event_shows_figures_disputes_evidence_and_sources() -> None:
    card = event_card(json.loads(live_event().to_bytes()))
    assert "night of 2025-07-04" in card and "539" in card
    assert "disputed: 460–476" in card
    assert "<q>539 attack drones</q> — Air Force of Ukraine" in card
    assert 'href="https://example.org/af/539"' in card and "Sources (2)" in card


def test_optional_and_unknown_fields_are_read_defensively_and_escaped() -> None:
    event = json.loads(live_event().to_bytes())
    event["disputes"] = [{"metric": "killed", "claims": {"outlet A": 2, "outlet B": 5}}, "<b>free text</b>"]
    event["aliases"] = ["evt_other"]
    del event["locations"]
    event["sources"][0]["source"] = "<script>alert(1)</script>"
    card = event_card(event)
    assert "Disputes" in card and "killed" in card and "outlet A 2, outlet B 5" in card
    assert "Also reported as evt_other" in card
    assert "<script>" not in card and "&lt;script&gt;" in card and "&lt;b&gt;" in card
    assert "Aerial" not in event_card({"event_id": "evt_bare"})  # a bare record still renders


def test_the_ladder_is_a_step_chart_ending_at_the_current_record() -> None:
    ladder = RecordLadder(marks=(Mark(value=479, event_id="a", night_of=date(2025, 6, 9)), Mark(value=539, event_id="b", night_of=date(2025, 7, 4))))
    chart = ladder_chart("UA", "drones_launched", ladder)
    assert chart.count("<circle") == 2 and "<polyline" in chart and "539 · 2025-07-04" in chart
    assert ladder_chart("UA", "drones_launched", RecordLadder()) == ""


def test_the_page_loads_nothing_from_elsewhere_and_flags_unhealthy_feeds() -> None:
    now = datetime(2025, 7, 4, 8, tzinfo=UTC)
    feeds = [FeedHealth("ok-feed", "u", now, None, None, 0, False), FeedHealth("bad-feed", "u", None, "HTTP 500", now, 3, True)]
    html = render_page(PageData([json.loads(live_event().to_bytes())], "CURSOR", [], feeds, now), {"until": "2025-07-04"})
    head = html.split("</head>")[0]
    assert "<script" not in html and " src=" not in html and "http" not in head
    assert 'class="failing"' in html and "1 stale or failing" in html
    assert "cursor=CURSOR" in html and "until=2025-07-04" in html
    assert "Feed state could not be read" in render_page(PageData([], None, [], None, now), {})
