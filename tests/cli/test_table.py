"""The table printer for people: wide characters count double, long cells are cut with …,
and the work grows with the text printed (issue 17: it re-measured a cell for every
character, 56 million width look-ups for `query incidents` at 10,000 reports)."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from incident_kg.cli import common
from incident_kg.cli.common import fit_cell


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
