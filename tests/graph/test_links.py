"""The link pass on real data: the seeds and their re-tellings (samples/reports s01–s05) built
into one store give each real incident once; an agency importing its own export into a
store that already holds the same reports adds no incident to any count; curation undoes a
link; the qualified facts are in the graph (graph/links.py, graph/overlap.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from incident_kg.analysis.network import (
    build_network,
    load_details,
    load_network,
    nodes_of_kind,
    read_projection,
)
from incident_kg.export import export_bytes
from incident_kg.export.importer import import_file, remove_import
from incident_kg.extraction.extract import Extractor
from incident_kg.graph.build import build
from incident_kg.graph.links import read_facts
from incident_kg.graph.store import LINKS_GRAPH, GraphStore
from incident_kg.ontology.namespaces import DEFAULT_BASE, IKG
from incident_kg.queries.library import load_library, run_local

from ..conftest import ROOT, SAMPLES, SEEDS, seed_files
from ..made_network import assert_same_network

ID = DEFAULT_BASE + "report/"
#: The samples README: s01–s05 re-tell the five seeds, incident for incident.
RETOLD = [
    ("000_05877e5457689921/incident/1", "s01-chuo-staff-phone/incident/1"),
    ("001_90eefb6dce1ffe37/incident/1", "s02-sakai-logout/incident/1"),
    ("002_15470511b64eccac/incident/1", "s03-kumamoto-council/incident/1"),
    ("002_15470511b64eccac/incident/2", "s03-kumamoto-council/incident/2"),
    ("003_4a1ccabbb4d700a7/incident/1", "s04-naka-backlog-pdftext/incident/1"),
    ("003_4a1ccabbb4d700a7/incident/2", "s04-naka-backlog-pdftext/incident/2"),
    *[
        (f"004_d033e62ab533392d/incident/{k}", f"s05-ppc-policy-prose/incident/{k}")
        for k in range(1, 6)
    ],
]
FICTIONAL = ("s06", "s07", "s08", "s09", "s11")  # invented bodies: no other report tells them


def _counted(store: GraphStore) -> dict[str, str]:
    """Every incident → the incident it is counted as."""
    counted = dict(store.pairs(str(IKG.countedAs)))
    return {f.iri: counted.get(f.iri, f.iri) for f in read_facts(store).incidents}


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Path:
    """The seeds and the samples in one store, built once."""
    if not seed_files():
        pytest.skip("../shared/seeds is not beside the project")
    path = tmp_path_factory.mktemp("links") / "store"
    with GraphStore.open(path, create=True) as store:
        build([SEEDS, SAMPLES], store, base=DEFAULT_BASE, extractor=extractor)
    return path


def test_each_retelling_is_counted_as_the_incident_it_retells(both: Path) -> None:
    with GraphStore.open(both, read_only=True) as store:
        counted = _counted(store)
    wrong = [(a, b) for a, b in RETOLD if counted[ID + a] != counted[ID + b]]
    assert wrong == []


def test_the_invented_incidents_stay_apart_from_every_other(both: Path) -> None:
    with GraphStore.open(both, read_only=True) as store:
        counted = _counted(store)
    for incident, key in counted.items():
        if incident.removeprefix(ID).startswith(FICTIONAL):
            assert key == incident
            assert [i for i, k in counted.items() if k == key] == [incident]


def test_a_citys_case_in_the_regulators_table_is_part_of_that_row(both: Path) -> None:
    with GraphStore.open(both, read_only=True) as store:
        part_of = dict(store.pairs(str(IKG.partOfIncident)))
        counted = _counted(store)
    case, row = ID + "002_15470511b64eccac/incident/1", ID + "004_d033e62ab533392d/incident/1"
    assert part_of[case] == counted[row]
    assert counted[case] == counted[row]


def test_the_store_counts_each_real_incident_once(both: Path) -> None:
    with GraphStore.open(both, read_only=True) as store:
        counted = _counted(store)
    # 11 seed incidents, of which Kumamoto's certificate case counts as the regulator's row
    # that names it, and 6 invented ones: 16 events, told 28 times
    assert len(counted) == 28
    assert len(set(counted.values())) == 10 + 6


def test_the_projection_has_one_node_per_event_with_all_its_reports(both: Path) -> None:
    with GraphStore.open(both, read_only=True) as store:
        g = load_network(store)
    incidents = nodes_of_kind(g, "incident")
    assert len(incidents) == 28 - len(RETOLD)
    chuo = g.nodes[ID + "000_05877e5457689921/incident/1"]
    assert len(chuo["reports"]) == 2 and len(chuo["accounts"]) == 2


# -- an agency imports its own export ----------------------------------------------------


def _answers(store: GraphStore) -> dict[str, object]:
    library = load_library()
    names = (
        "shared-root-causes",
        "countermeasure-coverage",
        "severity-levels",
        "measure-effectiveness",
    )
    out: dict[str, object] = {name: sorted(run_local(store, library[name]).rows) for name in names}
    out["events"] = len(set(_counted(store).values()))
    return out


@pytest.fixture(scope="module")
def exported(both: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "ours.ttl"
    with GraphStore.open(both, read_only=True) as store:
        path.write_bytes(export_bytes(store, "turtle"))
    return path


def test_importing_our_own_export_adds_no_incident_to_any_count(
    both: Path, exported: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "second"
    shutil.copytree(both, copy)
    with GraphStore.open(copy, read_only=True) as store:
        before = _answers(store)
    import_file(exported, copy, agency="隣市")
    import_file(exported, copy, agency="県")  # the same file from a second agency
    with GraphStore.open(copy, read_only=True) as store:
        assert _answers(store) == before


def test_an_imported_copy_keeps_only_what_the_store_does_not_hold_and_exports_whole(
    both: Path, exported: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "second"
    shutil.copytree(both, copy)
    with GraphStore.open(copy, read_only=True) as store:
        before = export_bytes(store, "ntriples")
    result = import_file(exported, copy, agency="隣市")
    with GraphStore.open(copy) as store:
        (graph,) = result.record.graphs
        assert len(list(store.quads([graph]))) < result.record.triples / 10
        assert export_bytes(store, "ntriples") == before  # the imported graph given back whole
        remove_import(store, result.record.id)
        assert export_bytes(store, "ntriples") == before


@pytest.fixture(scope="module")
def pref(
    exported: Path, tmp_path_factory: pytest.TempPathFactory, extractor: Extractor
) -> tuple[Path, int]:
    """A second agency (its own base IRI) that built the same reports and imported the
    first's export; and the events its own build counted."""
    path = tmp_path_factory.mktemp("pref") / "store"
    with GraphStore.open(path, create=True) as store:
        build([SEEDS, SAMPLES], store, base="https://pref.example.lg.jp/id/", extractor=extractor)
        events = len(set(_counted(store).values()))
    import_file(exported, path, agency="隣市")
    return path, events


def test_a_second_agency_with_its_own_base_iri_counts_the_imported_incidents_once(
    pref: tuple[Path, int],
) -> None:
    path, events = pref
    with GraphStore.open(path, read_only=True) as store:
        counted = _counted(store)
        g = load_network(store)
    assert len(counted) == 2 * 28
    assert len(set(counted.values())) == events
    assert len(nodes_of_kind(g, "incident")) == 28 - len(RETOLD)


def _summaries_fold_as_the_projection_queries(path: Path) -> None:
    """The network the analysis reads (summaries, links graph) is the projection queries'
    (issue 17 × 18): read whole, and read lazily one incident at a time as commands ask."""
    with GraphStore.open(path, read_only=True) as store:
        full = build_network(read_projection(store))
        eager = load_network(store)
        lazy = load_network(store, details=False)
        for incident in reversed(nodes_of_kind(lazy, "incident")):
            load_details(lazy, [incident])
    assert_same_network(eager, full)
    assert_same_network(lazy, full)


def test_the_summaries_fold_each_event_into_one_node_as_the_projection_queries_do(
    both: Path,
) -> None:
    _summaries_fold_as_the_projection_queries(both)


def test_the_summaries_merge_an_imported_agencys_bodies_as_the_projection_queries_do(
    pref: tuple[Path, int],
) -> None:
    _summaries_fold_as_the_projection_queries(pref[0])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_folds_do_not_depend_on_the_order_the_store_gives_the_links_in(
    both: Path, seed: int
) -> None:
    # the links query no longer has Oxigraph order its rows (14 s at 100,000 reports): they
    # come in the store's order, which must not change what is folded into what
    import random

    from incident_kg.analysis.linked import link_projection
    from incident_kg.analysis.network import read_concepts
    from incident_kg.analysis.summaries import network_from_summaries, read_links, read_summaries

    with GraphStore.open(both, read_only=True) as store:
        summaries, concepts, links = read_summaries(store), read_concepts(store), read_links(store)
    assert any(r["relation"] == IKG + "sameIncidentAs" for r in links)
    made = []
    for rows in (links, random.Random(seed).sample(links, len(links))):
        g, read = network_from_summaries(summaries, concepts)
        alias = link_projection(g, {"incident-links": rows, "measure-links": read.measure_links})
        made.append((g, alias))
    (a, alias_a), (b, alias_b) = made
    assert alias_a == alias_b
    assert_same_network(a, b)


# -- curation ------------------------------------------------------------------------------

NOT_SAME = """\
curator: audit-team-07
date: 2026-11-20
incidents:
  - incident: 2
    not-same-as: [002_15470511b64eccac/incident/2]
"""


def test_a_curator_keeps_two_tellings_apart_and_deleting_the_line_links_them_again(
    tmp_path: Path, extractor: Extractor
) -> None:
    if not seed_files():
        pytest.skip("../shared/seeds is not beside the project")
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(SEEDS / "002_15470511b64eccac.txt", folder)
    shutil.copy(SAMPLES / "s03-kumamoto-council.txt", folder)
    sidecar = folder / "s03-kumamoto-council.curation.yaml"
    sidecar.write_text(NOT_SAME, encoding="utf-8")
    seed, sample = ID + "002_15470511b64eccac/incident/2", ID + "s03-kumamoto-council/incident/2"
    with GraphStore.open(tmp_path / "store", create=True) as store:
        build([folder], store, base=DEFAULT_BASE, extractor=extractor)
        assert _counted(store)[seed] != _counted(store)[sample]
        kinds = {o for _, o in store.pairs(str(IKG.linkKind))}
        assert "https://w3id.org/incident-kg/code/link-distinct" in kinds
        sidecar.unlink()
        build([folder], store, base=DEFAULT_BASE, extractor=extractor)
        assert _counted(store)[seed] == _counted(store)[sample]


def test_the_links_graph_is_never_exported(both: Path) -> None:
    with GraphStore.open(both, read_only=True) as store:
        assert store.has_graph(LINKS_GRAPH)
        lines = export_bytes(store, "nquads").decode().splitlines()
    assert not [line for line in lines if line.endswith(f"<{LINKS_GRAPH}> .")]
    assert not [line for line in lines if f"> <{IKG.countedAs}> <" in line]


# -- qualified facts -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def roles(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Path:
    path = tmp_path_factory.mktemp("roles") / "store"
    reports = ROOT / "samples" / "holdout3" / "reports"
    files = [
        reports / "k04_aoba-town_audit-account.txt",
        reports / "k06_kawabe-village_point-wrong-service.txt",
    ]
    with GraphStore.open(path, create=True) as store:
        build(files, store, base=DEFAULT_BASE, extractor=extractor)
    return path


def test_a_cause_the_report_calls_the_direct_cause_is_qualified_as_the_trigger(roles: Path) -> None:
    query = load_library()["qualified-causes"]
    from incident_kg.queries.library import bindings, known_codes

    with GraphStore.open(roles, read_only=True) as store:
        rows = run_local(
            store, query, bindings(query, {"cause": "LogoutOmission"}, known_codes())
        ).rows
    assert ("k04_aoba-town_audit-account.txt", "trigger") in {(r[5], r[3]) for r in rows}


def test_a_cause_the_report_rules_out_is_qualified_as_ruled_out_and_is_no_cause(
    roles: Path,
) -> None:
    query = load_library()["qualified-causes"]
    from incident_kg.queries.library import bindings, known_codes

    with GraphStore.open(roles, read_only=True) as store:
        rows = run_local(
            store, query, bindings(query, {"cause": "SystemDefect"}, known_codes())
        ).rows
        causes = {(i, c) for i, c in store.pairs(str(IKG.hasCause))}
    ruled = [r for r in rows if r[3] == "ruled-out"]
    assert ruled and all(
        (r[1], "https://w3id.org/incident-kg/code/SystemDefect") not in causes for r in ruled
    )


def test_every_incident_has_one_status_and_one_severity(both: Path) -> None:
    with GraphStore.open(both, read_only=True) as store:
        incidents = {f.iri for f in read_facts(store).incidents}
        status = store.pairs(str(IKG.status))
        severity = store.pairs(str(IKG.severity))
    assert sorted(i for i, _ in status) == sorted(incidents)
    assert sorted(i for i, _ in severity) == sorted(incidents)


def test_the_page_of_a_retelling_is_its_events_page_of_the_whole_view(
    both: Path, tmp_path: Path
) -> None:
    """Issue 17 × 18 × 16: `view --incident` of a report's telling reads the details of every
    telling of the event (folded into one node, renamed by the pseudonyms) and writes the
    page the whole view writes for that event."""
    from click.testing import CliRunner

    from incident_kg.cli import main

    store = ["--store", str(both)]
    whole = CliRunner().invoke(main, ["-q", "view", *store, "--output", str(tmp_path / "all")])
    assert whole.exit_code == 0, whole.output
    for telling in ("000_05877e5457689921/incident/1", "s01-chuo-staff-phone/incident/1"):
        out = tmp_path / telling.split("/")[0]
        one = CliRunner().invoke(
            main, ["-q", "view", *store, "--output", str(out), "--incident", telling]
        )
        assert one.exit_code == 0, one.output
        (page,) = (out / "incident").glob("*.html")
        assert page.read_text("utf-8") == (tmp_path / "all" / "incident" / page.name).read_text(
            "utf-8"
        )


def test_a_ward_each_telling_minted_is_one_body_once_linked() -> None:
    """Regression (second walk-through): seed 003 and its re-telling s04 each mint their own
    `…/report/<id>/org/中区`; once the incidents are one event, the two are one body."""
    from incident_kg.graph.links import same_bodies

    a, b, c = (f"{ID}{r}/org/中区" for r in ("a", "b", "c"))
    city = "https://w3id.org/incident-kg/id/org/堺市"
    orgs = {"i": {a, city}, "j": {b, city}, "k": {c}, "x": {f"{ID}x/org/中区"}}
    labels = {a: "中区", b: "中区", c: "中区", city: "堺市", f"{ID}x/org/中区": "中区"}
    # i~j and j~k are events told twice: a, b and c are one; x (another event) stays apart
    assert same_bodies([{"i", "j"}, {"j", "k"}], orgs, labels) == {b: a, c: a}


def test_the_projection_names_each_seed_ward_once(both: Path) -> None:
    with GraphStore.open(both, read_only=True) as store:
        g = load_network(store)
    names = [g.nodes[o].get("label_ja") for o in nodes_of_kind(g, "organization")]
    assert names.count("中区") == 1 and names.count("中央区") == 1


def test_the_follow_up_kept_by_the_link_pass_is_the_one_worked_out_again(both: Path) -> None:
    """`analyze effectiveness` and the cause pages read the adoptions and effects the link
    pass kept beside the links graph: the same as linking the store's corpus again."""
    from incident_kg.analysis.effectiveness import store_effectiveness
    from incident_kg.graph.links import analyse, kept_effectiveness

    with GraphStore.open(both, read_only=True) as store:
        assert kept_effectiveness(store) is not None
        kept = store_effectiveness(store)
        _, _, again = analyse(store)
    assert kept == again and kept.adoptions and kept.effects
