"""The table printer for people: wide characters count double, long text cells are cut with …
(never an id),
and the work grows with the text printed (issue 17: it re-measured a cell for every
character, 56 million width look-ups for `query incidents` at 10,000 reports)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from incident_kg.cli import common, main
from incident_kg.cli.common import fit_cell, print_table


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _fit_by_definition(text: str, width: int) -> str:
    """The cell as defined: the longest start of the text that fits, else cut with …."""
    out = ""
    for ch in text:
        if _width(out + ch) > width:
            return out[:-1] + "…" if out else "…"
        out += ch
    return out + " " * (width - _width(out))


@given(text=st.text(alphabet="abcあいう漢字ｱ…", max_size=80), width=st.integers(1, 60))
def test_a_cell_is_cut_and_padded_as_defined(text: str, width: int) -> None:
    assert fit_cell(text, width) == _fit_by_definition(text, width)


def test_a_cell_fits_its_column_counting_wide_characters_double() -> None:
    assert fit_cell("堺市", 6) == "堺市  "
    assert fit_cell("堺市役所", 6) == "堺市…"


def test_each_character_of_a_long_column_is_measured_a_bounded_number_of_times(
    monkeypatch: object,
) -> None:
    calls = 0
    real = common.east_asian_width

    def counting(c: str) -> str:
        nonlocal calls
        calls += 1
        return real(c)

    monkeypatch.setattr(common, "east_asian_width", counting)  # type: ignore[attr-defined]
    rows = [(f"行{i}" + "あ" * 200, str(i)) for i in range(2000)]
    common.print_table(("text", "n"), rows)
    printed = sum(len(r[0]) + len(r[1]) for r in rows)
    assert calls <= 3 * printed


def test_an_id_column_is_never_cut(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 20: `query incidents` cut each incident at 60 characters, just before
    /incident/N — the part another command needs."""
    iri = "https://pref.example.lg.jp/id/report/" + "r" * 60 + "/incident/12"
    print_table(("incident", "label"), [(iri, "長い表題" * 30)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].startswith(iri + "  ")
    assert lines[2].rstrip().endswith("…")  # the text column is still cut


def test_query_incidents_prints_whole_incident_iris(seeds_store_path: Path) -> None:
    result = CliRunner().invoke(main, ["query", "incidents", "--store", str(seeds_store_path)])
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()[2:]
    assert rows and all(re.match(r"^https://\S+/incident/\d+ ", row) for row in rows)


def test_wide_tables_cut_no_cell_anywhere_on_the_line(seeds_store_path: Path) -> None:
    """Issue 20: `analyze chain` cut its evidence sentences; `--wide` (before or after the
    command) prints every cell whole."""
    incident = "003_4a1ccabbb4d700a7/incident/2"
    args = ["analyze", "chain", incident, "--store", str(seeds_store_path)]
    narrow = CliRunner().invoke(main, args)
    assert narrow.exit_code == 0, narrow.output
    assert "…" in narrow.stdout
    for line in (["--wide", *args], [*args, "--wide"]):
        wide = CliRunner().invoke(main, line)
        assert wide.exit_code == 0, wide.output
        assert "…" not in wide.stdout
        assert max(map(len, wide.stdout.splitlines())) > max(map(len, narrow.stdout.splitlines()))


def test_similar_incidents_are_named_by_their_iri_beside_their_title(
    seeds_store_path: Path,
) -> None:
    incident = "003_4a1ccabbb4d700a7/incident/2"
    args = ["analyze", "similar", incident, "--store", str(seeds_store_path), "--format", "csv"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and all(re.match(r"^https://\S+/incident/\d+$", r["incident"]) for r in rows)
    assert all(r["label"] and "/incident/" not in r["label"] for r in rows)


def test_a_column_of_iris_is_never_cut_whatever_it_is_called(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Regression (newcomer walk-through): `query --file my.rq` cut an organisation IRI in a
    column named ?o."""
    iri = "https://w3id.org/incident-kg/id/org/" + "%E3%81%93" * 20
    print_table(("o", "note"), [(iri, "短い")])
    assert capsys.readouterr().out.splitlines()[2].startswith(iri + "  ")


def test_a_body_is_named_once_in_a_listing(seeds_store_path: Path) -> None:
    """Regression (newcomer walk-through): `analyze similar` showed `中区, 中区` (one ward
    minted by each of two reports)."""
    args = ["analyze", "similar", "003_4a1ccabbb4d700a7/incident/2"]
    result = CliRunner().invoke(main, [*args, "--store", str(seeds_store_path), "--format", "csv"])
    assert result.exit_code == 0, result.output
    for row in csv.DictReader(io.StringIO(result.stdout)):
        names = row["organizations"].split(", ")
        assert len(names) == len(set(names)), row["organizations"]
