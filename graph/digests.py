"""Digests that decide what a build must redo: of the compiled rules, of the whole pipeline
(software, lexicon, exemplars, ontology, tables, base IRI) and of one report's input (the file
and its sidecars).  A changed digest re-extracts or re-reasons; an unchanged one skips."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from incident_kg import __version__
from incident_kg.extraction.curation import MAX_SIDECAR_BYTES, sidecar_for
from incident_kg.extraction.extract import Extractor
from incident_kg.extraction.read import DEFAULT_MAX_BYTES
from incident_kg.files import read_bounded
from incident_kg.ontology.tables import table_bytes

from .publication import source_sidecar_for
from .reason import Rules


def rules_digest(rules: Rules) -> str:
    """A short digest of the compiled schema: a changed ontology re-reasons every report."""
    text = "".join(sorted(f"{t}\n" for t in map(str, rules.schema)))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def pipeline_digest(extractor: Extractor, rules: Rules, base: str) -> str:
    """Digest of everything besides the file that decides a report's graph: the software
    (version and the code of the pipeline's modules), the lexicon, the ontology's rules
    and the base IRI.  Part of every source digest, so any change re-extracts."""
    h = hashlib.sha256()
    h.update(__version__.encode())
    here = Path(__file__).resolve().parent
    for folder in (here.parent / "extraction", here):  # the code from text to a report's graph
        for module in sorted(folder.glob("*.py")):
            h.update(f"{folder.name}/{module.name}".encode())
            h.update(module.read_bytes())
    h.update(json.dumps(extractor.lexicon.data, sort_keys=True, default=str).encode())
    h.update(extractor.exemplars_digest.encode())  # the similarity stage's exemplar sentences
    h.update(rules_digest(rules).encode())
    h.update(table_bytes())  # the reviewed tables (measures, linking, assessment)
    h.update(base.encode())
    return h.hexdigest()


def source_digest(path: Path, pipeline: str) -> str:
    """Digest of one report's input: the file, its curation and source sidecars (if any), the
    pipeline. Raises :class:`~incident_kg.errors.FileReadError` for a file that cannot be read
    within its bound (a report's, a sidecar's)."""
    h = hashlib.sha256(pipeline.encode())
    h.update(read_bounded(path, DEFAULT_MAX_BYTES))
    sidecar = sidecar_for(path)
    if sidecar.is_file():
        h.update(b"\0sidecar\0")
        h.update(read_bounded(sidecar, MAX_SIDECAR_BYTES))
    source = source_sidecar_for(path)
    if source.is_file():
        h.update(b"\0source\0")
        h.update(read_bounded(source, MAX_SIDECAR_BYTES))
    return h.hexdigest()


def source_stat(path: Path, pipeline: str) -> str | None:
    """What decides, without reading it, that a file is as it was when last hashed: the
    pipeline digest, the file's size and modification time (ns), and its sidecar's (as make
    and git do: a change that keeps both size and time is not seen; touch the file).  None
    when the file cannot be examined."""
    try:
        st = path.stat()
        parts = [pipeline, str(st.st_size), str(st.st_mtime_ns)]
        for sidecar in (sidecar_for(path), source_sidecar_for(path)):
            if sidecar.is_file():
                side = sidecar.stat()
                parts += [sidecar.suffixes[-2], str(side.st_size), str(side.st_mtime_ns)]
    except OSError:
        return None
    return ":".join(parts)
