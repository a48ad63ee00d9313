"""The projection kept between commands: what :func:`~.summaries.network_of_store` made of a
store, written beside it after the first command that made it and read by the next ones.

Every ``analyze`` subcommand and every one-page ``view`` reads the whole projection (the
incidents' codes, organisations and links) before it answers.  Making it from the per-report
summaries takes most of a command's time at 10,000 reports (a JSON parse per report, then
some 100,000 NetworkX edges, the link pass's folds and the organisations' merges, ~2 s);
reading it back as it was made takes a tenth of that.

* **Where**: ``.<store name>.projection/`` beside the store (as its lock file,
  graph/lock.py), one file per set of relations drawn (a command draws only the relations it
  reads), written whole under a temporary name then renamed, readable by its owner only
  (it holds what the store holds: labels, organisation names).  A store nobody may write
  beside (a read-only mount) keeps nothing: each command then makes the projection itself.
* **When it is the same**: the file's name holds a digest of everything the projection is
  made from — every summary (by the digest the store keeps beside it, graph/summary.py: the
  summaries themselves are read only to make the projection), the concept rows, the links
  graph (by the token its link pass wrote with it, graph/link_state.py; its rows when a store
  has none), the relations drawn, :data:`FORM` and the source of the modules that make
  it — so any change to the store (a build, an import, a removal, the link pass) or to that
  code makes another digest and the projection is made again; older files of the same
  relations are removed then.
* **Trust**: the file is signed with the store's own secret (its pseudonym key, which never
  leaves the store: graph/store.py); a file whose signature does not match — written by
  someone without the store's secret, or damaged — is not read.  A store without the secret
  keeps nothing.

What is kept is the projection *without* its details (evidence, timelines), which are read
from the store for what a command shows, as before (analysis/summaries.py).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

import networkx as nx

from incident_kg.collector import paused_collector

log = logging.getLogger(__name__)

#: The version of what is kept: change it when the projection or the fields kept change.
FORM = "projection-1"
_SIGNATURE = hashlib.sha256().digest_size


def kept_folder(store_dir: Path) -> Path:
    """``.<store name>.projection/`` beside the store."""
    resolved = Path(store_dir).resolve()
    return resolved.parent / f".{resolved.name}.projection"


def digest(
    summaries: Iterable[tuple[str, str]],  # (report graph, digest of its summary)
    concept_rows: Iterable[Mapping[str, str | None]],
    link_rows: Iterable[Mapping[str, str | None]],
    relations: Collection[str],
) -> str:
    """The digest of everything a projection is made from (see the module doc)."""
    h = hashlib.blake2b(digest_size=20)
    h.update(f"{FORM}\0{nx.__version__}\0{','.join(sorted(relations))}\0".encode())
    h.update(_code())
    for graph, text in summaries:
        h.update(graph.encode())
        h.update(b"\0")
        h.update(text.encode())
        h.update(b"\1")
    for rows in (concept_rows, link_rows):
        h.update(b"\2")
        for row in rows:
            h.update(repr(sorted(row.items())).encode())
    return h.hexdigest()


def _code() -> bytes:
    """The digest of the code that makes the projection (its modules' source): a projection
    kept by another version of it is made again."""
    from incident_kg import __version__

    from . import linked, network, summaries

    h = hashlib.blake2b(digest_size=20)
    for module in (network, summaries, linked, sys.modules[__name__]):
        try:
            h.update(Path(str(module.__file__)).read_bytes())
        except OSError:  # no source beside the bytecode: the version says it
            h.update(f"{module.__name__} {__version__}".encode())
    return h.digest()


def _name(relations: Collection[str]) -> str:
    return hashlib.blake2b(",".join(sorted(relations)).encode(), digest_size=6).hexdigest()


def _path(store_dir: Path, relations: Collection[str], key: str) -> Path:
    return kept_folder(store_dir) / f"{_name(relations)}-{key}.pickle"


def read_kept(
    store_dir: Path, relations: Collection[str], key: str, secret: str | None
) -> tuple[nx.MultiDiGraph, dict[str, Any]] | None:
    """The projection kept for ``key`` and what was read with it, or None when there is none
    (or it is not signed with ``secret``, the store's own)."""
    if not secret:
        return None
    path = _path(store_dir, relations, key)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    signature, body = data[:_SIGNATURE], memoryview(data)[_SIGNATURE:]  # not copied
    expected = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    if not hmac.compare_digest(signature, expected):
        log.warning("%s is not signed with this store's secret: not read", path)
        return None
    with paused_collector():  # the collector's passes over a million objects cost 3×
        g, fields = pickle.loads(body)  # signed with the store's secret: written by this code
    return g, fields


class _Signing:
    """A file written through, every byte also fed to ``mac``."""

    def __init__(self, out: Any, mac: hmac.HMAC) -> None:
        self.out, self.mac = out, mac

    def write(self, data: bytes) -> int:
        self.mac.update(data)
        return int(self.out.write(data))


def keep(
    store_dir: Path,
    relations: Collection[str],
    key: str,
    secret: str | None,
    g: nx.MultiDiGraph,
    fields: Mapping[str, Any],
) -> None:
    """Keep ``g`` (without details) and ``fields`` for ``key``, signed with ``secret``;
    remove what was kept for the same relations before.  Nothing is kept when the folder
    cannot be written (said in the debug log)."""
    if not secret:
        return
    folder = kept_folder(store_dir)
    path = _path(store_dir, relations, key)
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".writing-")  # mode 0o600
        try:
            with os.fdopen(fd, "wb") as out:
                # pickled straight into the file, signed as it is written, the signature put
                # in front last: no copy of the whole in memory (~0.3 GB at 100,000 reports)
                out.write(bytes(_SIGNATURE))
                signing = _Signing(out, hmac.new(secret.encode(), digestmod=hashlib.sha256))
                pickle.dump((g, dict(fields)), signing, protocol=pickle.HIGHEST_PROTOCOL)
                out.seek(0)
                out.write(signing.mac.digest())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        for older in folder.glob(f"{_name(relations)}-*.pickle"):
            if older != path:
                older.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("projection not kept beside the store: %s", exc)
