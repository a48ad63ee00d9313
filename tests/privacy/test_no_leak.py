"""Planted personal data reaches no sharing export, no view and no push (issue 16).

A property-based test: Hypothesis writes a report with personal data in every place a
report can hold it — its text (the title and a coded sentence, an individual number split
across a line break as PDF text gives it, in half-width, full-width or kanji digits), its
file name, its curation sidecar (the curator, a note, organisations added) and so its
organisation names — builds it into a real store, and looks for the data in every format
of a sharing export, in the pages `view` writes, and in what a real Oxigraph server holds
after `push`.  Each example first checks that the unredacted export does hold the planted
data (the places are real), then that nothing leaves: not in texts, not in IRIs (decoded),
not in graph names, however the digits are spaced.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incident_kg.analysis.network import load_network
from incident_kg.export.marking import Tlp
from incident_kg.export.push import graph_store_url, push_graphs
from incident_kg.export.serialize import (
    FORMATS,
    ExportOptions,
    export_dataset,
    store_pseudonymiser,
)
from incident_kg.extraction.extract import Extractor
from incident_kg.graph.build import build
from incident_kg.graph.store import GraphStore
from incident_kg.ontology.namespaces import DEFAULT_BASE
from incident_kg.privacy.redact import check_digit, fold_kanji_digits, load_rules
from incident_kg.queries.endpoint import OxigraphServer
from incident_kg.views import ViewOptions, redact_network, write_views

from ..conftest import SAMPLES
from ..sparql_http import http

REPORT = SAMPLES / "s01-chuo-staff-phone.txt"
TITLE = "職員の私用スマートフォンを使った申込支援によるマイナポイントの誤付与について"
CODED = "来庁者の方に付与されるはずのポイントが"
SURNAMES = ["山田", "佐藤", "鈴木", "高橋", "渡辺", "小林", "加藤", "吉田", "山口", "松本"]
GIVEN = ["太郎", "花子", "一郎", "美咲", "健太", "陽子", "直樹", "由美"]
HONORIFICS = ["様", "さん", "氏", "殿"]
#: What may stand where a number is cut (a PDF's line break, spaces, dashes).
CUTS = ["\n", "\r\n", " ", "　", "-", "－", "ー", " \n"]
FULL = str.maketrans("0123456789", "０１２３４５６７８９")
KANJI = str.maketrans("0123456789", "〇一二三四五六七八九")
_SEPARATORS = re.compile(r"[\s\-ー－‐]+")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


@st.composite
def individual_numbers(draw: st.DrawFn, *, breaks: bool = True) -> tuple[str, str]:
    """(the twelve digits, the number as written: cut anywhere, in any digits)."""
    payload = draw(st.text(alphabet="0123456789", min_size=11, max_size=11))
    digits = payload + str(check_digit(payload))
    cuts = sorted(draw(st.sets(st.integers(1, 11), max_size=3)))
    inline = [c for c in CUTS if "\n" not in c] if breaks else [" ", "-", "ー"]
    written = ""
    for i, d in enumerate(digits):
        if i in cuts:  # one line break at most (a PDF's line wrap), anything else inline
            first = breaks and i == cuts[0]
            written += draw(st.sampled_from(CUTS if first else inline))
        written += d
    style = draw(st.sampled_from(["ascii", "full", "kanji"]))
    table = {"ascii": None, "full": FULL, "kanji": KANJI}[style]
    return digits, written.translate(table) if table else written


@st.composite
def planted(draw: st.DrawFn) -> dict[str, str]:
    """Personal data for one report: names, numbers, a phone, an e-mail address."""
    names = draw(
        st.lists(
            st.tuples(st.sampled_from(SURNAMES), st.sampled_from(GIVEN)).map("".join),
            min_size=3,
            max_size=3,
            unique=True,
        )
    )
    text_digits, text_number = draw(individual_numbers())
    file_digits, file_number = draw(individual_numbers(breaks=False))
    area, a, b = draw(st.tuples(st.integers(1, 9), st.integers(1000, 9999), st.integers(0, 9999)))
    user = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=4, max_size=8))
    return {
        "name": names[0],
        "curator": names[1],
        "org_person": names[2],
        "honorific": draw(st.sampled_from(HONORIFICS)),
        "text_digits": text_digits,
        "text_number": text_number,
        "file_digits": file_digits,
        "file_number": file_number,
        "phone": f"0{area}-{a}-{b:04d}",
        "email": f"{user}@example.lg.jp",
    }


def write_report(folder: Path, p: dict[str, str]) -> Path:
    """The sample report with the planted data in its title, a coded sentence, its file name
    and its curation sidecar."""
    text = REPORT.read_text(encoding="utf-8")
    who = p["name"] + p["honorific"]
    text = text.replace(TITLE, f"{who}（電話 {p['phone']}）に関する{TITLE}", 1)
    text = text.replace(
        CODED,
        f"来庁者（{who}、個人番号 {p['text_number']}、メール {p['email']}）の方に"
        "付与されるはずのポイントが",
        1,
    )
    stem = f"{who}_{p['file_number']}"
    path = folder / f"{stem}.txt"
    path.write_text(text, encoding="utf-8")
    sidecar = {
        "curator": p["curator"],
        "date": "2024-04-01",
        "incidents": [
            {
                "incident": 1,
                "confirm": True,
                "organizations": {
                    "add": [f"{p['org_person']}{p['honorific']}", f"相談窓口（電話{p['phone']}）"]
                },
                "note": f"{p['name']}様の個人番号 {p['text_number']} を確認（{p['email']}）",
            }
        ],
    }
    (folder / f"{stem}.curation.yaml").write_text(
        yaml.safe_dump(sidecar, allow_unicode=True), encoding="utf-8"
    )
    return path


def readable(data: str) -> str:
    """Text as a person would read it: IRIs percent-decoded, string escapes undone (``\\n``,
    ``\\u5c71``), NFKC."""
    data = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), data)
    data = data.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t")
    return unicodedata.normalize("NFKC", urllib.parse.unquote(data))


def leaks(data: str, p: dict[str, str]) -> list[str]:
    """The planted values found in ``data`` (names whole; numbers however spaced)."""
    text = readable(data)
    squeezed = fold_kanji_digits(_SEPARATORS.sub("", text))
    found = [k for k in ("name", "curator", "org_person", "email") if p[k] in text]
    found += [k for k in ("text_digits", "file_digits") if p[k] in squeezed]
    if p["phone"].replace("-", "") in squeezed:
        found.append("phone")
    return found


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """A real SPARQL server that receives the pushes."""
    with OxigraphServer(
        tmp_path_factory.mktemp("remote") / "store", read_only=False, union_default_graph=False
    ) as server:
        yield server


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(p=planted())
def test_planted_personal_data_reaches_no_sharing_export_view_or_push(
    p: dict[str, str], extractor: Extractor, remote: OxigraphServer, tmp_path_factory
) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("leak")
    folder = root / "in"
    folder.mkdir()
    write_report(folder, p)
    store_dir = root / "store"
    with GraphStore.open(store_dir, create=True) as store:
        result = build([folder], store, base=DEFAULT_BASE, extractor=extractor)
    assert not result.failed, result.problems
    rules = load_rules()
    with GraphStore.open(store_dir, read_only=True) as store:
        internal = export_dataset(store, "nquads", ExportOptions()).data.decode("utf-8")
        # the places are real: the unredacted data holds what was planted in each
        assert {"name", "curator", "org_person", "text_digits", "file_digits", "phone"} <= set(
            leaks(internal, p)
        ), "a planted value never reached the graph: the test would prove nothing"
        sharing = ExportOptions(redact=True, marking=Tlp.GREEN, include_inferred=True)
        for fmt in FORMATS:
            data = export_dataset(store, fmt, sharing).data.decode("utf-8")
            assert leaks(data, p) == [], (fmt, leaks(data, p))
        g = load_network(store)
        pseudonyms = store_pseudonymiser(store, rules)
        pushed = push_graphs(store, graph_store_url(remote.url), marking=Tlp.GREEN)
    views = root / "views"
    redacted, _ = redact_network(g, rules, pseudonyms)
    write_views(redacted, views, ViewOptions())
    for page in sorted(views.rglob("*")):
        if page.is_file() and page.parent.name != "lib":
            assert leaks(page.name + page.read_text(encoding="utf-8"), p) == [], page.name
    status, _, dump = http(f"{remote.url}/store", accept="application/n-quads")
    assert status == 200
    assert leaks(dump.decode("utf-8"), p) == []
    assert pushed.graphs and all(leaks(name, p) == [] for name in pushed.graphs)
    shutil.rmtree(root, ignore_errors=True)
