"""The proxy in front of Oxigraph's server (``incident-kg serve``): every request checked,
every answer within the limits.

For every query (``/query`` and ``/sparql``, GET or POST, in a URL, a form or a body) the
proxy:

* refuses a request line longer than :data:`MAX_URL_CHARS` (414: send long queries with
  POST) and a body larger than :data:`MAX_REQUEST_BYTES` (413), before reading it;
* takes exactly one query text from wherever the Protocol allows it and checks it with
  :func:`~.checks.check_query` — a real SPARQL parser, then the parse tree: too long (413),
  nested too deep or not SPARQL (400), an update or ``SERVICE`` (403) — and sends Oxigraph
  that text and nothing else (``POST application/sparql-query``, with only the dataset
  parameters of the request), so Oxigraph runs exactly what was checked;
* asks Oxigraph for a line-per-result format (TSV for SELECT/ASK, N-Triples for
  CONSTRUCT/DESCRIBE) and counts lines as they arrive: past ``--max-results`` it hangs up
  (Oxigraph stops streaming) and refuses (403);
* gives the whole answer ``--timeout`` seconds plus :data:`GRACE`; an answer Oxigraph
  cancelled in-band, or that has not finished by then, is refused (403), and in the second
  case Oxigraph is restarted (0.1 s), because nothing else stops a query it does not cancel
  itself.  Queries running at that moment are cut off and answered 502 (try again);
* answers in the format the client's ``Accept`` header asks for (SPARQL results JSON, XML,
  CSV, TSV; Turtle, N-Triples, RDF/XML, JSON-LD, N3 for graphs; JSON and Turtle when any is
  fine), converted with pyoxigraph.

A refusal is a ``4xx`` with one line of ``text/plain`` saying why.  Writes (``/update``,
Graph Store PUT/POST/DELETE) are refused (403).  Oxigraph's query page and its assets, and
reading graphs at ``/store``, pass through unlimited.  The request line (which holds the
query text) is never logged, only the method, path and status.
"""

from __future__ import annotations

import http.client
import logging
import socket
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from incident_kg.ontology.namespaces import PREFIXES

from .checks import MAX_QUERY_CHARS, QueryRefused, check_query

if TYPE_CHECKING:
    from .endpoint import OxigraphServer

log = logging.getLogger(__name__)

#: Seconds a query may run (Oxigraph's ``--timeout-s`` takes whole seconds).
DEFAULT_TIMEOUT = 30
#: Rows (SELECT) or triples (CONSTRUCT/DESCRIBE) an answer may have.
DEFAULT_MAX_RESULTS = 10_000
#: Seconds the proxy waits past the time limit for Oxigraph to cancel a query itself.
GRACE = 1.0
#: Longest request line (method, path and query string): a longer GET is answered 414.
MAX_URL_CHARS = 16 * 1024
#: Largest request body the proxy reads (a form-encoded query of :data:`MAX_QUERY_CHARS`
#: characters, each up to nine bytes once percent-encoded).
MAX_REQUEST_BYTES = 9 * MAX_QUERY_CHARS + 4096

#: A body over the limit but under this is read and dropped before the 413 (a client still
#: sending would not see the answer otherwise); a larger one is not read at all.
_DRAIN_BYTES = 16 * 1024 * 1024
_CANCELLED = b"operation has been cancelled"  # Oxigraph's in-band message on timeout
_UPSTREAM_ACCEPT = "text/tab-separated-values, application/n-triples;q=0.9"
_QUERY_PATHS = frozenset({"/query", "/sparql"})
#: The request parameters passed on to Oxigraph with a checked query (the dataset).
_DATASET_PARAMETERS = ("default-graph-uri", "named-graph-uri", "union-default-graph")
#: Other paths of Oxigraph's server passed through as they are: its page, its assets and
#: reading graphs (``/store`` with GET or HEAD).
_PASS_PATHS = frozenset({"/", "/yasgui.min.css", "/yasgui.min.js", "/logo.svg", "/store"})
_READ_METHODS = frozenset({"GET", "HEAD"})


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


_FORM = "application/x-www-form-urlencoded"


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], upstream: OxigraphServer, limits: Limits):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.upstream = upstream
        self.limits = limits
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: ProxyServer
    _generation = 0  # of the Oxigraph process this request reached (see _upstream)
    protocol_version = "HTTP/1.0"  # one request per connection: simple, and enough here
    server_version = "incident-kg"
    timeout = 60  # seconds a client may take to send its request
    # errors http.server answers itself (a request line over 64 KiB: 414): one plain line
    error_content_type = "text/plain; charset=utf-8"
    error_message_format = "%(code)d %(message)s\n"

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_HEAD = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request line holds the query text: see log_request

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # never the query text; no path at all for a request line too long to read
        path = urllib.parse.urlsplit(getattr(self, "path", "")).path[:200]
        log.info("%s %s %s %s", getattr(self, "command", ""), path, code, size)

    # -- dispatch --

    def _handle(self) -> None:
        try:
            if len(self.path) > MAX_URL_CHARS:
                raise _Refusal(
                    414,
                    f"request line longer than {MAX_URL_CHARS} characters: send the "
                    "query with POST",
                )
            split = urllib.parse.urlsplit(self.path)
            body = self._read_body()
            if split.path in _QUERY_PATHS:
                text = self._the_query(split.query, body)
                try:
                    check_query(text)
                except QueryRefused as refused:
                    raise _Refusal(refused.status, refused.message) from None
                self._answer_query(text, self._dataset(split.query, body))
            elif split.path == "/update" or (
                split.path == "/store" and self.command not in _READ_METHODS
            ):
                raise _Refusal(403, "refused: this endpoint is read-only")
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
            left = length if length <= _DRAIN_BYTES else 0  # read, so the client sees the 413
            while left > 0 and (chunk := self.rfile.read(min(left, 1 << 16))):
                left -= len(chunk)
            raise _Refusal(413, f"request larger than {MAX_REQUEST_BYTES} bytes")
        return self.rfile.read(length) if length else None

    def _form(self, url_query: str, body: bytes | None) -> dict[str, list[str]]:
        """The request's parameters: the URL's, and a form body's."""
        try:
            found = urllib.parse.parse_qs(url_query, errors="strict")
            if self.command == "POST" and body is not None and self._media() == _FORM:
                for key, values in urllib.parse.parse_qs(
                    body.decode("utf-8"), errors="strict"
                ).items():
                    found.setdefault(key, []).extend(values)
        except UnicodeDecodeError:
            raise _Refusal(400, "the request is not UTF-8") from None
        return found

    def _media(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def _the_query(self, url_query: str, body: bytes | None) -> str:
        """The one query of the request, wherever the Protocol puts it."""
        form = self._form(url_query, body)
        texts = list(form.get("query", []))
        if self.command == "POST" and body is not None:
            if self._media() == "application/sparql-query":
                try:
                    texts.append(body.decode("utf-8"))
                except UnicodeDecodeError:
                    raise _Refusal(400, "the query is not UTF-8") from None
            elif self._media() == "application/sparql-update" or form.get("update"):
                raise _Refusal(403, "update refused: this endpoint only answers queries")
        if form.get("update"):
            raise _Refusal(403, "update refused: this endpoint only answers queries")
        if not texts:
            raise _Refusal(400, "no query: send it as `query=` or application/sparql-query")
        if len(texts) > 1:
            raise _Refusal(400, "more than one query in the request: send one")
        return texts[0]

    def _dataset(self, url_query: str, body: bytes | None) -> str:
        """The dataset parameters of the request, as a URL query string for Oxigraph."""
        form = self._form(url_query, body)
        pairs = [(k, v) for k in _DATASET_PARAMETERS for v in form.get(k, [])]
        return urllib.parse.urlencode(pairs)

    # -- talking to Oxigraph --

    def _upstream(
        self,
        path: str,
        body: bytes | None,
        accept: str | None,
        timeout: float,
        content_type: str | None = None,
        method: str | None = None,
    ) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        upstream = self.server.upstream
        headers = {}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        host, port = upstream.host, upstream.port
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            conn.connect()
            # Which process this connection reached: a restart kills the old one before
            # it starts the next, so the generation read once connected is this one's.
            self._generation = upstream.generation
            conn.request(method or self.command, path, body=body, headers=headers)
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
            conn, response = self._upstream(
                self.path, body, self.headers.get("Accept"), idle, self.headers.get("Content-Type")
            )
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

    def _answer_query(self, text: str, dataset: str) -> None:
        limits = self.server.limits
        upstream = self.server.upstream
        deadline = time.monotonic() + limits.timeout + GRACE
        path = "/query" + (f"?{dataset}" if dataset else "")
        try:
            conn, response = self._upstream(
                path,
                text.encode("utf-8"),
                _UPSTREAM_ACCEPT,
                limits.timeout + GRACE,
                content_type="application/sparql-query",
                method="POST",
            )
        except TimeoutError as exc:
            upstream.restart(self._generation)
            raise self._time_limit() from exc
        try:
            if response.status != 200:  # Oxigraph's own error: relay it as it is
                data = response.read(65536)
                ctype = response.getheader("Content-Type", "text/plain; charset=utf-8")
                self._send(response.status, ctype, data)
                return
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
                        403,
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
            403,
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
