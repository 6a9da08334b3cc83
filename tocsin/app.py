"""Composition root: wires settings, Kafka, the poller, the stream processors
and the operator endpoint into the processes the CLI starts."""

from __future__ import annotations

import gc
import os
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import faust
import mode
import structlog

from monitor.poller import Poller
from streams.api import worker_ready
from streams.app import build_streams_app
from streams.deliver import Deliverer
from tocsin.kafka.broker import LocalBroker, LocalBrokerConfig
from tocsin.kafka.drain import Stage
from tocsin.kafka.topics import deliver_group, ensure_topics, topics_for
from tocsin.observability.http import Component, ObservabilityServer
from tocsin.observability.lag import GroupWatch
from tocsin.observability.logs import configure_logging
from tocsin.settings import ConfigError, LocalKafkaSettings, Settings

log = structlog.get_logger(__name__)


def local_broker(settings: LocalKafkaSettings) -> LocalBroker:
    return LocalBroker(
        LocalBrokerConfig(
            port=settings.port,
            controller_port=settings.controller_port,
            data_dir=settings.data_dir,
            cache_dir=settings.cache_dir,
            heap=settings.heap,
            start_timeout_s=settings.start_timeout_seconds,
        )
    )


@contextmanager
def kafka_cluster(settings: Settings) -> Iterator[list[str]]:
    """Yield bootstrap servers: the configured cluster, or a local broker that
    is stopped again on the way out unless it was already running."""
    if not settings.kafka.uses_local_broker:
        yield settings.kafka.bootstrap_servers
        return
    broker = local_broker(settings.kafka.local)
    already_running = broker.status().running
    broker.start(attached=True)
    try:
        yield [broker.bootstrap]
    finally:
        if not already_running:
            broker.stop()


class _StopDeadline(mode.Worker):
    """A stop that cannot finish (Kafka gone, a hung connection) must not hang the process: once a
    stop begins, the process exits after ``stop_deadline`` seconds whatever is still pending. Nothing is
    lost by that: offsets, feed state and deliveries are recorded only after the work they cover,
    so what the stop did not record is redone by the next start (at-least-once, deterministic ids);
    a local broker started by this process gets SIGTERM from the kernel when it exits."""

    stop_deadline: float = 30.0  # not mode's own ``shutdown_timeout``, which bounds one service's wait
    _deadline: threading.Timer | None = None

    def _schedule_shutdown(self, signum: signal.Signals) -> None:  # every stop signal comes through here
        self._arm_deadline()
        super()._schedule_shutdown(signum)

    def on_worker_shutdown(self) -> None:  # a stop for any other reason (a crash) ends here
        self._arm_deadline()
        super().on_worker_shutdown()

    def _arm_deadline(self) -> None:
        if self._deadline is None:
            self._deadline = threading.Timer(self.stop_deadline, _abandon_stop, (self.stop_deadline,))
            self._deadline.daemon = True
            self._deadline.start()


def _abandon_stop(timeout: float) -> None:
    log.error("graceful stop overran its deadline, exiting", shutdown_timeout_s=timeout)
    os._exit(1)


POLLING_YOUNG_THRESHOLD = 20_000


def tune_collector(*, polling: bool) -> None:
    """Garbage collection for a long-running service, once everything has started.

    What is loaded by then (modules, clients, settings) lives as long as the process: frozen, no
    full collection walks it again (each was a pause of a few hundred milliseconds that every
    webhook delivery under way waited out). A poll allocates a few hundred objects that live a
    fraction of a second: at Python's default young threshold (700), with hundreds of polls in
    flight, they survive two young collections into the oldest generation, whose full collections
    then walk every feed's state again and again (a poller with 10,000 feeds spent about half its
    CPU collecting when the feeds were unchanged, a fifth when they changed: bench/poll_farm.py
    with a ``gc.callbacks`` probe). Collected more rarely, they die young. The stream worker alone
    gained nothing from that (bench_streams.py: 3% less throughput, p99 +15 ms), so the young
    threshold is raised only where a poller runs."""
    gc.freeze()
    if polling:
        young, *older = gc.get_threshold()
        gc.set_threshold(max(young, POLLING_YOUNG_THRESHOLD), *older)


class _TunedCollector(mode.Worker):
    polling: bool = False

    async def on_started(self) -> None:
        tune_collector(polling=self.polling)
        await super().on_started()


class ServicesWorker(_TunedCollector, _StopDeadline):
    """The poller and/or deliverer without the stream processors."""


class StreamsWorker(_TunedCollector, _StopDeadline, faust.Worker):
    """The stream processors (a Faust worker), with any other services of the process."""


def check_ports(settings: Settings) -> None:
    """Fail before anything starts when a port Tocsin must listen on is taken."""
    wanted = []
    if settings.metrics.enabled:
        wanted.append(("metrics.port", settings.metrics.host, settings.metrics.port))
    if settings.kafka.uses_local_broker and not local_broker(settings.kafka.local).status().running:
        local = settings.kafka.local
        wanted += [("kafka.local.port", "127.0.0.1", local.port), ("kafka.local.controller_port", "127.0.0.1", local.controller_port)]
    for key, host, port in wanted:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as exc:
                raise ConfigError(f"config error: {key}: {host}:{port} is not free ({exc.strerror})") from exc


def run(settings: Settings, *, poll: bool, work: bool, deliver: bool | None = None) -> None:
    """Run the poller, the stream worker and/or the webhook deliverer (by
    default wherever the worker runs) until SIGINT or SIGTERM."""
    deliver = work if deliver is None else deliver
    configure_logging(settings.logging)
    check_ports(settings)
    with kafka_cluster(settings) as bootstrap:
        topics = topics_for(settings.kafka)
        ensure_topics(bootstrap, topics.all())
        components: list[Component] = []
        stages: list[Stage] = []  # the consumer groups this process is a member of, and their topics
        if poll:
            # One consumer group per deployment: its members split the feeds between them.
            poller = Poller(
                settings.feeds, bootstrap, topics, group_id=f"{settings.kafka.app_id}-pollers",
                max_record_bytes=settings.kafka.max_record_bytes, membership=settings.kafka.membership,
            )
            components.append(Component("poll", poller, lambda: poller.kafka_available and watch.reachable))
        if deliver:
            deliverer = Deliverer(settings, bootstrap, topics)
            stages.append(Stage(deliver_group(settings.kafka), (topics.alerts.name,)))
            components.append(Component("deliver", deliverer, lambda: deliverer.joined and watch.reachable))
        services: list[mode.Service] = [c.service for c in components]
        app = build_streams_app(settings, bootstrap, topics) if work else None
        if app:
            stages.append(Stage(settings.kafka.app_id, (topics.articles.name, topics.reports.name, topics.events.name)))
            # A worker is ready once its tables are recovered, not merely started, and while Kafka and its store answer.
            components.append(Component("work", app, lambda: watch.reachable and worker_ready(app)))
        watch = GroupWatch(bootstrap, stages)  # Kafka reachable, per-group lag: the components' readiness reads it
        services.append(watch)
        if settings.metrics.enabled:
            services.append(ObservabilityServer(settings.metrics, components))
        options = {"loglevel": settings.logging.level, "override_logging": False, "redirect_stdouts": False, "quiet": True}
        if app:
            worker: _StopDeadline = StreamsWorker(app, *services, **options)
            worker.spinner = None  # a terminal spinner would interleave escape codes with JSON logs
        else:
            worker = ServicesWorker(*services, **options)
        worker.stop_deadline = settings.shutdown_timeout_seconds
        worker.polling = poll
        log.info("tocsin starting", poll=poll, work=work, deliver=deliver, bootstrap=bootstrap)
        try:
            worker.execute_from_commandline()
        except SystemExit as exit_:
            if exit_.code not in (0, None):
                raise
