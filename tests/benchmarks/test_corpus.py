"""The synthetic corpus of the scale benchmark: deterministic, covering the vocabulary, in
the formats of real reports, and readable by the extractor."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incident_kg.extraction.dates import find_dates
from incident_kg.extraction.extract import Extractor
from incident_kg.ontology.vocabulary import codes

from ..conftest import ROOT

sys.path.insert(0, str(ROOT))  # the benchmarks folder is not part of the package

from benchmarks.corpus import (
    FIELDS,
    era_date,
    generate_corpus,
    graph_corpus,
    hard_wrap,
    load_phrases,
    planted_recall,
    read_manifest,
    write_corpus,
)


def test_the_same_seed_gives_the_same_reports_and_another_seed_others() -> None:
    first = [r.text for r in generate_corpus(5, seed=3)]
    assert first == [r.text for r in generate_corpus(5, seed=3)]
    assert first != [r.text for r in generate_corpus(5, seed=4)]


def test_a_smaller_corpus_is_the_start_of_a_larger_one() -> None:
    small = [r.text for r in generate_corpus(4, seed=1)]
    assert small == [r.text for r in generate_corpus(9, seed=1)][:4]


def test_a_small_corpus_plants_every_cause_harm_and_countermeasure() -> None:
    vocabulary = codes()
    reports = list(generate_corpus(12, seed=7))
    for field in FIELDS:
        planted = {c for r in reports for i in r.incidents for c in getattr(i, field)}
        assert planted == set(vocabulary[field]), field


def test_a_vocabulary_code_without_a_phrase_is_refused(tmp_path: Path) -> None:
    wanted = {"causes": [*codes()["causes"], "BrandNewCause"]}
    with pytest.raises(ValueError, match="BrandNewCause"):
        load_phrases(codes=wanted)


def test_reports_have_one_to_three_incidents_and_come_in_many_styles() -> None:
    reports = list(generate_corpus(60, seed=7))
    assert {len(r.incidents) for r in reports} == {1, 2, 3}
    assert len({r.style for r in reports}) >= 6
    assert any(r.encoding == "cp932" for r in reports)
    assert any(" \n" in r.text for r in reports)  # PDF-style hard line breaks


def test_organisations_are_skewed_towards_a_few_but_spread_over_many() -> None:
    orgs = [i.organization for r in generate_corpus(300, seed=7) for i in r.incidents[:1]]
    counts = sorted((orgs.count(o) for o in set(orgs)), reverse=True)
    assert len(counts) > 60  # many bodies
    assert counts[0] >= 5 * counts[-1]  # the busiest reports far more often than the rarest


@settings(max_examples=60, deadline=None)
@given(
    day=st.dates(min_value=dt.date(2019, 5, 1), max_value=dt.date(2030, 12, 31)),
    style=st.sampled_from(["era", "abbrev", "era-western", "western", "full-width"]),
)
def test_every_date_style_reads_back_as_the_same_day(day: dt.date, style: str) -> None:
    mentions = find_dates(f"{era_date(day, style)}　判明")
    assert [m.iso for m in mentions] == [day.isoformat()]


@given(text=st.text(alphabet="あいう漢字。、\n ", max_size=300), width=st.integers(5, 50))
def test_hard_wrapping_only_adds_line_breaks(text: str, width: int) -> None:
    wrapped = hard_wrap(text, width)
    assert all(len(line) <= width + 1 for line in wrapped.split("\n"))
    assert wrapped.replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")


def test_generated_reports_extract_to_most_of_the_planted_codes(
    extractor: Extractor, tmp_path: Path
) -> None:
    """Not perfection: the phrases are worded apart from the lexicon on purpose. At the time
    of writing, 100 reports give harms 100%, causes 90%, countermeasures 89%."""
    from incident_kg.graph.build import extract_files

    write_corpus(tmp_path, 12, seed=7)
    reports, problems = extract_files([tmp_path], extractor)
    assert problems == []
    found = {
        r.source: {f: {c for i in r.incidents for c in i.codes(f)} for f in FIELDS} for r in reports
    }
    planted = read_manifest(tmp_path)
    recall = planted_recall(planted, found)
    for field in FIELDS:
        assert recall.rate(field) >= 0.75, (field, recall.found[field], recall.planted[field])
    assert sum(len(r.incidents) for r in reports) == sum(len(v) for v in planted.values())


def test_graph_mode_reaches_the_triples_asked_for_under_distinct_graphs() -> None:
    graphs = list(graph_corpus(6000, seed=7, templates=3))
    names = [name for name, _ in graphs]
    assert len(set(names)) == len(names)
    assert sum(nt.count("\n") for _, nt in graphs) >= 6000
    for name, nt in graphs:  # each copy is minted under its own report id
        assert f"/report/{name.rsplit('/', 1)[1]}>" in nt


def test_no_cause_is_extracted_far_more_often_than_it_was_planted(extractor: Extractor) -> None:
    """Issue 17: a rule matching the corpus's boilerplate put SystemDefect on every incident,
    one cause page held the whole corpus and the benchmark's analysis meant nothing. Every
    cause is planted on about a sixth of the incidents; none may be found on half."""
    from incident_kg.extraction.extract import extract_report

    incidents: list[set[str]] = []
    for report in generate_corpus(60, seed=7):
        extracted = extract_report(extractor, report.text, source=report.name, report_id="r")
        incidents += [set(i.codes("causes")) for i in extracted.incidents]
    for code in codes()["causes"]:
        share = sum(code in found for found in incidents) / len(incidents)
        assert share < 0.5, (code, share)
