"""Views carry report text; by default it goes through the same redaction as a shared
export (privacy/redaction.yaml), so pages that get passed around hold no personal data."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from incident_kg.analysis.network import load_network
from incident_kg.cli import main
from incident_kg.extraction.extract import Extractor
from incident_kg.graph.build import build
from incident_kg.graph.store import GraphStore
from incident_kg.ontology.namespaces import DEFAULT_BASE
from incident_kg.privacy.redact import load_rules
from incident_kg.views import redact_network

from ..conftest import DATA

PLANTED = DATA / "sharing"


def _contains(text: str, value: str) -> bool:
    """``value`` as a whole (2345678 inside the corporate number 1234567890123 is not it)."""
    return re.search(rf"(?<![0-9A-Za-z]){re.escape(value)}(?![0-9A-Za-z])", text) is not None


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "")


@pytest.fixture(scope="module")
def planted_store(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Path:
    path = tmp_path_factory.mktemp("planted-views") / "store"
    with GraphStore.open(path, create=True) as store:
        build(sorted(PLANTED.glob("*.txt")), store, base=DEFAULT_BASE, extractor=extractor)
    return path


def _texts(g) -> str:  # type: ignore[no-untyped-def]
    parts = [v for _, a in g.nodes(data=True) for v in a.values() if isinstance(v, str)]
    parts += [e.sentence for _, _, a in g.edges(data=True) for e in a.get("evidence", ())]
    return _fold("\n".join(parts))


def test_the_views_network_is_redacted_like_a_shared_export(planted_store: Path) -> None:
    planted = yaml.safe_load((PLANTED / "planted.yaml").read_text(encoding="utf-8"))["planted"]
    secret = [_fold(p["value"]) for p in planted if p["redacted"]]
    with GraphStore.open(planted_store, read_only=True) as store:
        g = load_network(store)
    before = _texts(g)
    assert any(_contains(before, s) for s in secret)  # the projection does carry some of them
    redacted, counts = redact_network(g, load_rules())
    after = _texts(redacted)
    assert [s for s in secret if _contains(after, s)] == []
    assert sum(counts.values()) > 0
    assert _texts(g) == before  # the projection itself is left as it was


def test_view_redacts_unless_told_not_to(planted_store: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    on = runner.invoke(
        main, ["-q", "view", "--store", str(planted_store), "--output", str(tmp_path / "a")]
    )
    assert on.exit_code == 0, on.output
    assert "redacted" in on.output
    off = runner.invoke(
        main,
        [
            "-q",
            "view",
            "--no-redact",
            "--store",
            str(planted_store),
            "--output",
            str(tmp_path / "b"),
        ],
    )
    assert off.exit_code == 0, off.output
    assert "redacted" not in off.output


def test_a_redacted_index_tells_its_reports_apart_without_their_file_names(
    planted_store: Path, tmp_path: Path
) -> None:
    """Regression (newcomer walk-through): every report cell of a redacted index read
    ［ファイル名］, so rows could not be told apart; each now adds the report's pseudonym."""
    result = CliRunner().invoke(
        main, ["-q", "view", "--store", str(planted_store), "--output", str(tmp_path / "v")]
    )
    assert result.exit_code == 0, result.output
    html = (tmp_path / "v" / "index.html").read_text("utf-8")
    shown = set(re.findall(r"［ファイル名］ (x[a-z]{20})", html))
    assert len(shown) == len(list(PLANTED.glob("*.txt"))) > 1
    assert not any(p.name in html for p in PLANTED.glob("*.txt"))
