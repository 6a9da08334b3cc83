"""A real single-node Apache Kafka (KRaft, broker + controller) run from Maven Central jars.

The jars are fetched once with Maven into a cache outside the repo; the broker's
storage, rendered config, logs and pidfile live in ``data_dir``. Linux only:
liveness and ownership checks read /proc, and attached mode uses prctl.
"""

from __future__ import annotations

import base64
import ctypes
import fcntl
import hashlib
import os
import re
import shutil
import signal
import socket
import string
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from tocsin.kafka import clients
from tocsin.kafka.exceptions import BrokerError

KAFKA_VERSION = "4.0.2"
MIN_JAVA = 17

DEPLOY_DIR = Path(__file__).resolve().parents[2] / "deploy" / "kafka"
_POM = DEPLOY_DIR / "pom.xml"
_PROPS_TEMPLATE = DEPLOY_DIR / "server.properties.template"
_LOG4J2 = DEPLOY_DIR / "log4j2.xml"

_PR_SET_PDEATHSIG = 1
# Resolved before any fork: dlopen in a forked child of a threaded parent can deadlock.
_prctl = ctypes.CDLL(None, use_errno=True).prctl

_LOG_TAIL_LINES = 40


@dataclass(frozen=True)
class LocalBrokerConfig:
    port: int = 9092
    controller_port: int = 9093
    data_dir: Path = field(default_factory=lambda: Path.home() / ".local" / "state" / "tocsin" / "kafka")
    cache_dir: Path = field(default_factory=lambda: Path.home() / ".cache" / "tocsin" / "kafka")
    heap: str = "512m"
    start_timeout_s: float = 120.0


@dataclass(frozen=True)
class BrokerStatus:
    running: bool
    pid: int | None
    bootstrap: str
    data_dir: Path


class LocalBroker:
    """Starts, reuses and stops the broker that belongs to ``config.data_dir``.

    A broker is "ours" when the pidfile names a live JVM whose command line runs
    kafka.Kafka on this data dir's server.properties; anything else holding the
    ports is someone else's and is never touched.
    """

    def __init__(self, config: LocalBrokerConfig) -> None:
        self.config = config
        # Absolute, because the props path in the JVM's command line is how we recognise our broker.
        data = self._data = config.data_dir.expanduser().resolve()
        self._props = data / "server.properties"
        self._pidfile = data / "broker.pid"
        self._stdout = data / "broker.out"
        self._logs = data / "logs"
        self._storage = data / "kraft"
        self._version_dir = config.cache_dir.expanduser().resolve() / KAFKA_VERSION
        self._libs = self._version_dir / "libs"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.config.port}"

    def ensure_jars(self) -> Path:
        """Copy Kafka's runtime jars into the cache once; later calls need no network."""
        self._version_dir.mkdir(parents=True, exist_ok=True)
        marker = self._version_dir / "libs.complete"
        # The pom's hash, so editing deploy/kafka/pom.xml refreshes the cache.
        wanted = hashlib.sha256(_POM.read_bytes()).hexdigest()
        # Locked so parallel test workers do not copy into the same dir at once.
        with _flock(self._version_dir / ".lock"):
            if marker.exists() and marker.read_text() == wanted:
                return self._libs
            mvn = shutil.which("mvn")
            if mvn is None:
                raise BrokerError(
                    f"Maven (mvn) is not on PATH; it is needed once to fetch Kafka {KAFKA_VERSION} jars into {self._libs}"
                )
            marker.unlink(missing_ok=True)
            shutil.rmtree(self._libs, ignore_errors=True)
            cmd = [
                mvn,
                "-q",
                "-B",
                "-f",
                str(_POM),
                "dependency:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={self._libs}",
            ]
            done = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
            if done.returncode != 0:
                raise BrokerError(
                    f"Maven failed (exit {done.returncode}) fetching Kafka {KAFKA_VERSION} jars:\n{_last_lines(done.stdout)}"
                )
            marker.write_text(wanted)
        return self._libs

    def start(self, *, attached: bool = True) -> None:
        """Start the broker and return once it answers clients; reuse ours if it already runs.

        attached=True ties the JVM to this process: it gets SIGTERM when this
        process dies, even by SIGKILL. The kernel ties that to the *thread* that
        forked, so call start() from a thread that outlives the broker (the main
        thread), not from a short-lived worker such as asyncio.to_thread.
        attached=False leaves a daemon that outlives the caller.
        """
        java = _find_java()
        self._data.mkdir(parents=True, exist_ok=True)
        props = self._render_props()
        # Two starters on one data dir: the second waits, then reuses the first one's broker.
        with _flock(self._data / ".start.lock"):
            pid = self._running_pid()
            if pid is not None:
                if self._props.read_text() != props:
                    raise BrokerError(f"the broker from {self._data} (pid {pid}) runs with other settings; stop it first")
                self._wait_ready(pid, time.monotonic() + self.config.start_timeout_s)
                return
            self._check_ports_free()
            libs = self.ensure_jars()
            self._props.write_text(props)
            self._format_storage(java, libs)
            self._launch(java, libs, attached)

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM (Kafka shuts down cleanly), then SIGKILL after ``timeout``; no-op if not running."""
        pid = self._running_pid()
        if pid is not None:
            self._terminate(pid, timeout)
        self._pidfile.unlink(missing_ok=True)

    def status(self) -> BrokerStatus:
        pid = self._running_pid()
        return BrokerStatus(running=pid is not None, pid=pid, bootstrap=self.bootstrap, data_dir=self._data)

    def __enter__(self) -> LocalBroker:
        self.start(attached=True)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def _render_props(self) -> str:
        template = string.Template(_PROPS_TEMPLATE.read_text())
        return template.substitute(port=self.config.port, controller_port=self.config.controller_port, log_dir=self._storage)

    def _format_storage(self, java: str, libs: Path) -> None:
        # meta.properties (which holds the cluster id) marks a formatted dir; Kafka refuses to format it twice.
        if (self._storage / "meta.properties").exists():
            return
        # Static controller.quorum.voters: no --standalone (that flag is for a dynamic quorum).
        # No log4j2 config: log4j's default (errors to stderr) lands in the output shown on failure.
        cmd = [java, "-cp", str(libs / "*"), "kafka.tools.StorageTool", "format", "-t", _new_cluster_id(), "-c", str(self._props)]
        done = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
        if done.returncode != 0:
            raise BrokerError(
                f"formatting Kafka storage in {self._storage} failed (exit {done.returncode}):\n{_last_lines(done.stdout)}"
            )

    def _launch(self, java: str, libs: Path, attached: bool) -> None:
        cmd = [
            java,
            f"-Xmx{self.config.heap}",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={_LOG4J2}",
            f"-Dkafka.logs.dir={self._logs}",
            "-cp",
            str(libs / "*"),
            "kafka.Kafka",
            str(self._props),
        ]
        with self._stdout.open("ab") as out:
            # New session: a terminal Ctrl-C reaches Python only, which then stops the broker in order.
            self._proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with(os.getpid()) if attached else None,
            )
        pid = self._proc.pid
        tmp = self._pidfile.with_suffix(".tmp")
        tmp.write_text(f"{pid}\n")
        tmp.replace(self._pidfile)
        try:
            self._wait_ready(pid, time.monotonic() + self.config.start_timeout_s)
        except BaseException:
            self.stop(timeout=10.0)
            raise

    def _wait_ready(self, pid: int, deadline: float) -> None:
        # A TCP connect first: kafka-python logs errors for every refused bootstrap attempt.
        while time.monotonic() < deadline:
            if not self._is_alive(pid):
                raise BrokerError(f"Kafka (pid {pid}) exited during startup\n{self._log_tails()}")
            if _port_answers(self.config.port) and _answers_metadata(self.bootstrap):
                return
            time.sleep(0.25)
        raise BrokerError(
            f"Kafka did not answer on {self.bootstrap} within {self.config.start_timeout_s:g}s\n{self._log_tails()}"
        )

    def _check_ports_free(self) -> None:
        if self.config.port == self.config.controller_port:
            raise BrokerError(f"port and controller_port are both {self.config.port}; Kafka needs two ports")
        for name, port in (("port", self.config.port), ("controller_port", self.config.controller_port)):
            if not _port_free(port):
                raise BrokerError(
                    f"cannot start Kafka: 127.0.0.1:{port} ({name}) is already in use"
                    f" by something that is not the broker from {self._data}"
                )

    def _running_pid(self) -> int | None:
        try:
            pid = int(self._pidfile.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        if self._is_alive(pid) and self._is_ours(pid):
            return pid
        # Stale: the JVM died (or the pid was reused by an unrelated process).
        self._pidfile.unlink(missing_ok=True)
        return None

    def _is_alive(self, pid: int) -> bool:
        if self._proc is not None and self._proc.pid == pid:
            # poll() reaps our own child, which would otherwise linger as a zombie.
            return self._proc.poll() is None
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            return False
        return stat.rpartition(")")[2].split()[0] != "Z"

    def _is_ours(self, pid: int) -> bool:
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except FileNotFoundError:
            return False
        return b"kafka.Kafka" in argv and str(self._props).encode() in argv

    def _terminate(self, pid: int, timeout: float) -> None:
        # Suppressed: the JVM may exit on its own between the liveness check and the signal.
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        if self._wait_exit(pid, timeout):
            return
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        if not self._wait_exit(pid, 10.0):
            raise BrokerError(f"Kafka (pid {pid}) survived SIGKILL")

    def _wait_exit(self, pid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self._is_alive(pid):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
        return True

    def _log_tails(self) -> str:
        parts = []
        for path in (self._stdout, self._logs / "server.log"):
            if path.exists():
                parts.append(f"--- last lines of {path} ---\n{_last_lines(path.read_bytes())}")
        return "\n".join(parts) or f"(no broker output in {self._data})"


def _find_java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if java is None or not os.access(java, os.X_OK):
        where = f"JAVA_HOME={java_home} has no bin/java" if java_home else "no java on PATH"
        raise BrokerError(f"Kafka {KAFKA_VERSION} needs Java {MIN_JAVA}+: {where}")
    done = subprocess.run([java, "-version"], stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
    # `java -version` prints to stderr: `openjdk version "17.0.15"` or `"1.8.0_402"` for Java 8.
    found = re.search(r'version "(?:1\.)?(\d+)', done.stderr)
    if found is None or int(found.group(1)) < MIN_JAVA:
        shown = done.stderr.splitlines()[0] if done.stderr else "no version output"
        raise BrokerError(f"Kafka {KAFKA_VERSION} needs Java {MIN_JAVA}+, but {java} is: {shown}")
    return java


def _new_cluster_id() -> str:
    # Kafka's Uuid.randomUuid(): base64url of 16 random bytes, 22 chars, never starting
    # with '-' so the id cannot be mistaken for a command-line flag.
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def _die_with(parent: int) -> Callable[[], None]:
    def arm() -> None:
        if _prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        # The parent may have died between fork and prctl, and then no signal would ever come.
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)

    return arm


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # Like the JVM's server sockets, so a port left in TIME_WAIT by our last broker counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0):
            return True
    except OSError:
        return False


def _answers_metadata(bootstrap: str) -> bool:
    try:
        admin = clients.config_admin(bootstrap, "probe", request_timeout_ms=5000, bootstrap_timeout_ms=5000)
    except Exception:  # noqa: BLE001 - any failure just means "not ready yet"
        return False
    try:
        admin.list_topics()
        return True
    except Exception:  # noqa: BLE001
        return False
    finally:
        admin.close()


@contextmanager
def _flock(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _last_lines(output: bytes, n: int = _LOG_TAIL_LINES) -> str:
    return "\n".join(output.decode(errors="replace").splitlines()[-n:])
