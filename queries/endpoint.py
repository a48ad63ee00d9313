"""SPARQL over HTTP: the store served read-only to any SPARQL client.

``incident-kg serve``
    Runs the SPARQL server that ships with the ``oxigraph`` pip wheel,
    ``oxigraph serve-read-only --location COPY --union-default-graph --timeout-s N``,
    on a private loopback port, with a small stdlib reverse proxy in front of it on
    ``--host``/``--port`` (127.0.0.1:7878 by default; :mod:`.proxy` checks every request
    and keeps every answer within the limits).  Oxigraph does the SPARQL 1.1 Protocol (GET
    and POST, its offline query page at ``/``); the default graph is the union of the
    store's graphs, exactly what :meth:`GraphStore.query` queries, so queries written for
    the store work unchanged.

    **What is served is a copy** (:func:`served_copy`): every graph of the store but its
    record keeping (the metadata graph: absolute source paths, import records), the
    analysis's summaries (graph/summary.py: JSON copies of the report graphs) and each
    report's whole text (kept for its spans' context: graph/evidence.py), in a
    private store beside it (``.<store>.served-<pid>-<n>``, removed on the way out).  So the
    record keeping is never served, and a build may write the store while it is served:
    the copy is taken from a read-only view of the store (every transaction whole), and
    once a writer has released the store's lock (:mod:`incident_kg.graph.lock`) a new copy
    is taken and served in its place — queries see the store as it was before a build or
    after it, never half of a report.  Oxigraph's own read-only mode on a store another
    process writes is undefined behaviour; on a private copy it is not.

    **The server is watched**: if the Oxigraph process dies (it aborts, exit -6, on some
    hostile queries the proxy's checks are there to stop first), it is started again, up to
    :data:`MAX_RESTARTS` times in :data:`RESTART_WINDOW` seconds, then ``serve`` stops with
    one line.

    A host that is not loopback is refused unless ``allow_remote`` is set: there is no
    authentication, anyone who reaches the port reads the whole store.

``incident-kg push`` lives in :mod:`incident_kg.export.push`.
"""

from __future__ import annotations

import http.client
import ipaddress
import itertools
import logging
import os
import shutil
import socket
import subprocess
import sysconfig
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

import pyoxigraph as ox

from incident_kg.errors import IncidentKGError, StoreError
from incident_kg.graph.lifetime import Spawner
from incident_kg.graph.lock import read_holder
from incident_kg.graph.store import META_GRAPH, GraphStore
from incident_kg.graph.summary import SUMMARY_GRAPH
from incident_kg.ontology.namespaces import IKG

from .proxy import (
    DEFAULT_MAX_RESULTS,
    DEFAULT_TIMEOUT,
    GRACE,
    GRAPH_FORMATS,
    RESULT_FORMATS,
    Limits,
    ProxyServer,
    negotiate,
)

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
#: Restarts of a dead Oxigraph process allowed within :data:`RESTART_WINDOW` seconds.
MAX_RESTARTS = 5
RESTART_WINDOW = 60.0
#: Seconds between two looks at the Oxigraph process and the store's lock.
WATCH_EVERY = 0.5

__all__ = [
    "DEFAULT_MAX_RESULTS",
    "DEFAULT_TIMEOUT",
    "GRACE",
    "GRAPH_FORMATS",
    "RESULT_FORMATS",
    "EndpointError",
    "OxigraphServer",
    "RunningServer",
    "free_port",
    "is_loopback",
    "negotiate",
    "running_server",
    "served_copy",
    "wait_until_ready",
]


class EndpointError(IncidentKGError):
    """The SPARQL server cannot start, or a remote endpoint refused or could not be reached."""


# -- the Oxigraph process ------------------------------------------------------------------


def oxigraph_executable() -> str:
    """Path of the ``oxigraph`` binary the ``oxigraph`` wheel installs beside Python."""
    scripts = Path(sysconfig.get_path("scripts"))
    for candidate in (scripts / "oxigraph", scripts / "oxigraph.exe"):
        if candidate.is_file():
            return str(candidate)
    found = shutil.which("oxigraph")
    if found is None:
        raise EndpointError(
            "the oxigraph server is not installed: `pip install 'oxigraph>=0.5,<0.6'`"
        )
    return found


def server_command(
    location: Path | None,
    bind: str,
    *,
    read_only: bool = True,
    timeout: int | None = None,
    union_default_graph: bool = True,
) -> list[str]:
    """The ``oxigraph serve[-read-only]`` command line (``location=None``: in memory)."""
    if read_only and location is None:
        raise ValueError("a read-only server needs a store directory")
    command = [oxigraph_executable(), "serve-read-only" if read_only else "serve"]
    if location is not None:
        command += ["--location", str(location)]
    command += ["--bind", bind]
    if union_default_graph:
        command.append("--union-default-graph")
    if timeout is not None:
        command += ["--timeout-s", str(int(timeout))]
    return command


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on now (bind port 0, read it, release it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def wait_until_ready(
    url: str, process: subprocess.Popen[bytes] | None = None, timeout: float = 10.0
) -> None:
    """Wait until an HTTP server answers at ``url`` (any status); fail if ``process`` dies."""
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise EndpointError(f"the SPARQL server exited (code {process.returncode})")
        conn = http.client.HTTPConnection(host, port, timeout=0.5)
        try:
            conn.request("HEAD", "/")
            conn.getresponse().read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise EndpointError(
                    f"no SPARQL server answered at {url} within {timeout:g} s"
                ) from None
            time.sleep(0.05)
        finally:
            conn.close()


class OxigraphServer:
    """An ``oxigraph serve`` (or ``serve-read-only``) process on a loopback port.

    Use as a context manager, or call :meth:`start` and :meth:`stop`.  With ``port=None``
    a free port is chosen (and another one if that one was taken meanwhile)."""

    def __init__(
        self,
        location: Path | None,
        *,
        port: int | None = None,
        read_only: bool = True,
        timeout: int | None = None,
        union_default_graph: bool = True,
    ) -> None:
        self.location = location
        self.host = "127.0.0.1"
        self.port = port
        self.read_only = read_only
        self.timeout = timeout
        self.union_default_graph = union_default_graph
        #: How many times the process was (re)started; a restart bumps it.
        self.generation = 0
        #: Why the process is gone for good (a restart that failed), else ``None``.
        self.problem: str | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._lock = threading.Lock()
        #: Starts the process so that it dies with this one (graph/lifetime.py).
        self._spawner: Spawner | None = None

    @property
    def url(self) -> str:
        """Base URL (``/query``, ``/update``, ``/store`` are below it)."""
        if self.port is None:
            raise EndpointError("the SPARQL server is not started")
        return _url(self.host, self.port)

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def exit_code(self) -> int | None:
        """The exit code of a process that ended, else ``None`` (running, restarting)."""
        process = self._process
        return None if process is None else process.poll()

    def start(self) -> None:
        """Start the process and wait until it answers."""
        fixed = self.port is not None
        for _attempt in range(1 if fixed else 3):
            port = self.port if self.port is not None and fixed else free_port(self.host)
            command = server_command(
                self.location,
                f"{self.host}:{port}",
                read_only=self.read_only,
                timeout=self.timeout,
                union_default_graph=self.union_default_graph,
            )
            self._log = tempfile.TemporaryFile()
            log.debug("starting %s", " ".join(command))
            if self._spawner is None:
                self._spawner = Spawner()
            self._process = self._spawner.popen(
                command, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT
            )
            try:
                wait_until_ready(_url(self.host, port), self._process)
            except EndpointError as exc:
                message = self._first_error() or str(exc)
                self._reap()
                if not fixed and "address" in message.lower() and "in use" in message.lower():
                    continue
                raise EndpointError(f"the SPARQL server did not start: {message}") from exc
            self.port = port
            self.generation += 1
            return
        raise EndpointError("the SPARQL server did not start: no free port")

    def _first_error(self) -> str | None:
        if self._log is None:
            return None
        self._log.seek(0)
        lines = self._log.read().decode("utf-8", "replace").splitlines()
        for line in lines:
            if line.startswith("Error"):
                return line.removeprefix("Error:").strip()
        return lines[0].strip() if lines else None

    def _reap(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def stop(self) -> None:
        """Stop the process (stopping twice is harmless)."""
        with self._lock:
            self._reap()
            if self._spawner is not None:
                self._spawner.close()
                self._spawner = None

    def restart(self, generation: int) -> None:
        """Kill and start again on the same port, unless someone did since ``generation``:
        the only way to stop a query Oxigraph does not cancel itself."""
        with self._lock:
            if generation != self.generation or self._process is None:
                return
            log.warning("restarting the SPARQL server to stop a query past its time limit")
            self._reap()
            try:
                self.start()
            except EndpointError as exc:
                self.problem = str(exc)
                log.error("%s", exc)

    def revive(self) -> None:
        """Start again a process that died by itself (on the same port)."""
        with self._lock:
            if self._process is None or self._process.poll() is None:
                return
            self._reap()
            try:
                self.start()
            except EndpointError as exc:
                self.problem = str(exc)
                raise

    def __enter__(self) -> OxigraphServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


# -- what the proxy checks -----------------------------------------------------------------


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback name or address (other names count as remote)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str, allow_remote: bool) -> None:
    """Refuse a host that is not loopback, unless ``allow_remote`` (then warn)."""
    if is_loopback(host):
        return
    if not allow_remote:
        raise EndpointError(
            f"--host {host} is not a loopback address: anyone who can reach it could read "
            "the whole store (no authentication); add --allow-remote if that is intended"
        )
    log.warning("serving on %s: anyone who can reach this address can read the whole store", host)


#: A report's whole published text, which the store keeps to cut its spans' context from
#: (graph/evidence.py): never served — a client reads the spans the facts were taken from.
_SOURCE_TEXT = ox.NamedNode(str(IKG.sourceText))


def served_copy(store_dir: Path, target: Path) -> int:
    """Copy every graph of the store at ``store_dir`` but its record keeping, its summaries
    and the reports' whole texts into a new store at ``target`` (Oxigraph's bulk loader);
    the number of quads copied.  The store is read through a read-only view, so a writer may be at work: the
    copy holds every transaction the view saw, whole."""
    internal = {ox.NamedNode(META_GRAPH), ox.NamedNode(SUMMARY_GRAPH)}
    copied = 0

    def quads(source: GraphStore) -> Iterator[ox.Quad]:
        nonlocal copied
        for quad in source.quads():
            if quad.graph_name not in internal and quad.predicate != _SOURCE_TEXT:
                copied += 1
                yield quad

    with GraphStore.open(store_dir, read_only=True) as source:
        copy = ox.Store(str(target))
        copy.bulk_extend(quads(source))
        copy.flush()
        del copy  # closed: the server opens it next
    return copied


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class RunningServer:
    """A served store: where to send queries, the Oxigraph process behind the proxy (the
    current one: a newer copy of the store, or a restart, replaces it), and the watch that
    keeps it alive and up to date."""

    host: str
    port: int
    proxy: ProxyServer
    limits: Limits
    store_dir: Path
    #: The copy being served, and the lock generation of the store it was taken at.
    copy: Path
    seen_generation: int
    restarts: list[float] = field(default_factory=list)
    problem: str | None = None
    #: Servers of older copies, answering the queries they had when a newer copy replaced
    #: them; stopped a time limit later, or with the rest.
    retiring: list[OxigraphServer] = field(default_factory=list)
    _counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _stopped: threading.Event = field(default_factory=threading.Event)

    @property
    def upstream(self) -> OxigraphServer:
        return self.proxy.upstream

    @property
    def url(self) -> str:
        """Base URL: the query page is here, the endpoint at ``/query``."""
        return _url(self.host, self.port)

    @property
    def query_url(self) -> str:
        return f"{self.url}/query"

    def wait(self, poll: float = WATCH_EVERY) -> None:
        """Block until the server cannot go on (then raise) — or for ever."""
        while True:
            time.sleep(poll)
            problem = self.problem or self.upstream.problem
            if problem is not None:
                raise EndpointError(problem)
            if self.upstream.exit_code() in (-2, 130):  # Ctrl-C reached it too
                raise KeyboardInterrupt

    # -- the watch (a thread of running_server) --

    def watch(self) -> None:
        """Every :data:`WATCH_EVERY` s: restart a dead Oxigraph process, and serve a new
        copy of the store once a writer has changed it and released it."""
        while not self._stopped.wait(WATCH_EVERY):
            try:
                self._revive()
                self._refresh()
            except (EndpointError, StoreError, OSError) as exc:
                self.problem = str(exc)
                log.error("%s", exc)
                return

    def _revive(self) -> None:
        upstream = self.upstream
        code = upstream.exit_code()
        if code is None or code in (-2, 130) or self._stopped.is_set():
            return
        now = time.monotonic()
        self.restarts = [t for t in self.restarts if now - t < RESTART_WINDOW] + [now]
        if len(self.restarts) > MAX_RESTARTS:
            raise EndpointError(
                f"the SPARQL server stopped by itself (exit code {code}) "
                f"{len(self.restarts)} times within {RESTART_WINDOW:g} s: giving up"
            )
        log.warning("the SPARQL server stopped by itself (exit code %s): restarting it", code)
        upstream.revive()

    def _refresh(self) -> None:
        holder = read_holder(self.store_dir)
        if holder.generation == self.seen_generation or holder.pid is not None:
            return  # unchanged, or a writer is at work: serve what was there before it
        copy = self.new_copy()
        fresh = OxigraphServer(copy, read_only=True, timeout=self.limits.timeout)
        fresh.start()
        old, old_copy = self.upstream, self.copy
        self.proxy.upstream, self.copy = fresh, copy
        self.seen_generation = holder.generation
        log.info("serving the store as its last writer left it")

        self.retiring.append(old)

        def retire() -> None:  # once the queries it is answering are past their time limit
            if not self._stopped.wait(self.limits.timeout + GRACE + 1):
                old.stop()
                shutil.rmtree(old_copy, ignore_errors=True)

        threading.Thread(target=retire, daemon=True).start()

    def new_copy(self) -> Path:
        """A fresh copy of the store to serve (:func:`served_copy`)."""
        name = self.store_dir.resolve().name
        target = (
            self.store_dir.resolve().parent / f".{name}.served-{os.getpid()}-{next(self._counter)}"
        )
        shutil.rmtree(target, ignore_errors=True)
        try:
            served_copy(self.store_dir, target)
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
        return target

    def stop(self) -> None:
        """Stop the watch, the Oxigraph process, and remove the copies."""
        self._stopped.set()
        for server in (*self.retiring, self.upstream):
            server.stop()
        name = self.store_dir.resolve().name
        for copy in self.store_dir.resolve().parent.glob(f".{name}.served-{os.getpid()}-*"):
            shutil.rmtree(copy, ignore_errors=True)


def _remove_stale_copies(store_dir: Path) -> None:
    """Copies left by a ``serve`` that was killed (its process is gone)."""
    name = store_dir.resolve().name
    for copy in store_dir.resolve().parent.glob(f".{name}.served-*-*"):
        pid = copy.name.rsplit("-", 2)[-2]
        if pid.isdigit() and not _pid_alive(int(pid)):
            shutil.rmtree(copy, ignore_errors=True)


def _check_store(store_dir: Path) -> None:
    if not (Path(store_dir) / "CURRENT").exists():
        raise StoreError(
            f"no store at {store_dir}: run `incident-kg build REPORTS --store {store_dir}` first"
        )


@contextmanager
def running_server(
    store_dir: Path,
    port: int = DEFAULT_PORT,
    *,
    host: str = DEFAULT_HOST,
    timeout: int = DEFAULT_TIMEOUT,
    max_results: int = DEFAULT_MAX_RESULTS,
    allow_remote: bool = False,
) -> Iterator[RunningServer]:
    """Serve a copy of the store read-only at ``http://host:port/query`` while the block runs
    (``port=0``: any free port), watched and kept up to date; stop everything and remove the
    copies on the way out, Ctrl-C included."""
    check_host(host, allow_remote)
    store_dir = Path(store_dir)
    _check_store(store_dir)
    if timeout < 1 or max_results < 1:
        raise EndpointError("the time limit and the result limit must be at least 1")
    limits = Limits(timeout=timeout, max_results=max_results)
    _remove_stale_copies(store_dir)
    generation = read_holder(store_dir).generation
    name = store_dir.resolve().name
    first = store_dir.resolve().parent / f".{name}.served-{os.getpid()}-0"
    shutil.rmtree(first, ignore_errors=True)
    try:
        served_copy(store_dir, first)
        upstream = OxigraphServer(first, read_only=True, timeout=timeout)
        upstream.start()
    except BaseException:
        shutil.rmtree(first, ignore_errors=True)
        raise
    try:
        proxy = ProxyServer((host.strip("[]"), port), upstream, limits)
    except OSError as exc:
        upstream.stop()
        shutil.rmtree(first, ignore_errors=True)
        raise EndpointError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    running = RunningServer(
        host, int(proxy.server_address[1]), proxy, limits, store_dir, first, generation
    )
    threads = [
        threading.Thread(target=proxy.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True),
        threading.Thread(target=running.watch, daemon=True, name="serve-watch"),
    ]
    for thread in threads:
        thread.start()
    try:
        yield running
    finally:
        running._stopped.set()
        proxy.shutdown()
        proxy.server_close()
        for thread in threads:
            thread.join(5)
        running.stop()
