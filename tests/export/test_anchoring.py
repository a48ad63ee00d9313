"""Evidence a Web Annotation client can re-anchor (issue 19): every quote and every position
of an export points into the report file as published — not into the normalised text the
extractor read, which is never published.  Checked as a client would, with nothing of the
project's: the file decoded on its own, the quote looked up by its context, the offsets
counted in code points."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Namespace

from incident_kg.export import export_bytes
from incident_kg.graph.store import GraphStore

from ..conftest import SAMPLES, SEEDS

OA = Namespace("http://www.w3.org/ns/oa#")
IKG = Namespace("https://w3id.org/incident-kg/ontology#")
#: The share of quotes that must re-anchor (issue 19: ≥ 95%).
REQUIRED = 0.95


def _published(name: str) -> str | None:
    """The report file as a client reads it: its bytes decoded (UTF-8, else Shift-JIS)."""
    for folder in (SEEDS, SAMPLES):
        path = Path(folder) / name
        if path.is_file():
            data = path.read_bytes()
            for encoding in ("utf-8-sig", "cp932"):
                try:
                    return data.decode(encoding)
                except UnicodeDecodeError:
                    continue
    return None


@pytest.fixture(scope="module")
def anchors(seeds_store_path: Path) -> list[tuple[str, str, str, str, int, int]]:
    """(published text, exact, prefix, suffix, start, end) of every quote in the export."""
    with GraphStore.open(seeds_store_path, read_only=True) as store:
        data = export_bytes(store, "ntriples")
    g = Graph().parse(data=data.decode("utf-8"), format="nt")
    out = []
    for target in set(g.subjects(OA.hasSelector, None)):
        name = g.value(g.value(target, OA.hasSource), IKG.sourceFile)
        text = _published(str(name)) if name is not None else None
        assert text is not None, f"no published file for {target}"
        selectors = list(g.objects(target, OA.hasSelector))
        (quote,) = [s for s in selectors if g.value(s, OA.exact) is not None]
        (position,) = [s for s in selectors if g.value(s, OA.start) is not None]
        out.append(
            (
                text,
                str(g.value(quote, OA.exact)),
                str(g.value(quote, OA.prefix) or ""),
                str(g.value(quote, OA.suffix) or ""),
                int(g.value(position, OA.start)),
                int(g.value(position, OA.end)),
            )
        )
    assert len(out) > 100
    return out


def test_the_quotes_are_found_by_their_context_in_the_file_as_published(anchors: list) -> None:
    found = sum(1 for text, exact, pre, suf, _, _ in anchors if pre + exact + suf in text)
    assert found / len(anchors) >= REQUIRED, f"{found} of {len(anchors)}"


def test_the_offsets_count_code_points_of_the_file_as_published(anchors: list) -> None:
    found = sum(1 for text, exact, _, _, start, end in anchors if text[start:end] == exact)
    assert found / len(anchors) >= REQUIRED, f"{found} of {len(anchors)}"


def test_a_quote_keeps_the_line_breaks_of_the_file() -> None:
    """A PDF's hard line break inside a sentence is in the quote, as the file has it."""
    from incident_kg.extraction.model import Report, Span
    from incident_kg.extraction.normalize import normalize
    from incident_kg.graph.anchors import SourceText

    raw = "前文。窓口の端末を\nログアウトせず、次の人が操作した。後文"
    norm = normalize(raw)
    start = norm.text.index("窓口")
    end = norm.text.index("。", start) + 1
    report = Report("r", "r.txt", "", norm.text, "", original=raw, offsets=norm.offsets)
    anchor = SourceText.of(report).anchor(Span(start, end, norm.text[start:end]))
    assert (
        anchor.exact
        == raw[anchor.start : anchor.end]
        == "窓口の端末を\nログアウトせず、次の人が操作した。"
    )
    assert anchor.prefix.endswith("前文。") and anchor.suffix == "後文"
