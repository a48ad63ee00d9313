"""Regression tests of issue 16's privacy failures 1 to 4, through the commands a user runs:
a number split by a line break, a file name holding a name and a number, kanji numerals,
and a push that went out unredacted and unmarked."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from incident_kg.privacy.redact import load_rules, redact
from incident_kg.queries.endpoint import OxigraphServer

from ..conftest import SAMPLES
from ..sparql_http import http

CLI = [sys.executable, "-m", "incident_kg.cli", "--quiet"]
SENTENCE = "来庁者の方に付与されるはずのポイントが"
SPLIT = "567890\n123457"  # a valid individual number, cut by a PDF's line break
NAME = "山田太郎"
FILE_NUMBER = "123456789018"
FORMATS = ("turtle", "ntriples", "nquads", "trig", "jsonld")
SUFFIX = {"turtle": "ttl", "ntriples": "nt", "nquads": "nq", "trig": "trig", "jsonld": "jsonld"}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def plain(data: str) -> str:
    """What the bytes say to a reader: escapes undone, IRIs decoded, digits squeezed."""
    data = data.replace("\\n", "\n").replace("\\r", "\r")
    data = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), data)
    text = unicodedata.normalize("NFKC", urllib.parse.unquote(data))
    return re.sub(r"[\s\-ー]+", "", text)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of one sample report, renamed 山田太郎様_<an individual number>.txt, whose
    coded first sentence holds an individual number split across a line break."""
    root = tmp_path_factory.mktemp("leaks")
    folder = root / "in"
    folder.mkdir()
    text = (SAMPLES / "s01-chuo-staff-phone.txt").read_text(encoding="utf-8")
    text = text.replace(SENTENCE, f"来庁者（個人番号 {SPLIT}）の方に付与されるはずのポイントが", 1)
    (folder / f"{NAME}様_{FILE_NUMBER}.txt").write_text(text, encoding="utf-8")
    run("build", str(folder), "--store", str(root / "store"))
    internal = run("export", "--store", str(root / "store"), "--rdf-format", "nquads").stdout
    squeezed = plain(internal)
    assert SPLIT.replace("\n", "") in squeezed and NAME in squeezed and FILE_NUMBER in squeezed
    return root / "store"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_number_split_by_a_line_break_is_redacted_in_every_format(
    planted: Path, tmp_path: Path, fmt: str
) -> None:
    """Failure 1: `個人番号 567890⏎123457` survived `export --profile sharing` (the sentence
    joins the two halves with a space)."""
    out = tmp_path / f"share.{SUFFIX[fmt]}"
    for args in (["--profile", "sharing", "--tlp", "AMBER", "--publisher", "堺市"], ["--redact"]):
        proc = run("export", "--store", str(planted), "--rdf-format", fmt, "-o", str(out), *args)
        assert proc.returncode == 0, proc.stderr
        assert SPLIT.replace("\n", "") not in plain(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_name_or_number_of_a_file_name_reaches_a_sharing_export(
    planted: Path, tmp_path: Path, fmt: str
) -> None:
    """Failure 2: the file name 山田太郎様_<12 digits>.txt went into every IRI of the
    sharing export (and its ikg:sourceFile and dcterms:identifier)."""
    out = tmp_path / f"share.{SUFFIX[fmt]}"
    proc = run(
        "export",
        "--store",
        str(planted),
        "--rdf-format",
        fmt,
        "-o",
        str(out),
        "--profile",
        "sharing",
    )
    assert proc.returncode == 2  # --tlp and --publisher are required
    run(*proc.args[4:], "--tlp", "GREEN", "--publisher", "堺市")  # type: ignore[index]
    data = plain(out.read_text(encoding="utf-8"))
    assert NAME not in data and FILE_NUMBER not in data


def test_an_individual_number_in_kanji_numerals_is_redacted() -> None:
    """Failure 3: 六七八九〇一二三四五六二 was not redacted."""
    rules = load_rules()
    text, counts = redact("個人番号は六七八九〇一二三四五六二です", rules)
    assert text == f"個人番号は{rules.placeholders['individual-number']}です"
    assert counts == {"individual-number": 1}
    wrong = "個人番号は六七八九〇一二三四五六三です"  # a wrong check digit: not a number
    assert redact(wrong, rules) == (wrong, {})
    assert redact("山田一郎様と二郎さん", rules)[0].count("［氏名］") == 2  # 一 is no digit here


@pytest.fixture
def remote(tmp_path: Path) -> Iterator[OxigraphServer]:
    with OxigraphServer(tmp_path / "remote", read_only=False, union_default_graph=False) as server:
        yield server


def test_push_is_redacted_and_marked_or_refused_without_tlp(
    planted: Path, remote: OxigraphServer
) -> None:
    """Failure 4: push sent the graphs unredacted and without their TLP marking."""
    refused = run("push", "--endpoint", remote.url, "--store", str(planted))
    assert refused.returncode == 2 and "--tlp" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    status, _, dump = http(f"{remote.url}/store", accept="application/n-quads")
    assert status == 200 and dump.strip() == b""  # nothing was sent
    pushed = run("push", "--endpoint", remote.url, "--store", str(planted), "--tlp", "AMBER")
    assert pushed.returncode == 0, pushed.stderr
    status, _, dump = http(f"{remote.url}/store", accept="application/n-quads")
    text = dump.decode("utf-8")
    data = plain(text)
    assert NAME not in data and FILE_NUMBER not in data
    assert SPLIT.replace("\n", "") not in data
    assert "graph/meta>" not in text and str(planted.parent) not in text  # no record keeping
    graphs = {line.rsplit(" ", 2)[-2] for line in text.splitlines() if line.strip()}
    marked = {
        line.rsplit(" ", 2)[-2]
        for line in text.splitlines()
        if "#sharingMarking> <https://w3id.org/incident-kg/code/tlp-amber>" in line
    }
    assert graphs and marked == graphs  # every graph carries its marking
