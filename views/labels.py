"""Names the views show for codes that are not nodes — relations drawn as edge labels, the
steps of a causal chain — in both languages, from the plain file ``templates/legend.yaml``
(sections ``relations``, ``steps`` and ``marks``), and the edge labels of a page graph put
in both languages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.resources import files

import yaml

from .graphs import TEMPLATE_PACKAGE, PageGraph, Text


@dataclass(frozen=True)
class Names:
    """ja/en names of relations, chain steps and marks; a code not listed names itself."""

    relations: dict[str, Text] = field(default_factory=dict)
    steps: dict[str, Text] = field(default_factory=dict)
    marks: dict[str, dict[str, str]] = field(default_factory=dict)

    def relation(self, code: str) -> Text:
        return self.relations.get(code, (code, code))

    def step(self, code: str) -> Text:
        return self.steps.get(code, (code, code))


def _pairs(section: dict[str, dict[str, str]] | None) -> dict[str, Text]:
    return {code: (str(v["ja"]), str(v["en"])) for code, v in (section or {}).items()}


def load_names() -> Names:
    """The names of ``templates/legend.yaml``."""
    text = files(TEMPLATE_PACKAGE).joinpath("templates", "legend.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    return Names(
        relations=_pairs(data.get("relations")),
        steps=_pairs(data.get("steps")),
        marks=dict(data.get("marks") or {}),
    )


def name_edges(page: PageGraph, names: Names, lang: str) -> None:
    """Give every labelled edge (a relation code) its ja and en names, shown in ``lang``
    (``views.js`` switches them with the page's language)."""
    for edge in page.edges:
        code = edge.get("label")
        if isinstance(code, str):
            ja, en = names.relation(code)
            edge.update(label=en if lang == "en" else ja, label_ja=ja, label_en=en)


__all__ = ["Names", "load_names", "name_edges"]
