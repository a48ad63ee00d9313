"""One writer at a time, readers always: two builds or two imports at once, a build under
`serve`, readers during a build, and build workers that die with their parent (issue 16,
failures 8 and 9).  Every case runs the real command in its own process."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from incident_kg.export import export_bytes
from incident_kg.graph.lock import StoreBusyError, lock_path, read_holder, store_lock
from incident_kg.graph.store import META_GRAPH, GraphStore

from ..conftest import sample_files
from ..sparql_http import http, rows

CLI = [sys.executable, "-m", "incident_kg.cli", "--quiet"]
TRIG = ("--rdf-format", "trig")


def _corpus(folder: Path, copies: int) -> Path:
    folder.mkdir(parents=True)
    for copy in range(copies):
        for path in sample_files():
            shutil.copy(path, folder / f"c{copy}-{path.name}")
    return folder


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _finish(proc: subprocess.Popen[str], timeout: float = 300) -> tuple[int, str]:
    _out, err = proc.communicate(timeout=timeout)
    assert "Traceback" not in err, err
    return proc.returncode, err


def _dump(store_dir: Path) -> bytes:
    with GraphStore.open(store_dir, read_only=True) as store:
        return export_bytes(store, "nquads")


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """Two copies of the samples, and the export of a store built from them alone."""
    root = tmp_path_factory.mktemp("clean")
    corpus = _corpus(root / "in", 2)
    subprocess.run(
        [*CLI, "build", str(corpus), "--store", str(root / "store")],
        check=True,
        capture_output=True,
    )
    return corpus, _dump(root / "store")


def test_two_builds_into_one_new_store_at_once_end_in_the_clean_graph(
    clean: tuple[Path, bytes], tmp_path: Path
) -> None:
    """Failure 8: the second died with `OSError: Directory not empty`.  Now it waits."""
    corpus, want = clean
    store = tmp_path / "store"
    runs = [_start("build", str(corpus), "--store", str(store), "--wait", "300") for _ in range(2)]
    codes = [_finish(p)[0] for p in runs]
    assert codes == [0, 0]
    assert _dump(store) == want


def test_a_second_build_without_wait_says_in_one_line_who_holds_the_store(
    clean: tuple[Path, bytes], tmp_path: Path
) -> None:
    corpus, want = clean
    store = tmp_path / "store"
    first = _start("build", str(corpus), "--store", str(store))
    deadline = time.monotonic() + 60
    while read_holder(store).pid != first.pid and time.monotonic() < deadline:
        time.sleep(0.02)
    second = subprocess.run(
        [*CLI, "build", str(corpus), "--store", str(store)], capture_output=True, text=True
    )
    assert _finish(first)[0] == 0
    assert second.returncode == 2
    assert "Traceback" not in second.stderr
    [line] = second.stderr.strip().splitlines()
    assert line.startswith(f"Error: store {store} is busy: `incident-kg build` (PID {first.pid}")
    assert "--wait" in line
    assert _dump(store) == want


def _export_file(store_dir: Path, out: Path, report: str) -> Path:
    subprocess.run(
        [*CLI, "export", "--store", str(store_dir), "--report", report, "-o", str(out), *TRIG],
        check=True,
        capture_output=True,
    )
    return out


def test_two_imports_at_once_both_land_and_a_busy_store_names_its_writer(
    tmp_path: Path,
) -> None:
    """Failure 8: one of two imports at once was refused with "in use by another process
    (a server?)", though no server ran.  With --wait both land; without, the refusal names
    the command that holds the store."""
    source = tmp_path / "source"
    subprocess.run(
        [*CLI, "build", *map(str, sample_files()[:2]), "--store", str(source)],
        check=True,
        capture_output=True,
    )
    files = [_export_file(source, tmp_path / f"{p.stem}.trig", p.stem) for p in sample_files()[:2]]
    target = tmp_path / "target"
    both = [
        _start("import", str(f), "--from", f"city-{k}", "--store", str(target), "--wait", "300")
        for k, f in enumerate(files)
    ]
    finished = [_finish(p) for p in both]
    assert [code for code, _ in finished] == [0, 0], [err for _, err in finished]
    with GraphStore.open(target, read_only=True) as opened:
        assert len(opened.report_graphs()) == 2
    with store_lock(target, command="incident-kg import"):
        busy = subprocess.run(
            [*CLI, "import", str(files[0]), "--from", "city-0", "--store", str(target)],
            capture_output=True,
            text=True,
        )
    assert busy.returncode == 2
    [line] = busy.stderr.strip().splitlines()
    assert f"is busy: `incident-kg import` (PID {os.getpid()}" in line
    assert "a server?" not in line


def test_the_lock_is_reentrant_in_a_process_and_released_by_death(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with store_lock(store, command="incident-kg test"), store_lock(store):
        assert read_holder(store).pid == os.getpid()
        child = subprocess.run(
            [
                sys.executable,
                "-c",
                "from incident_kg.graph.lock import store_lock;"
                f"store_lock({str(store)!r}).__enter__()",
            ],
            capture_output=True,
            text=True,
        )
        assert "StoreBusyError" in child.stderr and "`incident-kg test`" in child.stderr
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from incident_kg.graph.lock import store_lock;"
            f"held = store_lock({str(store)!r}, command='x'); held.__enter__(); print('held', flush=True);"
            "time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    with pytest.raises(StoreBusyError, match=f"PID {holder.pid}"):
        with store_lock(store, wait=0.3):
            pass
    holder.kill()
    holder.wait()
    with store_lock(store, wait=5):  # the kernel released it with the process
        pass
    assert lock_path(store) == tmp_path / ".store.lock"


def _children(pid: int) -> set[int]:
    """The PIDs of a process's children (Linux /proc)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            pass
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_the_workers_of_a_build_killed_with_kill_9_die_with_it(tmp_path: Path) -> None:
    """Failure 9: a build killed with kill -9 left its forked workers alive for good."""
    corpus = _corpus(tmp_path / "in", 6)
    proc = subprocess.Popen(
        [*CLI, "build", str(corpus), "--store", str(tmp_path / "store"), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while len(workers) < 2 and proc.poll() is None and time.monotonic() < deadline:
        workers = _children(proc.pid)
        time.sleep(0.05)
    assert len(workers) >= 2, "the pool did not start: make the batch larger"
    time.sleep(0.5)  # the workers are extracting
    os.kill(proc.pid, signal.SIGKILL)  # the build only, not its process group
    proc.wait()
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [w for w in workers if _alive(w)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == []


def _graphs(store_dir: Path) -> dict[str, frozenset[str]]:
    """Every graph but the record keeping, as its set of N-Triples lines."""
    with GraphStore.open(store_dir, read_only=True) as store:
        out: dict[str, set[str]] = {}
        for q in store.quads():
            name = q.graph_name
            assert isinstance(name, ox.NamedNode)
            if name.value != META_GRAPH:
                out.setdefault(name.value, set()).add(f"{q.subject} {q.predicate} {q.object}")
        records = {r.report for r in store.records()}
        reports = set(store.report_graphs())
    assert {g.replace("/graph/", "/report/", 1) for g in reports} == records  # graph ⇔ record
    return {k: frozenset(v) for k, v in out.items()}


def test_readers_during_a_build_see_every_report_whole_or_not_at_all(
    clean: tuple[Path, bytes], tmp_path: Path
) -> None:
    corpus, _ = clean
    names = sorted(p.name for p in corpus.iterdir())
    first = tmp_path / "first"
    first.mkdir()
    for name in names[:3]:
        shutil.copy(corpus / name, first / name)
    store = tmp_path / "store"
    subprocess.run([*CLI, "build", str(first), "--store", str(store)], check=True)
    build = _start("build", str(corpus), "--store", str(store), "--workers", "1")
    seen: list[dict[str, frozenset[str]]] = []
    while build.poll() is None:
        seen.append(_graphs(store))  # opened read-only while the build writes
    assert _finish(build)[0] == 0
    final = _graphs(store)
    assert len(seen) >= 2
    shared = {g for g in final if not g.rsplit("/", 1)[-1].startswith("c")}
    for snapshot in seen:
        for graph, triples in snapshot.items():
            if graph not in shared:  # a report's graph (or its inferred graph)
                assert triples == final[graph], f"{graph} half-written"


def test_a_build_under_serve_ends_in_the_clean_graph_and_serve_keeps_answering(
    clean: tuple[Path, bytes], tmp_path: Path
) -> None:
    """Failure 8: a build while `serve` runs was allowed and only warned against."""
    corpus, want = clean
    names = sorted(p.name for p in corpus.iterdir())
    part = tmp_path / "part"
    part.mkdir()
    for name in names[:4]:
        shutil.copy(corpus / name, part / name)
    store = tmp_path / "store"
    subprocess.run([*CLI, "build", str(part), "--store", str(store)], check=True)
    from incident_kg.queries.endpoint import free_port

    port = free_port()
    serve = subprocess.Popen(
        [*CLI, "serve", "--store", str(store), "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/query"
    count = "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a <https://w3id.org/incident-kg/ontology#Report> }"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if http(url, query=count)[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        build = _start("build", str(corpus), "--store", str(store))
        answers = []
        while build.poll() is None:
            status, _, data = http(url, query=count)
            assert status == 200, data
            answers.append(int(rows(data)[0]["n"]))
        assert _finish(build)[0] == 0
        assert answers and all(n >= 4 for n in answers)
        assert _dump(store) == want
        deadline = time.monotonic() + 30  # serve takes up what the build wrote
        while int(rows(http(url, query=count)[2])[0]["n"]) < len(names):
            assert time.monotonic() < deadline, "serve never showed the new reports"
            time.sleep(0.2)
    finally:
        serve.send_signal(signal.SIGINT)
        _out, err = serve.communicate(timeout=30)
    assert "Traceback" not in err
