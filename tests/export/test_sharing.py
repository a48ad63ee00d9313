"""Exports other agencies can trust: deterministic, marked, filtered, redacted, described,
and read back by an import to the same bytes."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from incident_kg.export.describe import VOID, Publication, description_graph
from incident_kg.export.filters import Selection
from incident_kg.export.importer import import_file
from incident_kg.export.marking import MarkingError, Tlp
from incident_kg.export.serialize import FORMATS, ExportOptions, export_dataset
from incident_kg.extraction.extract import Extractor
from incident_kg.graph.build import build
from incident_kg.graph.evidence import SOURCE_TEXT, SPAN_PREFIX, SPAN_SUFFIX
from incident_kg.graph.store import GraphStore
from incident_kg.ontology.namespaces import DEFAULT_BASE, IKG, ONTOLOGY_GRAPH
from incident_kg.privacy.redact import load_rules

from ..conftest import DATA

PLANTED = DATA / "sharing"
TURTLE_SUFFIX = {name: suffix for name, (_, suffix, _) in FORMATS.items()}


def export(store_dir: Path, fmt: str = "turtle", **options: object) -> bytes:
    with GraphStore.open(store_dir, read_only=True) as store:
        return export_dataset(store, fmt, ExportOptions(**options)).data  # type: ignore[arg-type]


def reimport(tmp_path: Path, data: bytes, fmt: str, name: str = "received") -> Path:
    """Write an export to a file and import it into a new, empty store."""
    file = tmp_path / f"{name}{TURTLE_SUFFIX[fmt]}"
    file.write_bytes(data)
    store = tmp_path / f"{name}-store"
    import_file(file, store, agency="city-a", clock=lambda: "2024-01-01T00:00:00Z")
    return store


def quads(data: bytes, fmt: str) -> set[str]:
    parsed = ox.parse(input=data, format=ox.RdfFormat.from_extension(TURTLE_SUFFIX[fmt][1:]))
    return {str(q) for q in parsed}


@pytest.fixture(scope="module")
def planted_store(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Path:
    """A store of the reports with planted personal data (tests/data/sharing)."""
    path = tmp_path_factory.mktemp("planted") / "store"
    with GraphStore.open(path, create=True) as store:
        build([PLANTED], store, base=DEFAULT_BASE, extractor=extractor)
    return path


# -- deterministic, round trip -----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["trig", "jsonld"])
def test_two_processes_write_the_same_bytes(planted_store: Path, fmt: str) -> None:
    """rdflib's own TriG and JSON-LD writers order graphs and nodes by hash: not here."""
    outputs = set()
    for seed in ("1", "2"):
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "incident_kg.cli",
                "-q",
                "export",
                "--rdf-format",
                fmt,
                "--store",
                str(planted_store),
            ],
            capture_output=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            timeout=300,
        )
        outputs.add(hashlib.sha256(proc.stdout).hexdigest())
    assert len(outputs) == 1


@pytest.fixture(scope="module")
def seed_round_trip(
    built_seed_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[bytes, Path]:
    """The seeds exported as Turtle, and the empty store that export was imported into."""
    data = export(built_seed_store, "turtle")
    return data, reimport(tmp_path_factory.mktemp("seed-round-trip"), data, "turtle")


def test_exported_turtle_of_the_seeds_imported_into_an_empty_store_exports_to_the_same_bytes(
    seed_round_trip: tuple[bytes, Path],
) -> None:
    first, received = seed_round_trip
    assert export(received, "turtle") == first


def test_the_round_trip_keeps_every_seed_triple(
    built_seed_store: Path, seed_round_trip: tuple[bytes, Path]
) -> None:
    """Lossless: the data graphs of the store that received the export hold exactly the
    triples of the sending store's report graphs and its shared graph (what reports say of
    organisations they share is stored once, and exported in every report graph)."""
    with GraphStore.open(built_seed_store, read_only=True) as store:
        sent = {str(q.triple) for q in store.quads(store.asserted_graphs())}
        sent_in_full = set(store.graph_triples(store.asserted_graphs()))
    with GraphStore.open(seed_round_trip[1], read_only=True) as store:
        received = {str(q.triple) for q in store.quads(store.asserted_graphs())}
        received_in_full = set(store.graph_triples(store.asserted_graphs()))
    assert received_in_full == sent_in_full
    # the evidence kept as compact as the sender kept it, but for the spans' context: the
    # sender cut it from each report's text (graph/evidence.py), which is never exported, so
    # the receiver keeps it span by span
    assert {t for t in sent - received if SOURCE_TEXT not in t} == set()
    assert {t for t in received - sent if SPAN_PREFIX not in t and SPAN_SUFFIX not in t} == set()
    assert any(SOURCE_TEXT in t for t in sent)


@pytest.mark.parametrize("fmt", ["trig", "nquads", "ntriples", "jsonld"])
def test_every_format_round_trips_to_the_same_bytes(
    planted_store: Path, tmp_path: Path, fmt: str
) -> None:
    first = export(planted_store, fmt)
    assert export(reimport(tmp_path, first, fmt), fmt) == first


def test_a_redacted_marked_export_with_inferences_round_trips_too(
    planted_store: Path, tmp_path: Path
) -> None:
    options = {"redact": True, "marking": Tlp.AMBER, "include_inferred": True}
    first = export(planted_store, "turtle", **options)
    assert export(reimport(tmp_path, first, "turtle"), "turtle", **options) == first


# -- what an export holds ----------------------------------------------------------------


def test_every_graph_of_a_trig_export_carries_the_marking(built_seed_store: Path) -> None:
    data = export(built_seed_store, "trig", marking=Tlp.GREEN)
    found = ox.Dataset(ox.parse(input=data, format=ox.RdfFormat.TRIG))
    named = {q.graph_name for q in found if not isinstance(q.graph_name, ox.DefaultGraph)}
    marked = {
        q.subject
        for q in found
        if q.predicate == ox.NamedNode(str(IKG.sharingMarking))
        and q.object == ox.NamedNode(Tlp.GREEN.iri)
    }
    assert named and named <= marked
    datasets = [
        q.subject
        for q in found
        if q.predicate == ox.NamedNode(str(RDF.type))
        and q.object == ox.NamedNode(str(DCAT.Dataset))
    ]
    assert len(datasets) == 1 and datasets[0] in marked


def test_the_ontology_and_the_inferences_are_in_only_when_asked(built_seed_store: Path) -> None:
    within = f"<{IKG.withinOrganization}>"
    plain = quads(export(built_seed_store, "nquads", include_ontology=False), "nquads")
    assert not any(ONTOLOGY_GRAPH in q for q in plain)
    assert not any(within in q for q in plain)
    full = quads(export(built_seed_store, "nquads", include_inferred=True), "nquads")
    assert any(ONTOLOGY_GRAPH in q for q in full) and any(within in q for q in full)


def test_an_organisation_filter_exports_only_incidents_within_it(built_seed_store: Path) -> None:
    data = export(
        built_seed_store,
        "turtle",
        selection=Selection(organizations=("堺市",)),
        include_ontology=False,
    )
    graph = Graph().parse(data=data, format="turtle")
    incidents = set(graph.subjects(RDF.type, IKG.Incident))
    assert incidents
    with GraphStore.open(built_seed_store, read_only=True) as store:
        within = {
            str(r["i"].value)
            for r in store.query(
                "PREFIX ikg: <https://w3id.org/incident-kg/ontology#> "
                "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
                'SELECT ?i WHERE { ?i ikg:withinOrganization/skos:prefLabel "堺市"@ja }'
            )
        }
    assert {str(i) for i in incidents} == within


def test_a_looser_marking_than_the_data_was_received_under_is_refused(
    planted_store: Path, tmp_path: Path
) -> None:
    file = tmp_path / "red.ttl"
    file.write_bytes(export(planted_store, "turtle", marking=Tlp.RED))
    store = tmp_path / "store"
    import_file(file, store, agency="city-a")
    with pytest.raises(MarkingError, match="TLP:RED"):
        export(store, "turtle", marking=Tlp.AMBER)
    graph = Graph().parse(data=export(store, "turtle"), format="turtle")
    assert set(graph.objects(None, IKG.sharingMarking)) == {URIRef(Tlp.RED.iri)}


# -- redaction of the planted corpus -----------------------------------------------------


def planted() -> list[dict[str, object]]:
    return yaml.safe_load((PLANTED / "planted.yaml").read_text(encoding="utf-8"))["planted"]


_TEXT = (
    "http://www.w3.org/2001/XMLSchema#string",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
)


def _statements(data: bytes) -> dict[tuple[str, str, str], list[tuple[str, str | None]]]:
    """Objects of every (graph, subject, predicate) of the named graphs (not the header,
    whose dataset IRI is a digest of the content): texts as (value, language), the rest
    as N-Triples terms."""
    out: dict[tuple[str, str, str], list[tuple[str, str | None]]] = defaultdict(list)
    for q in ox.parse(input=data, format=ox.RdfFormat.N_QUADS):
        if isinstance(q.graph_name, ox.DefaultGraph):
            continue
        o = q.object
        text = isinstance(o, ox.Literal) and o.datatype.value in _TEXT
        item = (o.value, o.language) if text else (str(o), "term")  # type: ignore[union-attr]
        out[(str(q.graph_name), str(q.subject), str(q.predicate))].append(item)
    return {k: sorted(v, key=str) for k, v in out.items()}


def _renamed(
    statements: dict[tuple[str, str, str], list[tuple[str, str | None]]], store_dir: Path
) -> dict[tuple[str, str, str], list[tuple[str, str | None]]]:
    """Unredacted statements as a redacted export names them: every IRI through the store's
    pseudonyms (privacy/pseudonyms.py), a report's identifier as its pseudonym and its file
    name as the placeholder."""
    from incident_kg.export.serialize import store_pseudonymiser

    with GraphStore.open(store_dir, read_only=True) as store:
        names = store_pseudonymiser(store, load_rules())
    holder = load_rules().placeholders["file-name"]

    def term(value: str, lang: str | None) -> tuple[str, str | None]:
        if lang == "term" and value.startswith("<"):
            return f"<{names.iri(value[1:-1])}>", lang
        return value, lang

    out: dict[tuple[str, str, str], list[tuple[str, str | None]]] = {}
    for (graph, subject, predicate), objects in statements.items():
        key = (f"<{names.iri(graph[1:-1])}>", f"<{names.iri(subject[1:-1])}>", predicate)
        if predicate == f"<{IKG.sourceFile}>":
            objects = [(holder, lang) for _, lang in objects]
        elif predicate == f"<{DCTERMS.identifier}>":
            objects = [(names.identifier(v) if v in names.report_ids else v, g) for v, g in objects]
        out[key] = sorted((term(v, lang) for v, lang in objects), key=str)
    return out


def _expected(text: str, placeholders: dict[str, str]) -> str:
    """The text with every planted value that must go replaced by its placeholder."""
    items = [p for p in planted() if p["redacted"]]
    for item in sorted(items, key=lambda p: -len(str(p["value"]))):
        holder = placeholders[str(item["kind"])]
        # as written (quotes are anchored in the file) and normalised (the extractor's text);
        # a whole value, not the same digits inside a longer number
        for value in _forms(str(item["value"])):
            text = re.sub(rf"(?<![0-9A-Za-z]){re.escape(value)}(?![0-9A-Za-z])", holder, text)
    return text


def _forms(value: str) -> list[str]:
    """A planted value as the report file has it and as the normalised text has it."""
    return list(dict.fromkeys((value, unicodedata.normalize("NFKC", value))))


def _holds(text: str, value: str) -> bool:
    """Whether the text holds the value whole (not as digits inside a longer number)."""
    return any(
        re.search(rf"(?<![0-9A-Za-z]){re.escape(form)}(?![0-9A-Za-z])", text) is not None
        for form in _forms(value)
    )


def _cut_fragments(got: str, want: str, truncated: str) -> list[str] | None:
    """The parts of ``want`` that ``got`` replaced by the truncation placeholder at its
    edges, or None when ``got`` differs from ``want`` otherwise."""
    head = got.startswith(truncated)
    tail = got.endswith(truncated) and len(got) > len(truncated) * head
    core = got[len(truncated) if head else 0 : len(got) - len(truncated) if tail else len(got)]
    pattern = ("(.+?)" if head else "") + re.escape(core) + ("(.+?)" if tail else "")
    match = re.fullmatch(pattern, want, flags=re.S)
    return list(match.groups()) if match else None


def test_the_planted_values_are_in_the_unredacted_export(planted_store: Path) -> None:
    """The corpus tests something: every planted value reaches the export's texts."""
    data = export(planted_store, "nquads", include_ontology=False).decode("utf-8")
    for item in planted():
        assert _holds(data, str(item["value"])), item


def test_redaction_replaces_every_valid_planted_value_and_changes_nothing_else(
    planted_store: Path,
) -> None:
    rules = load_rules()
    holders = dict(rules.placeholders)
    plain = _renamed(
        _statements(export(planted_store, "nquads", include_ontology=False)), planted_store
    )
    redacted_data = export(planted_store, "nquads", include_ontology=False, redact=True)
    redacted = _statements(redacted_data)
    assert plain.keys() == redacted.keys()
    cut = rules.truncation
    parts = [f"<{cut.prefix_property}>", f"<{cut.exact_property}>", f"<{cut.suffix_property}>"]
    quotes: dict[tuple[str, str], list[list[str]]] = defaultdict(
        lambda: [["", "", ""], ["", "", ""]]
    )
    for key, objects in plain.items():
        if key[2] in parts:  # a quote and its context: compared as the one text they are
            k = parts.index(key[2])
            quotes[key[:2]][0][k] = objects[0][0]
            quotes[key[:2]][1][k] = redacted[key][0][0]
            continue
        want = sorted(
            ((_expected(v, holders), lang) if lang != "term" else (v, lang) for v, lang in objects),
            key=str,
        )
        assert redacted[key] == want, key
    fragments = [form for p in planted() if p["redacted"] for form in _forms(str(p["value"]))]
    for key, (before, after) in quotes.items():
        assert after[1], f"{key}: the quote became empty"
        want, got = _expected("".join(before), holders), "".join(after)
        cut_off = _cut_fragments(got, want, holders["truncated"])
        assert cut_off is not None, (key, got, want)
        for fragment in cut_off:  # only a piece of a planted value was cut
            assert any(fragment.strip() in value for value in fragments), (key, fragment)
    text = redacted_data.decode("utf-8")
    for item in planted():
        assert _holds(text, str(item["value"])) is not item["redacted"], item


def test_the_description_counts_what_was_redacted_and_never_lists_it(planted_store: Path) -> None:
    with GraphStore.open(planted_store, read_only=True) as store:
        result = export_dataset(store, "turtle", ExportOptions(redact=True, marking=Tlp.AMBER))
    digest = hashlib.sha256(result.data).hexdigest()
    publication = Publication(
        issued="2024-04-01T09:00:00Z",
        publisher="さくら野市",
        file_name="share.ttl",
        byte_size=len(result.data),
        sha256=digest,
    )
    graph = description_graph(result, publication)
    d = URIRef(result.dataset)
    counts = {
        str(graph.value(node, IKG.redactedKind)): int(graph.value(node, IKG.redactedCount))  # type: ignore[arg-type]
        for node in graph.objects(d, IKG.redactions)
    }
    assert counts.keys() == set(load_rules().kinds)
    for kind in (
        "individual-number",
        "phone",
        "fax",
        "email",
        "bank-account",
        "payment-id",
        "person-name",
    ):
        assert counts[kind] >= sum(1 for p in planted() if p["kind"] == kind and p["redacted"]), (
            kind
        )
    assert counts == dict(result.redactions)
    assert (d, IKG.sharingMarking, URIRef(Tlp.AMBER.iri)) in graph
    assert graph.value(d, DCTERMS.conformsTo) == URIRef(
        "https://w3id.org/incident-kg/ontology/0.1.0"
    )
    assert (d, DCTERMS.accessRights, URIRef(Tlp.AMBER.iri)) in graph
    assert list(graph.objects(None, DCTERMS.license)) == []  # none assumed under AMBER
    assert graph.value(d, DCTERMS.publisher) is not None
    assert int(graph.value(d, VOID.triples)) == result.triples  # type: ignore[arg-type]
    assert digest in {str(o) for o in graph.objects(None, None)}
    text = graph.serialize(format="nt")
    for item in planted():
        assert not _holds(text, str(item["value"])), item


def test_the_description_is_the_same_for_the_same_export_and_time(built_seed_store: Path) -> None:
    from incident_kg.export.describe import describe

    with GraphStore.open(built_seed_store, read_only=True) as store:
        first = export_dataset(store, "trig")
        second = export_dataset(store, "trig")
    publication = Publication(issued="2024-04-01T09:00:00Z", publisher="https://city.example/")
    assert describe(first, publication) == describe(second, publication)
