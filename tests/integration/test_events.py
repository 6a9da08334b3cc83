"""Merging, records and de-duplication on the real broker, through the real worker."""

from __future__ import annotations

import json
import signal
from collections import Counter
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from support.daemon import Daemon, isolated_config, write_config
from support.streams import api_get, caught_up, eventually, persisted_offsets, read_topic, run_cli
from tocsin.cli.replay import read_articles
from tocsin.records import Alert, AttackEvent, Metric

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

# Three outlets over the morning, English and Ukrainian, casualties revised 1 → 2;
# then a smaller attack the next night.
ARTICLES = [
    {"id": "wire-1", "language": "en", "source": "Example Wire", "source_kind": "media", "published": "2025-07-04T07:30:00+03:00",
     "title": "Russia fires more than 500 drones at Ukraine overnight, one killed in Kyiv",
     "body": "Russia attacked Ukraine overnight with more than 500 drones, officials said. One person was killed in Kyiv."},
    {"id": "uk-af-1", "language": "uk", "source": "Повітряні сили ЗСУ", "source_kind": "air_force", "published": "2025-07-04T09:40:00+03:00",
     "title": "Атака в ніч на 4 липня: збито/подавлено 476 ворожих БпЛА",
     "body": "У ніч на 4 липня (з 18:00 3 липня) противник атакував 550 засобами повітряного нападу: 539 ударними БпЛА типу "
             "Shahed та дронами-імітаторами різних типів, а також 11 ракетами.\n\nСтаном на 09:00 збито/подавлено 476 ворожих БпЛА."},
    {"id": "daily-1", "language": "en", "source": "Example Daily", "source_kind": "media", "published": "2025-07-04T15:10:00+03:00",
     "title": "Death toll in Kyiv rises to two after Russia's 539-drone attack",
     "body": "Two people were killed and 23 injured in Kyiv after Russia launched 539 drones and 11 missiles at Ukraine overnight, the air force said."},
]
# The same night, the other direction: never merged into the attack on Ukraine.
ON_RUSSIA = {"id": "ru-1", "language": "en", "source": "Example Wire", "source_kind": "media", "published": "2025-07-04T10:00:00+03:00",
             "title": "Russia says it downed 120 Ukrainian drones overnight",
             "body": "Russian air defences destroyed 120 Ukrainian drones over several regions overnight, the Russian defence ministry said."}
NEXT_NIGHT = {"id": "wire-2", "language": "en", "source": "Example Wire", "source_kind": "media", "published": "2025-07-05T08:00:00+03:00",
              "title": "Russia launches 120 drones at Ukraine overnight",
              "body": "Russia attacked Ukraine overnight with 120 drones, the air force said. 100 were shot down."}


async def publish_articles(bootstrap: str, topic: str, docs: list[dict], tmp_path: Path) -> None:
    path = tmp_path / "articles.jsonl"
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for article in read_articles(path):
            await producer.send_and_wait(topic, key=article.id.encode(), value=article.to_bytes())
    finally:
        await producer.stop()


async def test_three_outlets_make_one_event_and_one_record_alert(tmp_path: Path, kafka_bootstrap: str) -> None:
    config = isolated_config(tmp_path, kafka_bootstrap, rules={"record_metrics": ["drones_launched"]})
    config_file = write_config(tmp_path / "tocsin.toml", config)
    prefix = config["kafka"]["topics"]["prefix"]
    await run_cli(config_file, "backfill", "--csv", str(FIXTURES / "attacks_sanity.csv"), "--until", "2025-06-30")
    daemon = Daemon(config_file, "worker")
    await daemon.start()
    try:
        await daemon.wait_ready()
        for count, doc in enumerate(ARTICLES, start=1):  # one after the other, as outlets publish over the morning
            await publish_articles(kafka_bootstrap, f"{prefix}.articles", [doc], tmp_path)

            async def merged(count: int = count) -> bool:
                events = (await api_get(daemon, "/events?since=2025-01-01T00:00:00%2B00:00"))["events"]
                return [e["sources"] for e in events] == [count]

            await eventually(merged, 60, f"one event with {count} sources", daemon)
        await publish_articles(kafka_bootstrap, f"{prefix}.articles", [ON_RUSSIA, NEXT_NIGHT], tmp_path)

        async def three_events() -> bool:
            return len((await api_get(daemon, "/events"))["events"]) == 3 and await caught_up(daemon)

        await eventually(three_events, 60, "the strike on Russia, the next night's event and an idle pipeline", daemon)
        (on_russia,) = (await api_get(daemon, "/events?target=RU"))["events"]
        assert (on_russia["attacker"], on_russia["sources"], on_russia["night_of"]) == ("UA", 1, "2025-07-04")

        events = (await api_get(daemon, "/events?target=UA&min=400"))["events"]
        assert len(events) == 1
        (big,) = events
        assert big["figures"]["drones_launched"] == 539  # the air force's figure
        assert big["figures"]["killed"] == 2  # the later casualty revision
        assert big["figures"]["missiles_launched"] == 11 and big["figures"]["drones_neutralized"] == 476
        detail = await api_get(daemon, f"/events/{big['event_id']}")
        assert [s["article_id"] for s in detail["event"]["sources"]] == ["wire-1", "uk-af-1", "daily-1"]
        assert [r["revision"] for r in detail["revisions"]] == [1, 2, 3]

        latest: dict[bytes, AttackEvent] = {}
        for key, value in await read_topic(kafka_bootstrap, f"{prefix}.events"):
            event = AttackEvent.from_bytes(value)
            if not event.historical and event.target == "UA":
                latest[key] = event
        assert sorted(e.value(Metric.DRONES_LAUNCHED) for e in latest.values()) == [120, 539]

        alerts = [Alert.from_bytes(v) for _, v in await read_topic(kafka_bootstrap, f"{prefix}.alerts")]
        records = [a for a in alerts if a.kind.value == "record"]
        assert len({a.alert_id for a in records}) == 1, records  # one record alert, none for the smaller attack
        final = max(records, key=lambda a: a.revision)
        assert final.value == 539 and final.event.event_id == big["event_id"]
        assert final.previous is not None
        assert (final.previous.value, final.previous.night_of.isoformat()) == (479, "2025-06-09")
        # "more than 500" broke it first; the air force's 539 updated the same alert.
        assert [(a.revision, a.value, a.updated) for a in sorted(records, key=lambda a: a.revision)] == [(1, 500, False), (2, 539, True)]

        current = (await api_get(daemon, "/records?scope=UA&metric=drones_launched"))["records"]["UA"]["drones_launched"]
        assert (current["value"], current["event_id"]) == (539, big["event_id"])
        metrics = await daemon.metrics()
        assert metrics['tocsin_alerts_raised_total{kind="record"}'] == 2
        assert metrics["tocsin_raw_to_alert_seconds_count"] == 2
    finally:
        code = await daemon.stop(signal.SIGTERM)
    assert code == 0, daemon.logs()

    # The records table is on disk up to the end of its changelog: a restart has nothing to replay.
    changelog = await read_topic(kafka_bootstrap, f"{config['kafka']['app_id']}-records-changelog")
    persisted = persisted_offsets(Path(config["data_dir"]), "records")
    assert persisted and sum(offset + 1 for offset in persisted.values()) == len(changelog)

    # Backfilling again changes nothing: same event ids and figures, so no record moves.
    await run_cli(config_file, "backfill", "--csv", str(FIXTURES / "attacks_sanity.csv"), "--until", "2025-06-30")
    again = Daemon(config_file, "worker")
    await again.start()
    try:
        await again.wait_ready()
        await eventually(lambda: caught_up(again), 60, "the re-backfill to be consumed", again)
        current = (await api_get(again, "/records?scope=UA"))["records"]["UA"]["drones_launched"]
        assert current["value"] == 539
        alerts = [Alert.from_bytes(v) for _, v in await read_topic(kafka_bootstrap, f"{prefix}.alerts")]
        assert Counter(a.kind.value for a in alerts) == Counter({"record": 2})
    finally:
        assert await again.stop(signal.SIGTERM) == 0, again.logs()
