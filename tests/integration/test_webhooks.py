"""The deliverer (`tocsin deliver`) on the real broker against local receivers
that verify every signature with the standardwebhooks library."""

from __future__ import annotations

import asyncio
import json
import signal
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer

from support.daemon import TOCSIN, Daemon, isolated_config, write_config
from support.webhooks import SECRET, SignedReceiver, alerts, eventually, publish_alerts
from tocsin.records import DeadLetter

pytestmark = pytest.mark.integration

N = 4
FAST = {
    "retry_schedule_seconds": [0, 0.2, 0.4],
    "retry_jitter": 0.0,
    "max_attempts": 20,
    "breaker_failures": 3,
    "breaker_cooldown_seconds": 0.3,
    "breaker_max_cooldown_seconds": 1.0,
    "allow_private_addresses": True,
}


def endpoint(name: str, receiver: SignedReceiver, **extra: object) -> dict[str, object]:
    return {"name": name, "url": receiver.url, "secret": SECRET, **extra}


async def tocsin(config: Path, *args: str, expect: int = 0) -> str:
    process = await asyncio.create_subprocess_exec(
        TOCSIN, "--config", str(config), *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == expect, err.decode()
    return out.decode()


async def test_a_rotation_signs_so_receivers_with_the_old_or_the_new_key_verify(tmp_path: Path) -> None:
    new = "whsec_" + "Rot4tedK3y" * 4
    old_key, new_key = SignedReceiver(), SignedReceiver(secret=new)
    async with old_key, new_key:
        webhooks = {"endpoints": [
            {"name": "old", "url": old_key.url, "secrets": [new, SECRET]},
            {"name": "new", "url": new_key.url, "secrets": [new, SECRET]},
        ]}
        config_file = write_config(tmp_path / "tocsin.toml", isolated_config(tmp_path, "127.0.0.1:9", webhooks=webhooks))
        for name in ("old", "new"):
            result = json.loads(await tocsin(config_file, "webhooks", "test", name))
            assert (result["outcome"], result["verdict"]) == ("http_200", "delivered")
    # Each receiver refuses (401) and counts what its own key does not verify.
    assert [(len(r.delivered), r.bad_signatures) for r in (old_key, new_key)] == [(1, 0), (1, 0)]


async def test_list_and_test_commands(tmp_path: Path) -> None:
    ok, refusing = SignedReceiver(), SignedReceiver(status=400)
    async with ok, refusing:
        webhooks = {"endpoints": [
            endpoint("ok", ok), endpoint("refusing", refusing, filters={"kinds": ["record"]}),
            {"name": "off", "url": "https://hooks.example.org/services/T0/B0/token", "enabled": False},
        ]}
        # `webhooks list|test` never touch Kafka: the bootstrap address is never dialled.
        config_file = write_config(tmp_path / "tocsin.toml", isolated_config(tmp_path, "127.0.0.1:9", webhooks=webhooks))

        out = await tocsin(config_file, "webhooks", "list")
        listed = {e["name"]: e for e in map(json.loads, out.splitlines())}
        assert listed["ok"]["origin"] == ok.url.removesuffix("/hook") and listed["ok"]["signed"] is True
        assert listed["refusing"]["filters"]["kinds"] == ["record"] and listed["off"]["enabled"] is False
        # Neither the secret nor a URL path (chat webhooks carry their tokens there).
        assert SECRET not in out and ok.url not in out and "token" not in out

        result = json.loads(await tocsin(config_file, "webhooks", "test", "ok"))
        assert (result["outcome"], result["verdict"]) == ("http_200", "delivered")
        (mid,) = ok.delivered
        assert mid.startswith("alert_test_") and ok.bodies[mid]["id"] == mid and ok.bad_signatures == 0

        result = json.loads(await tocsin(config_file, "webhooks", "test", "refusing", expect=1))
        assert (result["outcome"], result["verdict"]) == ("http_400", "rejected")

        # The SSRF guard on: a loopback receiver is refused before any request.
        guarded = isolated_config(tmp_path, "127.0.0.1:9", webhooks={**webhooks, "allow_private_addresses": False})
        result = json.loads(await tocsin(write_config(tmp_path / "guarded.toml", guarded), "webhooks", "test", "ok", expect=1))
        assert (result["outcome"], result["verdict"]) == ("blocked", "rejected")
        assert len(ok.requests) == 1


async def test_one_bad_receiver_never_holds_up_the_others(tmp_path: Path, kafka_bootstrap: str) -> None:
    healthy, flaky, limited, rejecting, gone, hanging = (SignedReceiver() for _ in range(6))
    flaky.script = [(503, {})] * 6  # down for a while, then back
    limited.script = [(429, {"Retry-After": "2"})]
    rejecting.status = 400
    gone.status = 410
    hanging.hang = True
    async with healthy, flaky, limited, rejecting, gone, hanging:
        config = isolated_config(tmp_path, kafka_bootstrap, webhooks={**FAST, "endpoints": [
            endpoint("healthy", healthy), endpoint("flaky", flaky), endpoint("limited", limited, concurrency=1),
            endpoint("rejecting", rejecting), endpoint("gone", gone, concurrency=1),
            endpoint("hanging", hanging, timeout_seconds=1.0),
        ]})
        prefix = config["kafka"]["topics"]["prefix"]
        config_file = write_config(tmp_path / "tocsin.toml", config)
        daemon = Daemon(config_file, "deliver")
        await daemon.start()
        try:
            await daemon.wait_ready()
            sent = alerts(uuid.uuid4().hex[:8], N)
            ids = {a.alert_id for a in sent}
            await publish_alerts(kafka_bootstrap, prefix, sent)

            # Isolation, by causality: every alert reached the healthy receiver while
            # the hanging one had not answered a single request.
            await eventually(lambda: set(healthy.delivered) == ids, "the healthy receiver's alerts", daemon)
            assert hanging.requests == []

            # Down for a while, then back: every alert, once.
            await eventually(lambda: set(flaky.delivered) == ids, "the flaky receiver to catch up", daemon)
            assert sorted(flaky.delivered) == sorted(ids)
            assert sum(r.status == 503 for r in flaky.requests) == 6

            # 429 + Retry-After: 2 → nothing to that endpoint for two seconds, though
            # the schedule alone would have retried after 0.2 s.
            await eventually(lambda: set(limited.delivered) == ids, "the rate-limited receiver", daemon)
            refused_at = limited.requests[0].at
            assert limited.requests[0].status == 429
            assert all(r.at - refused_at >= 1.9 for r in limited.requests[1:])

            # 400: not retried, dead-lettered with the attempt.
            # 410: the endpoint is disabled; what it had queued is dead-lettered unsent.
            letters: dict[str, list[DeadLetter]] = {}
            for letter in await dead_letters(kafka_bootstrap, prefix, 2 * N):
                letters.setdefault(json.loads(letter.detail)["endpoint"], []).append(letter)
            assert {json.loads(d.detail)["message_id"] for d in letters["rejecting"]} == ids
            for letter in letters["rejecting"]:
                assert letter.stage == "deliver" and letter.reason == "delivery_rejected"
                assert [a["outcome"] for a in json.loads(letter.detail)["attempts"]] == ["http_400"]
            assert len(rejecting.requests) == N
            assert {json.loads(d.detail)["message_id"] for d in letters["gone"]} == ids
            assert {d.reason for d in letters["gone"]} == {"delivery_gone"}
            assert sorted(len(json.loads(d.detail)["attempts"]) for d in letters["gone"]) == [0] * (N - 1) + [1]
            assert len(gone.requests) == 1

            # The hanging receiver costs timeouts, retried.
            async def timed_out() -> bool:
                metrics = await daemon.metrics()
                return metrics.get('tocsin_webhook_attempts_total{endpoint="hanging",result="timeout"}', 0) >= N
            await eventually(timed_out, "timeouts on the hanging receiver", daemon)

            metrics = await daemon.metrics()
            for name in ("healthy", "flaky", "limited"):
                assert metrics[f'tocsin_alerts_delivered_total{{endpoint="{name}",outcome="delivered"}}'] == N
            assert metrics['tocsin_alerts_delivered_total{endpoint="rejecting",outcome="dead"}'] == N
            assert metrics['tocsin_webhook_delivery_seconds_count{endpoint="healthy"}'] == N
            assert 'tocsin_webhook_queue_depth{endpoint="hanging"}' in metrics
            assert metrics['tocsin_webhook_breaker_state{endpoint="gone"}'] == 3
            assert metrics['tocsin_dead_letters_total{reason="delivery_gone",stage="deliver"}'] == N

            # Replays: an alert already delivered is not sent again; dead-lettered ones are, with the same ids.
            assert json.loads(await tocsin(config_file, "webhooks", "replay", "healthy", "--since", "2000-01-01")) == {"endpoint": "healthy", "requested": N}
            rejecting.status = 200
            assert json.loads(await tocsin(config_file, "webhooks", "replay", "rejecting", "--dead")) == {"endpoint": "rejecting", "requested": N}
            await eventually(lambda: set(rejecting.delivered) == ids, "the replayed dead letters", daemon)
            # Each partition's replay requests for "healthy" came before those for
            # "rejecting", so they were decided before the latter were delivered.
            assert sorted(healthy.delivered) == sorted(ids) and sorted(rejecting.delivered) == sorted(ids)
            assert rejecting.bodies[sent[0].alert_id]["id"] == sent[0].alert_id

            for receiver in (healthy, flaky, limited, rejecting, gone, hanging):
                assert receiver.bad_signatures == 0
        finally:
            code = await daemon.stop(signal.SIGTERM)
        assert code == 0, daemon.logs()
        assert SECRET not in daemon.logs()


async def dead_letters(bootstrap: str, prefix: str, n: int) -> list[DeadLetter]:
    consumer = AIOKafkaConsumer(f"{prefix}.dead-letters", bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    try:
        return [DeadLetter.from_bytes((await asyncio.wait_for(consumer.getone(), 60)).value) for _ in range(n)]
    finally:
        await consumer.stop()
