"""What extraction costs per report, and what a build's peak memory is (issue 15).

Measured on the benchmark corpus (``benchmarks/corpus.py``, seed 7) and on the two sets re-told
from real pages (longer, news-like texts):

* CPU seconds of one core per report to read and extract it (``time.process_time`` around
  ``read_report`` + ``extract_report``, the extractor made once, untimed), the median of
  ``--repeat`` passes; once with the similarity stage and once with it switched off (no
  thresholds), in the same process;
* the peak resident memory of ``incident-kg build`` of the corpus into a fresh store (the
  largest RSS of the build and its workers, ``RUSAGE_CHILDREN``).

``--baseline-python`` names the interpreter of another checkout (the code before issue 15):
the same measurement runs there in the same run, so the table gives ratios, not only times.

    .venv/bin/python -m benchmarks.extraction_cost --reports 1000 --workdir /tmp/ikg-cost \\
        --baseline-python /tmp/base-venv/bin/python

Run from the project root.  Prints a Markdown table (paste it into RESULTS.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = [
    ROOT / "samples" / "real-mynumber" / "reports",
    ROOT / "samples" / "real-municipal" / "reports",
]


def _files(folders: list[Path]) -> list[Path]:
    from incident_kg.extraction.read import iter_report_files

    return list(iter_report_files(folders))


def measure_cpu(folders: list[Path], repeat: int, similarity: bool) -> dict[str, float]:
    """Median CPU ms per report over ``repeat`` passes (this process, one core)."""
    from incident_kg.extraction.extract import extract_report
    from incident_kg.extraction.read import read_report
    from incident_kg.graph.build import default_extractor

    extractor = default_extractor()
    if not similarity and hasattr(extractor, "similarity"):
        coder = extractor.similarity
        off = dataclasses.replace(
            coder, settings=dataclasses.replace(coder.settings, thresholds={})
        )
        extractor = dataclasses.replace(extractor, similarity=off)
    files = _files(folders)
    texts = [(p, read_report(p).text) for p in files]
    passes: list[float] = []
    for _ in range(repeat):
        start = time.process_time()
        for path, text in texts:
            extract_report(extractor, text, source=path.name)
        passes.append((time.process_time() - start) / len(texts) * 1000)
    return {"reports": len(texts), "ms_per_report": statistics.median(passes)}


_BUILD = """
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run([sys.argv[1], "-m", "incident_kg.cli", "-q", "build", sys.argv[2], "--store", sys.argv[3]],
               check=True, capture_output=True)
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def measure_build(corpus: Path, python: str, root: Path) -> dict[str, float]:
    """Wall seconds and peak RSS (MiB: the largest of the build process and its workers,
    ``RUSAGE_CHILDREN`` of a fresh wrapper process) of ``incident-kg build`` of ``corpus``."""
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [sys.executable, "-c", _BUILD, python, str(corpus), f"{tmp}/store"],
            cwd=root,
            check=True,
            capture_output=True,
            text=True,
        )
    wall, peak = proc.stdout.split()
    return {"build_s": float(wall), "peak_mib": int(peak) / 1024}


def child(args: argparse.Namespace) -> None:
    """The measurement of one interpreter, as JSON on stdout."""
    folders = [Path(f) for f in args.folders]
    out = {
        "with": measure_cpu(folders, args.repeat, True),
        "without": measure_cpu(folders, args.repeat, False),
    }
    print(json.dumps(out))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "ikg-cost")
    parser.add_argument("--baseline-python", default=None)
    parser.add_argument(
        "--baseline-root",
        type=Path,
        default=None,
        help="The other checkout's project root (holding this script): its children run there.",
    )
    parser.add_argument("--child", nargs="*", dest="folders", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.folders is not None:
        child(args)
        return
    corpus = args.workdir / f"corpus-{args.reports}"
    if not corpus.is_dir():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.corpus",
                "text",
                "--reports",
                str(args.reports),
                "--seed",
                "7",
                str(corpus),
            ],
            check=True,
            cwd=ROOT,
        )
    rows = []
    runs = [("issue 15", sys.executable, ROOT)]
    if args.baseline_python:
        runs.append(("before (baseline)", args.baseline_python, args.baseline_root or ROOT))
    for label, python, root in runs:
        cpu = {}
        for name, folders in (("corpus", [corpus]), ("real sets", REAL)):
            proc = subprocess.run(
                [
                    python,
                    "-m",
                    "benchmarks.extraction_cost",
                    "--repeat",
                    str(args.repeat),
                    "--child",
                    *map(str, folders),
                ],
                check=True,
                capture_output=True,
                text=True,
                cwd=root,
            )
            cpu[name] = json.loads(proc.stdout.strip().splitlines()[-1])
        build = measure_build(corpus, python, root)
        rows.append((label, cpu, build))
    print(
        f"| code | corpus ms/report (similarity on / off) | real sets ms/report (on / off) | build of {args.reports} reports, s | peak RSS of the build, MiB |"
    )
    print("|---|---|---|---|---|")
    for label, cpu, build in rows:
        c, r = cpu["corpus"], cpu["real sets"]
        print(
            f"| {label} | {c['with']['ms_per_report']:.1f} / {c['without']['ms_per_report']:.1f} "
            f"| {r['with']['ms_per_report']:.1f} / {r['without']['ms_per_report']:.1f} "
            f"| {build['build_s']:.1f} | {build['peak_mib']:.0f} |"
        )


if __name__ == "__main__":
    main()
