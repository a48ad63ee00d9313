"""Building a store from a batch: bad files are reported by name, the rest still loads,
and the store is never left half-written."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from incident_kg.export import export_bytes
from incident_kg.extraction.extract import Extractor
from incident_kg.graph.build import build
from incident_kg.graph.store import GraphStore
from incident_kg.ontology.namespaces import DEFAULT_BASE

from ..conftest import sample_files


def _bad_inputs(folder: Path) -> dict[str, str]:
    """Files that must each be refused, by name → expected problem kind."""
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (folder / "unknown.txt").write_bytes(bytes(0x80 + (i * 37) % 0x80 for i in range(4096)))
    (folder / "notice.txt").write_text(
        "手数料のお知らせ\n\n1 交付手数料\nコンビニ交付の手数料を10円にします。\n", encoding="utf-8"
    )
    return {
        "empty.txt": "empty",
        "binary.txt": "binary",
        "unknown.txt": "encoding",
        "notice.txt": "no-incident",
    }


def test_bad_files_are_named_and_the_rest_of_the_batch_loads(
    extractor: Extractor, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    good = sample_files()[0]
    shutil.copy(good, folder / good.name)
    expected = _bad_inputs(folder)
    with GraphStore.open(tmp_path / "store", create=True) as store:
        result = build([folder], store, base=DEFAULT_BASE, extractor=extractor)
        assert len(store.report_graphs()) == 2  # the good report and the notice (no incident)
    kinds = {Path(p.source).name: p.kind for p in result.problems}
    assert kinds == expected
    for problem in result.problems:
        assert Path(problem.source).name in str(problem)
        assert "\n" not in str(problem)
    assert result.incidents >= 1


def test_a_missing_path_is_a_problem_not_a_crash(extractor: Extractor, tmp_path: Path) -> None:
    with GraphStore.open(tmp_path / "store", create=True) as store:
        result = build([tmp_path / "nowhere"], store, base=DEFAULT_BASE, extractor=extractor)
    assert [p.kind for p in result.problems] == ["missing"]


def test_a_folder_of_thousands_of_files_is_read_through(
    extractor: Extractor, tmp_path: Path
) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(2000):
        (folder / f"{i:04d}.txt").write_bytes(b"")
    shutil.copy(sample_files()[0], folder / "real.txt")
    with GraphStore.open(tmp_path / "store", create=True) as store:
        result = build([folder], store, base=DEFAULT_BASE, extractor=extractor)
    assert len(result.problems) == 2000
    assert result.loaded == [str(folder / "real.txt")]


def test_loading_the_same_report_twice_changes_nothing(
    extractor: Extractor, tmp_path: Path
) -> None:
    with GraphStore.open(tmp_path / "store", create=True) as store:
        build(sample_files()[:2], store, base=DEFAULT_BASE, extractor=extractor)
        first = export_bytes(store, "nquads")
        build(sample_files()[:2], store, base=DEFAULT_BASE, extractor=extractor)
        assert export_bytes(store, "nquads") == first


def test_the_base_iri_is_configurable(extractor: Extractor, tmp_path: Path) -> None:
    with GraphStore.open(tmp_path / "store", create=True) as store:
        build(sample_files()[:1], store, base="https://pref.example/kg/", extractor=extractor)
        data = export_bytes(
            store,
            "nquads",
        ).decode()
    assert "<https://pref.example/kg/report/" in data
    assert DEFAULT_BASE not in data


def test_a_build_killed_midway_then_rerun_gives_the_same_export(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for copy in range(24):  # long enough to be killed in the middle, however fast the build
        for path in sample_files():
            shutil.copy(path, folder / f"c{copy}-{path.name}")
    cmd = [sys.executable, "-m", "incident_kg.cli", "--quiet", "build", str(folder)]
    killed = tmp_path / "killed"
    proc = subprocess.Popen(
        [*cmd, "--store", str(killed)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    staging = tmp_path / f".killed.building-{proc.pid}"
    deadline = time.monotonic() + 60
    while not staging.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # past start-up: the first build is writing its staging store
    time.sleep(1.0)  # in the middle of the batch
    assert proc.poll() is None, (
        "the build finished before it could be killed: make the batch larger"
    )
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    subprocess.run([*cmd, "--store", str(killed)], check=True, capture_output=True)
    clean = tmp_path / "clean"
    subprocess.run([*cmd, "--store", str(clean)], check=True, capture_output=True)
    with GraphStore.open(killed) as a, GraphStore.open(clean) as b:
        assert export_bytes(a, "nquads") == export_bytes(b, "nquads")


@pytest.mark.parametrize("name", ["empty.txt"])
def test_the_cli_names_a_bad_file_and_exits_1(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(sample_files()[0], folder / "good.txt")
    (folder / name).write_bytes(b"")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "incident_kg.cli",
            "--quiet",
            "build",
            str(folder),
            "--store",
            str(tmp_path / "store"),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert name in proc.stderr
    assert "loaded 1 report(s)" in proc.stdout


def _pdf_of(text: str, path: Path) -> Path:
    """A PDF with a text layer: the report's lines drawn down A4 pages, 40 characters a line."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    pdf = canvas.Canvas(str(path), pagesize=A4)
    y = 800
    for paragraph in text.splitlines():
        for k in range(0, max(len(paragraph), 1), 40):
            if y < 60:
                pdf.showPage()
                y = 800
            pdf.setFont("HeiseiKakuGo-W5", 10)
            pdf.drawString(40, y, paragraph[k : k + 40])
            y -= 16
    pdf.save()
    return path


def test_a_pdf_report_is_built_like_its_text(extractor: Extractor, tmp_path: Path) -> None:
    from incident_kg.graph.build import read_and_extract

    source = sample_files()[0]
    text = read_and_extract(source, extractor)
    pdf = read_and_extract(
        _pdf_of(source.read_text(encoding="utf-8"), tmp_path / "r.pdf"), extractor
    )
    assert len(pdf.incidents) == len(text.incidents) == 1
    assert set(pdf.incidents[0].codes("harms")) == set(text.incidents[0].codes("harms"))
    assert set(pdf.incidents[0].codes("causes")) >= {"PersonalDeviceUse"}


def test_the_store_keeps_when_a_record_was_created_and_changed(
    extractor: Extractor, tmp_path: Path
) -> None:
    report = tmp_path / "r.txt"
    shutil.copy(sample_files()[0], report)
    times = iter(["2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"])
    with GraphStore.open(tmp_path / "store", create=True) as store:
        iri = f"{DEFAULT_BASE}report/r"
        build([report], store, base=DEFAULT_BASE, extractor=extractor, clock=lambda: next(times))
        first = store.record(iri)
        result = build(
            [report], store, base=DEFAULT_BASE, extractor=extractor, clock=lambda: next(times)
        )
        assert result.unchanged == [str(report)]
        assert store.record(iri) == first  # same graph: nothing written, times kept
        report.write_text(report.read_text(encoding="utf-8") + "\n追記。\n", encoding="utf-8")
        build([report], store, base=DEFAULT_BASE, extractor=extractor, clock=lambda: next(times))
        changed = store.record(iri)
        exported = export_bytes(store, "nquads").decode()
    assert first is not None and changed is not None
    assert (first.created, first.modified) == ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
    assert (changed.created, changed.modified) == ("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z")
    assert "2026-01-01T00:00:00Z" not in exported  # record keeping stays out of exports
