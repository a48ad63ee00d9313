"""Bounded reads and plain outcomes (issue 16, failures 10, 12 and 13): every file is read
within a size bound and refused by type when it is no regular file, every skipped path is
named with its reason, a path that is still there is never pruned, and the exit codes are
those the README states (0 success, 1 some input failed, 2 the command could not run)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from incident_kg.errors import ReportReadError
from incident_kg.graph.store import GraphStore

from ..conftest import sample_files

CLI = [sys.executable, "-m", "incident_kg.cli", "--quiet"]
#: The CLI, writing its peak resident memory (KiB) into the file given first at exit.  Read
#: from /proc/self/status (VmHWM, this program's own memory): rusage's ru_maxrss would count
#: the pages of the test process the child was forked from.
PEAK = [
    sys.executable,
    "-c",
    "import atexit, re, runpy, sys\n"
    "out = sys.argv.pop(1)\n"
    "def peak():\n"
    "    text = open('/proc/self/status').read()\n"
    "    open(out, 'w').write(re.search(r'VmHWM:\\s+(\\d+)', text).group(1))\n"
    "atexit.register(peak)\n"
    "sys.argv[0] = 'incident-kg'\n"
    "runpy.run_module('incident_kg.cli', run_name='__main__')\n",
]


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good TriG export of one report, to import."""
    root = tmp_path_factory.mktemp("exported")
    run("build", str(sample_files()[0]), "--store", str(root / "store"))
    run(
        "export",
        "--store",
        str(root / "store"),
        "--rdf-format",
        "trig",
        "-o",
        str(root / "one.trig"),
    )
    return root / "one.trig"


# -- import (failures 10 and 13) -----------------------------------------------------------


@pytest.mark.parametrize("kind", ["device", "fifo"])
def test_import_refuses_a_device_or_a_fifo_by_its_type_without_reading_it(
    tmp_path: Path, kind: str
) -> None:
    """Failure 10: `/dev/zero` behind a symlink, or a FIFO, passed the 16 MiB check (made
    with stat) and the import read until the machine's memory ran out."""
    path = tmp_path / "received.ttl"
    if kind == "device":
        path.symlink_to("/dev/zero")
    else:
        os.mkfifo(path)
    started = time.monotonic()
    proc = run("import", str(path), "--from", "city-x", "--store", str(tmp_path / "store"))
    assert time.monotonic() - started < 30
    assert proc.returncode == 1
    [line] = proc.stderr.strip().splitlines()
    assert str(path) in line and ("a device" in line if kind == "device" else "FIFO" in line)
    assert not (tmp_path / "store").exists()


def test_an_empty_file_is_refused_not_imported_as_nothing(tmp_path: Path) -> None:
    """Failure 13: an empty file "imported 0 graph(s), 0 triples under TLP:RED" with exit 0."""
    empty = tmp_path / "empty.ttl"
    empty.write_bytes(b"")
    proc = run("import", str(empty), "--from", "city-x", "--store", str(tmp_path / "store"))
    assert proc.returncode == 1
    assert "holds no triples" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "store").exists()


def test_an_unparsable_file_exits_1_as_the_readme_says(tmp_path: Path) -> None:
    """Failure 13: an unparsable import exited 2 where the README says 1 (input that failed)."""
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .", encoding="utf-8")
    proc = run("import", str(bad), "--from", "city-x", "--store", str(tmp_path / "store"))
    assert proc.returncode == 1
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("Error: ") and "not valid turtle" in line.lower()
    usage = run("import", str(bad), "--store", str(tmp_path / "store"))  # no --from: usage
    assert usage.returncode == 2


def test_a_good_import_still_exits_0(exported: Path, tmp_path: Path) -> None:
    proc = run("import", str(exported), "--from", "city-x", "--store", str(tmp_path / "store"))
    assert proc.returncode == 0, proc.stderr
    assert "imported one.trig" in proc.stdout


# -- build (failures 12 and 13) ------------------------------------------------------------


def test_build_of_a_mistyped_path_creates_no_store(tmp_path: Path) -> None:
    """Failure 13: `build /typo` created an empty store folder."""
    store = tmp_path / "store"
    proc = run("build", str(tmp_path / "typo"), "--store", str(store))
    assert proc.returncode == 1
    assert "typo: no such file or directory" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_every_skipped_path_is_named_with_its_reason(tmp_path: Path) -> None:
    """Failure 12: hidden names, symlinks to nothing, FIFOs and a folder reached through a
    symlink named like a report were skipped silently, with exit 0."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(sample_files()[0], folder / "good.txt")
    shutil.copy(sample_files()[1], folder / ".hidden.txt")
    (folder / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    os.mkfifo(folder / "pipe.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    (tmp_path / "elsewhere").mkdir()
    (folder / "x.txt").symlink_to(tmp_path / "elsewhere")
    (folder / "notes.yaml").write_text("not a report\n", encoding="utf-8")
    proc = run("build", str(folder), "--store", str(tmp_path / "store"))
    assert proc.returncode == 1  # a FIFO, a device and a symlink to nothing failed
    said = {line.split(": ", 2)[1].rsplit("/", 1)[-1]: line for line in proc.stderr.splitlines()}
    assert said[".hidden.txt"].startswith("warning:") and "hidden" in said[".hidden.txt"]
    assert said["gone.txt"].startswith("error:") and "symlink to nothing" in said["gone.txt"]
    assert said["pipe.txt"].startswith("error:") and "FIFO" in said["pipe.txt"]
    assert said["zero.txt"].startswith("error:") and "a device" in said["zero.txt"]
    assert said["x.txt"].startswith("warning:") and "not followed" in said["x.txt"]
    assert "notes.yaml" not in proc.stderr  # not a report by its name: not a skipped report
    assert "loaded 1 report(s)" in proc.stdout


def test_a_report_whose_file_became_a_symlink_to_nothing_is_not_pruned(tmp_path: Path) -> None:
    """Failure 12: with pruning on by default, such a report could be removed from the store."""
    folder = tmp_path / "in"
    folder.mkdir()
    for path in sample_files()[:2]:
        shutil.copy(path, folder / path.name)
    store = tmp_path / "store"
    assert run("build", str(folder), "--store", str(store)).returncode == 0
    moved = folder / sample_files()[0].name
    moved.rename(tmp_path / "moved.txt")
    moved.symlink_to(tmp_path / "not-there.txt")
    proc = run("build", str(folder), "--store", str(store))
    assert proc.returncode == 1 and "symlink to nothing" in proc.stderr
    assert "removed" not in proc.stdout
    with GraphStore.open(store, read_only=True) as opened:
        assert len(opened.report_graphs()) == 2


def test_a_report_larger_than_its_bound_is_refused_by_name(tmp_path: Path) -> None:
    from incident_kg.extraction.read import read_report

    big = tmp_path / "big.txt"
    with big.open("wb") as out:
        out.truncate(25_000_000)  # sparse: over the 20 MB bound without writing it
    with pytest.raises(ReportReadError) as caught:
        read_report(big)
    assert caught.value.kind == "too-large" and "big.txt" in str(caught.value)


def test_a_report_over_the_text_limit_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """Failure 11: building cost about 0.45 GB per MB of text, and the 20 MB input limit let
    a report take ~9 GB.  Now a text is bounded too (DEFAULT_MAX_CHARS): a 5 MB report is
    refused in one line, in the memory of a small one (benchmarks/report_memory.py measures
    the rest)."""
    from incident_kg.extraction.read import DEFAULT_MAX_CHARS, read_report

    one = read_report(sample_files()[0]).text
    big = tmp_path / "big.txt"
    big.write_text(one * (5_000_000 // len(one.encode()) + 1), encoding="utf-8")
    started = time.monotonic()
    peak = tmp_path / "peak"
    store_option = ("--store", str(tmp_path / "store"))
    proc = subprocess.run(
        [*PEAK, str(peak), "--quiet", "build", str(big), "--workers", "1", *store_option],
        capture_output=True,
        text=True,
        timeout=300,
    )
    err = proc.stderr
    assert proc.returncode == 1 and "Traceback" not in err
    assert "too long" in err and f"{DEFAULT_MAX_CHARS:,}" in err
    assert int(peak.read_text()) < 450 * 1024  # KiB: the extractor's ~220 MB, not gigabytes
    assert time.monotonic() - started < 120
    at_limit = tmp_path / "at-limit.txt"
    at_limit.write_text("あ" * DEFAULT_MAX_CHARS, encoding="utf-8")
    assert len(read_report(at_limit).text) == DEFAULT_MAX_CHARS  # the limit itself is read
    at_limit.write_text("あ" * (DEFAULT_MAX_CHARS + 1), encoding="utf-8")
    with pytest.raises(ReportReadError, match="too long"):
        read_report(at_limit)
