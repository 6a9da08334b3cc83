"""One attack, one event, one alert per rule, through the real extractor and worker on the real broker."""

from __future__ import annotations

import json
import signal
from collections import Counter
from pathlib import Path

import pytest

from support.daemon import Daemon
from support.streams import api_get, backfilled, read_topic, run_cli
from tocsin.records import Alert, AttackEvent, Metric

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def article(article_id: str, source: str, kind: str, published: str, title: str, body: str, language: str = "en") -> dict[str, str]:
    return {"id": article_id, "language": language, "source": source, "source_kind": kind, "published": published, "title": title, "body": body}


# 28→29 June 2025: a wire report reads "38 of 60 missiles" as 38 launched; the air force and a daily say 60.
MISREAD_NIGHT = [
    article("wire-0629", "Example Wire", "media", "2025-06-29T08:10:00+03:00", "Ukraine downs 436 of 477 drones in overnight attack",
            "Ukraine's air defences downed or jammed 436 out of 477 drones launched by Russia overnight, along with 38 of 60 missiles, "
            "the air force said. One person was killed in Smila."),
    article("af-0629", "Повітряні сили ЗСУ", "air_force", "2025-06-29T09:00:00+03:00", "Атака в ніч на 29 червня",
            "У ніч на 29 червня противник атакував 537 засобами повітряного нападу: 477 ударними БпЛА типу Shahed та "
            "дронами-імітаторами, а також 60 ракетами. Збито/подавлено 475 цілей.", "uk"),
    article("daily-0629", "Example Daily", "media", "2025-06-29T12:00:00+03:00", "Russia fires 60 missiles and 477 drones at Ukraine overnight",
            "Russia attacked Ukraine overnight with 477 drones and 60 missiles, the air force said."),
]
# 3→4 July: a misread 40 on Lviv and 539 on Kyiv look like two waves (other places, other sizes) until a
# third report names both places with the 539.
BRIDGED_NIGHT = [
    article("lviv-0704", "Example Wire", "media", "2025-07-04T07:00:00+03:00", "Russia attacks Lviv with 40 drones overnight",
            "Russia attacked Lviv with 40 drones overnight, the regional governor said."),
    article("kyiv-0704", "Example Daily", "media", "2025-07-04T07:30:00+03:00", "Russia launches 539 drones at Kyiv overnight",
            "Russia attacked Kyiv with 539 drones overnight, officials said. One person was killed in Kyiv."),
    article("both-0704", "Example Times", "media", "2025-07-04T10:00:00+03:00", "Russia's 539-drone attack hits Kyiv and Lviv overnight",
            "Russia launched 539 drones and 11 missiles at Ukraine overnight, hitting Kyiv and Lviv, the air force said."),
]
RULES = {
    "record_metrics": ["aerial_weapons_launched"],
    "threshold": [
        {"name": "missiles", "metric": "missiles_launched", "op": ">=", "value": 50},
        {"name": "big", "metric": "drones_launched", "op": ">=", "value": 400},
    ],
}


def jsonl(path: Path, docs: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs))
    return path


async def test_disagreeing_and_bridging_reports_make_one_event_per_attack_and_one_alert_per_rule(tmp_path: Path, kafka_bootstrap: str) -> None:
    config_file, prefix = await backfilled(tmp_path, kafka_bootstrap, FIXTURES / "attacks_2025.csv", "2025-06-28", rules=RULES)
    daemon = Daemon(config_file, "worker")
    await daemon.start()
    try:
        await daemon.wait_ready()
        first = await run_cli(config_file, "replay", "--wait", str(jsonl(tmp_path / "misread.jsonl", MISREAD_NIGHT[:1])))
        assert "events: 1" in first.splitlines()
        # The two 4 July reports before the bridge: two events for now (a separate wave as far as anyone knows).
        await run_cli(config_file, "replay", "--wait", str(jsonl(tmp_path / "split.jsonl", MISREAD_NIGHT[1:] + BRIDGED_NIGHT[:2])))
        split = (await api_get(daemon, "/events?since=2025-01-01T00:00:00%2B00:00&target=UA"))["events"]
        assert sorted(e["night_of"] for e in split) == ["2025-06-29", "2025-07-04", "2025-07-04"]
        out = await run_cli(config_file, "replay", "--wait", str(jsonl(tmp_path / "bridge.jsonl", BRIDGED_NIGHT[2:])))
        # No polling: --wait returned once every stage was done.
        events = (await api_get(daemon, "/events?since=2025-01-01T00:00:00%2B00:00&target=UA"))["events"]
        alerts = [Alert.from_bytes(v) for _, v in await read_topic(kafka_bootstrap, f"{prefix}.alerts")]
        on_the_wire = [AttackEvent.from_bytes(v) for _, v in await read_topic(kafka_bootstrap, f"{prefix}.events")]
    finally:
        assert await daemon.stop(signal.SIGTERM) == 0, daemon.logs()

    assert [line for line in out.splitlines() if line.startswith(("events", "alerts"))] == [
        "events: 1", "events merged into another: 1", "events disputed: 1", "alerts record: 1", "alerts threshold: 0",
        "alerts updated: 0", "alerts superseded: 0",
    ]
    by_night = {e["night_of"]: e for e in events}
    assert sorted(by_night) == ["2025-06-29", "2025-07-04"] and len(events) == 2  # one event per attack

    misread = by_night["2025-06-29"]
    assert misread["figures"]["missiles_launched"] == 60  # the air force's figure
    assert misread["disputed"]["missiles_launched"] == [38, 60] and misread["sources"] == 3

    bridged = by_night["2025-07-04"]
    assert bridged["figures"]["drones_launched"] == 539 and bridged["sources"] == 3
    (alias_id,) = bridged["aliases"]
    latest = {e.event_id: e for e in on_the_wire if not e.historical}
    assert latest[alias_id].merged_into == bridged["event_id"]
    assert bridged["event_id"] == next(e.event_id for e in on_the_wire if e.sources[0].article_id == "lviv-0704")  # the earlier id

    def subject(a: Alert) -> tuple[str, str, str]:
        return a.kind.value, a.rule.name if a.rule else a.metric.value, a.event.window.night_of.isoformat()

    assert Counter(subject(a) for a in {a.alert_id: a for a in alerts}.values()) == Counter({
        ("threshold", "missiles", "2025-06-29"): 1,
        ("threshold", "big", "2025-06-29"): 1,
        ("record", Metric.AERIAL_WEAPONS_LAUNCHED.value, "2025-06-29"): 1,
        ("threshold", "big", "2025-07-04"): 1,  # raised by the Kyiv event, not again after the bridge
        ("record", Metric.AERIAL_WEAPONS_LAUNCHED.value, "2025-07-04"): 1,
    }), alerts
    assert Counter(subject(a) for a in alerts)[("threshold", "big", "2025-07-04")] == 1
    record_0629 = sorted((a for a in alerts if a.kind.value == "record" and a.event.window.night_of.isoformat() == "2025-06-29"), key=lambda a: a.revision)
    # 515 (with the misread 38) broke the 500 of 9 June; the air force's 537 updated the same alert.
    assert [(a.revision, a.value) for a in record_0629] == [(1, 515), (2, 537)]
    assert record_0629[-1].previous is not None and record_0629[-1].previous.value == 500
    missiles_alert = next(a for a in alerts if a.rule is not None and a.rule.name == "missiles")
    assert missiles_alert.value == 60 and missiles_alert.disputed == (38, 60)  # the dispute in the payload
