"""Real OWL tools for the tests, on a Java runtime: the OWL API's OWL 2 DL profile checker and
the HermiT reasoner, both from the jars the ``owlready2`` wheel ships (OWL API 3.4.3 beside
Pellet, HermiT 1.4); the OWL API is driven through JPype, HermiT through its command line.

Run as a script (``python -m tests.ontology.owl_tools profile FILE``) so that the Java
virtual machine lives in its own process: one JPype JVM per process, never restarted.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


def java() -> str | None:
    """The ``java`` executable, if a Java runtime is installed."""
    return shutil.which("java")


def _owlready_dir() -> Path:
    import owlready2

    return Path(owlready2.__file__).parent


def owlapi_jar() -> Path:
    return _owlready_dir() / "pellet" / "owlapi-distribution-3.4.3-bin.jar"


def hermit_jar() -> Path:
    return _owlready_dir() / "hermit" / "HermiT.jar"


@dataclass(frozen=True)
class Profile:
    """What the OWL API's OWL2DLProfile says of a document."""

    axioms: int
    violations: list[str]


def dl_profile(path: Path) -> Profile:
    """Check ``path`` (Turtle, RDF/XML…) against the OWL 2 DL profile, in a child process."""
    proc = subprocess.run(
        [sys.executable, "-m", "tests.ontology.owl_tools", "profile", str(path)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return Profile(data["axioms"], data["violations"])


def hermit(
    path: Path, *, ignore_unsupported_datatypes: bool = False
) -> subprocess.CompletedProcess[str]:
    """HermiT's consistency check (``-k``) of ``path``."""
    args = [java() or "java", "-Xmx2g", "-cp", str(hermit_jar())]
    args += ["org.semanticweb.HermiT.cli.CommandLine", "-k"]
    if ignore_unsupported_datatypes:
        args.append("--ignoreUnsupportedDatatypes")
    args.append(path.resolve().as_uri())
    return subprocess.run(args, capture_output=True, text=True, timeout=600)


def _profile_main(path: str) -> None:
    import jpype
    import jpype.imports  # enables imports of Java packages

    jpype.startJVM(classpath=[str(owlapi_jar())])
    from java.io import File  # type: ignore[import-not-found]
    from org.semanticweb.owlapi.apibinding import (  # type: ignore[import-not-found]
        OWLManager,
    )
    from org.semanticweb.owlapi.profiles import OWL2DLProfile  # type: ignore[import-not-found]

    manager = OWLManager.createOWLOntologyManager()
    ontology = manager.loadOntologyFromOntologyDocument(File(path))
    report = OWL2DLProfile().checkOntology(ontology)
    violations = sorted({str(v).split(" [", 1)[0] for v in report.getViolations()})
    print(json.dumps({"axioms": int(ontology.getAxiomCount()), "violations": violations}))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "profile":
        _profile_main(sys.argv[2])
    else:
        sys.exit("usage: python -m tests.ontology.owl_tools profile FILE")
