"""The corpus the interchange tests export: the sample reports, one of them with a curation
sidecar (a removed code: an ikg:CurationChange) and a source sidecar (its publisher and URL),
so that every kind of node an export can hold is there."""

from __future__ import annotations

import shutil
from pathlib import Path

from .conftest import SAMPLES

CURATED = "s02-sakai-logout"
URL = "https://www.city.sakai.lg.jp/example/mynapoint.html"

CURATION = """\
curator: audit-team-07
date: 2026-11-20
incidents:
  - incident: 1
    confirm: true
    remove: {causes: [SharedDevice]}
"""

SOURCE = f"""\
publisher: 堺市
url: {URL}
"""


def interchange_corpus(folder: Path) -> Path:
    """The sample reports copied into ``folder``, with the sidecars of :data:`CURATED`."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(SAMPLES.iterdir()):
        if path.is_file():
            shutil.copy2(path, folder / path.name)
    (folder / f"{CURATED}.curation.yaml").write_text(CURATION, encoding="utf-8")
    (folder / f"{CURATED}.source.yaml").write_text(SOURCE, encoding="utf-8")
    return folder
