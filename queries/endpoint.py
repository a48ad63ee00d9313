"""SPARQL over HTTP: the store served read-only to any SPARQL client.

``incident-kg serve``
    Runs the SPARQL server that ships with the ``oxigraph`` pip wheel,
    ``oxigraph serve-read-only --location STORE --union-default-graph --timeout-s N``,
    on a private loopback port, with a small stdlib reverse proxy in front of it on
    ``--host``/``--port`` (127.0.0.1:7878 by default).  Oxigraph does the SPARQL 1.1
    Protocol (GET and POST, its offline query page at ``/``); the default graph is
    the union of the store's graphs, exactly what :meth:`GraphStore.query` queries,
    so queries written for the store work unchanged.  Writes (``/update``, Graph
    Store PUT/POST/DELETE) are refused by Oxigraph's read-only mode (403).

    Why a proxy: Oxigraph 0.5 has no result-size limit, and its time limit
    (``--timeout-s``, whole seconds) is not enough on its own.  Measured with
    0.5.13: a query is cancelled only where the evaluator checks for it, so a
    cross join under ``ORDER BY`` kept a core busy for a minute past a 2 s limit,
    and a cancelled query still answers ``200 OK`` with a cut-off body ending in
    "The SPARQL operation has been cancelled".  The proxy, for every query
    (``/query`` and ``/sparql``):

    * asks Oxigraph for a line-per-result format (TSV for SELECT/ASK, N-Triples
      for CONSTRUCT/DESCRIBE) and counts lines as they arrive: past
      ``--max-results`` it hangs up (Oxigraph stops streaming) and refuses;
    * gives the whole answer ``--timeout`` seconds plus :data:`GRACE`; an answer
      Oxigraph cancelled in-band, or that has not finished by then, is refused,
      and in the second case Oxigraph is restarted (0.1 s), because nothing else
      stops a query it does not cancel itself.  Queries running at that moment
      are cut off and answered 502 (try again);
    * refuses ``SERVICE`` (federated query): it would make the server send
      requests to any address a client names;
    * answers in the format the client's ``Accept`` header asks for (SPARQL
      results JSON, XML, CSV, TSV; Turtle, N-Triples, RDF/XML, JSON-LD, N3 for
      graphs; JSON and Turtle when any is fine), converted with pyoxigraph.

    A refused query is answered ``500`` with one line of ``text/plain`` saying
    why, as the SPARQL 1.1 Protocol allows for a query a service refuses.  The
    limits apply to queries; reading a whole graph at ``/store`` is not limited.
    A host that is not loopback is refused unless ``allow_remote`` is set: there
    is no authentication, anyone who reaches the port reads the whole store.
    Do not ``build`` into a store while it is served (Oxigraph's read-only mode
    does not support a concurrent writer).

``incident-kg push`` lives in :mod:`incident_kg.export.push`.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import re
import shutil
import socket
import subprocess
import sysconfig
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import pyoxigraph as ox

from incident_kg.errors import IncidentKGError, StoreError
from incident_kg.ontology.namespaces import PREFIXES

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
#: Seconds a query may run (Oxigraph's ``--timeout-s`` takes whole seconds).
DEFAULT_TIMEOUT = 30
#: Rows (SELECT) or triples (CONSTRUCT/DESCRIBE) an answer may have.
DEFAULT_MAX_RESULTS = 10_000
#: Seconds the proxy waits past the time limit for Oxigraph to cancel a query itself.
GRACE = 1.0
#: Largest request body the proxy accepts (a query, not data: the endpoint is read-only).
MAX_REQUEST_BYTES = 10 * 1024 * 1024

_CANCELLED = b"operation has been cancelled"  # Oxigraph's in-band message on timeout
_UPSTREAM_ACCEPT = "text/tab-separated-values, application/n-triples;q=0.9"
_QUERY_PATHS = frozenset({"/query", "/sparql"})
#: Other paths of Oxigraph's server passed through as they are (its page, its assets, and
#: the write endpoints, which its read-only mode refuses).
_PASS_PATHS = frozenset(
    {"/", "/yasgui.min.css", "/yasgui.min.js", "/logo.svg", "/update", "/store"}
)


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
            self._process = subprocess.Popen(
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


_IGNORED = re.compile(
    r"""\#[^\n\r]*"""  # comment
    r'''|"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""'''  # long strings
    r"""|'''(?:[^'\\]|\\[\s\S]|'(?!''))*'''"""
    r'''|"(?:[^"\\\n\r]|\\.)*"'''  # strings
    r"""|'(?:[^'\\\n\r]|\\.)*'"""
    r"""|<[^<>"{}|^`\\\x00-\x20]*>"""  # IRIs
)
_SERVICE = re.compile(r"(?<![\w?$:])SERVICE(?![\w:-])", re.IGNORECASE)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _unescape_codepoints(text: str) -> str:
    def char(match: re.Match[str]) -> str:
        value = int(match.group(1) or match.group(2), 16)
        return chr(value) if value <= 0x10FFFF else match.group(0)

    return _CODEPOINT.sub(char, text)


def uses_service(query: str) -> bool:
    """Whether a SPARQL query has the keyword ``SERVICE`` outside strings, IRIs and
    comments (read with and without codepoint escapes, which SPARQL expands first)."""
    return any(
        _SERVICE.search(_IGNORED.sub(" ", text)) for text in (query, _unescape_codepoints(query))
    )


_MediaFormat = ox.QueryResultsFormat | ox.RdfFormat


def negotiate(
    accept: str | None,
    lookup: Callable[[str], _MediaFormat | None],
    offers: Sequence[_MediaFormat],
) -> _MediaFormat | None:
    """The format an ``Accept`` header prefers among ``offers`` (the first is the default,
    also for ``*/*``); ``None`` when it accepts none of them."""
    if not accept or not accept.strip():
        return offers[0]
    ranges: list[tuple[float, int, str]] = []
    for index, item in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in item.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media and quality > 0:
            ranges.append((-quality, index, media.lower()))
    for _quality, _index, media in sorted(ranges):
        if media == "*/*":
            return offers[0]
        if media.endswith("/*"):
            major = media[:-1]
            for offer in offers:
                if offer.media_type.startswith(major):
                    return offer
            continue
        found = lookup(media)
        if found is not None and found in offers:
            return found
    return None


RESULT_FORMATS: tuple[ox.QueryResultsFormat, ...] = (
    ox.QueryResultsFormat.JSON,
    ox.QueryResultsFormat.XML,
    ox.QueryResultsFormat.CSV,
    ox.QueryResultsFormat.TSV,
)
GRAPH_FORMATS: tuple[ox.RdfFormat, ...] = (
    ox.RdfFormat.TURTLE,
    ox.RdfFormat.N_TRIPLES,
    ox.RdfFormat.RDF_XML,
    ox.RdfFormat.JSON_LD,
    ox.RdfFormat.N3,
    ox.RdfFormat.N_QUADS,
    ox.RdfFormat.TRIG,
)
_WITH_PREFIXES = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N3, ox.RdfFormat.RDF_XML)


def _content_type(fmt: _MediaFormat) -> str:
    media = str(fmt.media_type)
    if media.startswith("text/") and "charset" not in media:
        return f"{media}; charset=utf-8"
    return media


# -- the proxy -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """What the proxy enforces on every query."""

    timeout: int = DEFAULT_TIMEOUT
    max_results: int = DEFAULT_MAX_RESULTS


class _Refusal(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], upstream: OxigraphServer, limits: Limits):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.upstream = upstream
        self.limits = limits
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _ProxyServer
    _generation = 0  # of the Oxigraph process this request reached (see _upstream)
    protocol_version = "HTTP/1.0"  # one request per connection: simple, and enough here
    server_version = "incident-kg"
    timeout = 60  # seconds a client may take to send its request

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_HEAD = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request line holds the query text: see log_request

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = urllib.parse.urlsplit(self.path).path  # never the query text
        log.info("%s %s %s %s", self.command, path, code, size)

    # -- dispatch --

    def _handle(self) -> None:
        try:
            split = urllib.parse.urlsplit(self.path)
            body = self._read_body()
            if split.path in _QUERY_PATHS:
                # Everything sent here goes through the limits; an update finds no query
                # and is refused by Oxigraph's read-only mode.
                queries = self._query_texts(split.query, body)
                if any(uses_service(q) for q in queries):
                    raise _Refusal(500, "query refused: SERVICE (federated query) is disabled here")
                self._answer_query(body, found_query=bool(queries))
            elif split.path in _PASS_PATHS:
                self._pass_through(body)
            else:
                raise _Refusal(404, f"no such resource: {split.path}")
        except _Refusal as refusal:
            self._send(refusal.status, "text/plain; charset=utf-8", refusal.message.encode())
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away

    def _read_body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding"):
            raise _Refusal(411, "send the request with a Content-Length")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise _Refusal(400, "bad Content-Length") from None
        if length > MAX_REQUEST_BYTES:
            raise _Refusal(413, f"request larger than {MAX_REQUEST_BYTES} bytes")
        return self.rfile.read(length) if length else None

    def _query_texts(self, url_query: str, body: bytes | None) -> list[str]:
        """Every ``query`` the request carries, wherever Oxigraph might read one."""
        texts = urllib.parse.parse_qs(url_query).get("query", [])
        if self.command == "POST" and body is not None:
            media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if media == "application/sparql-query":
                texts.append(body.decode("utf-8", "replace"))
            elif media == "application/x-www-form-urlencoded":
                form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
                texts += form.get("query", [])
        return texts

    # -- talking to Oxigraph --

    def _upstream(
        self, body: bytes | None, accept: str | None, timeout: float
    ) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        upstream = self.server.upstream
        headers = {}
        if self.headers.get("Content-Type"):
            headers["Content-Type"] = self.headers["Content-Type"]
        if accept:
            headers["Accept"] = accept
        conn = http.client.HTTPConnection(upstream.host, upstream.port, timeout=timeout)
        try:
            conn.connect()
            # Which process this connection reached: a restart kills the old one before
            # it starts the next, so the generation read once connected is this one's.
            self._generation = upstream.generation
            conn.request(self.command, self.path, body=body, headers=headers)
            return conn, conn.getresponse()
        except TimeoutError:
            conn.close()
            raise
        except OSError as exc:
            conn.close()
            raise _Refusal(
                502, "the SPARQL server is restarting (a query ran past its time limit): retry"
            ) from exc

    def _pass_through(self, body: bytes | None) -> None:
        idle = self.server.limits.timeout + GRACE
        try:
            conn, response = self._upstream(body, self.headers.get("Accept"), idle)
        except TimeoutError as exc:
            raise _Refusal(504, "the SPARQL server did not answer in time") from exc
        try:
            self.send_response(response.status)
            for name in ("Content-Type", "Content-Length", "Allow", "Location"):
                if response.getheader(name):
                    self.send_header(name, response.getheader(name, ""))
            self.end_headers()
            if self.command == "HEAD":
                return
            try:
                while chunk := response.read1(65536):
                    self.wfile.write(chunk)
            except (TimeoutError, http.client.HTTPException):
                pass  # the answer broke off: the client sees a short body
        finally:
            conn.close()

    def _answer_query(self, body: bytes | None, found_query: bool) -> None:
        limits = self.server.limits
        upstream = self.server.upstream
        deadline = time.monotonic() + limits.timeout + GRACE
        try:
            conn, response = self._upstream(body, _UPSTREAM_ACCEPT, limits.timeout + GRACE)
        except TimeoutError as exc:
            upstream.restart(self._generation)
            raise self._time_limit() from exc
        try:
            if response.status != 200:  # Oxigraph's own error: relay it as it is
                data = response.read()
                ctype = response.getheader("Content-Type", "text/plain; charset=utf-8")
                self._send(response.status, ctype, data)
                return
            if not found_query:  # Oxigraph found a query where the proxy did not look
                raise _Refusal(400, "send the query as `query=` or application/sparql-query")
            kind = (response.getheader("Content-Type") or "").split(";")[0].strip()
            lines = self._read_lines(conn, response, deadline, self._generation)
        finally:
            conn.close()
        self._convert(kind, lines)

    def _read_lines(
        self,
        conn: http.client.HTTPConnection,
        response: http.client.HTTPResponse,
        deadline: float,
        generation: int,
    ) -> list[bytes]:
        """The answer's lines, stopping past the result limit or the deadline."""
        limits = self.server.limits
        header = 1 if "tab-separated" in (response.getheader("Content-Type") or "") else 0
        lines: list[bytes] = []
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                if conn.sock is not None:
                    conn.sock.settimeout(remaining)
                line = response.readline()
                if not line:
                    return lines
                if _CANCELLED in line:
                    raise self._time_limit()
                lines.append(line)
                if len(lines) - header > limits.max_results:
                    raise _Refusal(
                        500,
                        f"query refused: the answer has more than {limits.max_results} "
                        "results, this endpoint's limit: add a LIMIT (or narrow the query)",
                    )
        except TimeoutError as exc:
            conn.close()
            self.server.upstream.restart(generation)
            raise self._time_limit() from exc
        except http.client.HTTPException as exc:
            if any(_CANCELLED in line for line in lines):
                raise self._time_limit() from exc
            raise _Refusal(502, "the SPARQL server's answer broke off") from exc

    def _time_limit(self) -> _Refusal:
        return _Refusal(
            500,
            f"query refused: it ran past this endpoint's time limit of "
            f"{self.server.limits.timeout} s",
        )

    def _convert(self, kind: str, lines: list[bytes]) -> None:
        data = b"".join(lines)
        accept = self.headers.get("Accept")
        try:
            if kind == "application/n-triples":
                fmt = negotiate(accept, ox.RdfFormat.from_media_type, GRAPH_FORMATS)
                if not isinstance(fmt, ox.RdfFormat):
                    raise self._not_acceptable(GRAPH_FORMATS)
                quads = list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
                items: list[Any] = quads if fmt.supports_datasets else [q.triple for q in quads]
                prefixes = PREFIXES if fmt in _WITH_PREFIXES else None
                out = ox.serialize(items, format=fmt, prefixes=prefixes)
            else:
                fmt = negotiate(accept, ox.QueryResultsFormat.from_media_type, RESULT_FORMATS)
                if not isinstance(fmt, ox.QueryResultsFormat):
                    raise self._not_acceptable(RESULT_FORMATS)
                results = ox.parse_query_results(data, format=ox.QueryResultsFormat.TSV)
                out = results.serialize(format=fmt)
        except SyntaxError as exc:
            last = lines[-1].decode("utf-8", "replace").strip() if lines else ""
            raise _Refusal(502, f"the SPARQL server's answer broke off: {last}") from exc
        self._send(200, _content_type(fmt), out or b"", vary=True)

    def _not_acceptable(self, offers: Sequence[_MediaFormat]) -> _Refusal:
        types = ", ".join(str(f.media_type) for f in offers)
        return _Refusal(406, f"no acceptable format: this answer can be one of {types}")

    def _send(self, status: int, content_type: str, data: bytes, vary: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if vary:
            self.send_header("Vary", "Accept")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


@dataclass
class RunningServer:
    """A served store: where to send queries, and the Oxigraph process behind the proxy."""

    host: str
    port: int
    upstream: OxigraphServer
    limits: Limits

    @property
    def url(self) -> str:
        """Base URL: the query page is here, the endpoint at ``/query``."""
        return _url(self.host, self.port)

    @property
    def query_url(self) -> str:
        return f"{self.url}/query"

    def wait(self, poll: float = 0.5) -> None:
        """Block until the Oxigraph process ends by itself (then raise) — or for ever."""
        while True:
            time.sleep(poll)
            if self.upstream.problem is not None:
                raise EndpointError(self.upstream.problem)
            code = self.upstream.exit_code()
            if code is not None:
                if code in (-2, 130):  # Ctrl-C reached it too
                    raise KeyboardInterrupt
                raise EndpointError(f"the SPARQL server stopped by itself (exit code {code})")


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
    """Serve the store read-only at ``http://host:port/query`` while the block runs
    (``port=0``: any free port); stop everything on the way out, Ctrl-C included."""
    check_host(host, allow_remote)
    _check_store(store_dir)
    if timeout < 1 or max_results < 1:
        raise EndpointError("the time limit and the result limit must be at least 1")
    limits = Limits(timeout=timeout, max_results=max_results)
    with OxigraphServer(Path(store_dir), read_only=True, timeout=timeout) as upstream:
        try:
            proxy = _ProxyServer((host.strip("[]"), port), upstream, limits)
        except OSError as exc:
            raise EndpointError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
        thread = threading.Thread(
            target=proxy.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        thread.start()
        try:
            yield RunningServer(host, int(proxy.server_address[1]), upstream, limits)
        finally:
            proxy.shutdown()
            proxy.server_close()
            thread.join(5)
