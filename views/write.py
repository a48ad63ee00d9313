"""Writing the views: pages rendered through the Jinja2 template with their assets (the
vis-network copy pyvis ships, ``views.js``, ``views.css``) into a folder, and the projection
redacted before any page is made of it.
"""

from __future__ import annotations

import logging
import shutil
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from importlib.resources import files
from pathlib import Path
from typing import Any

import networkx as nx
from jinja2 import Environment, select_autoescape

from incident_kg.analysis.linked import MeasureLink
from incident_kg.analysis.network import Evidence, copy_part
from incident_kg.analysis.summaries import redact_details_as_read
from incident_kg.graph.effectiveness import Effect
from incident_kg.privacy.pseudonyms import FILE_NAME, Pseudonymiser
from incident_kg.privacy.redact import RedactionRules, redact

from .folded import FOLD
from .graphs import TEMPLATE_PACKAGE, VIS_DIR, ViewError, ViewOptions, layout, load_legend, to_pyvis
from .labels import Names, load_names, name_edges
from .pages import SIMILARITY, Page, build_pages
from .readable import make_readable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WrittenPage:
    """A page written to disk, with the counts of what its network draws."""

    path: Path
    nodes: int
    edges: int


@dataclass(frozen=True)
class ViewsResult:
    out: Path
    pages: tuple[WrittenPage, ...]

    def page(self, relative: str) -> WrittenPage:
        return next(p for p in self.pages if p.path == self.out / relative)


def render_page(
    env: Environment,
    page: Page,
    lang: str,
    legend: dict[str, dict[str, str]],
    names: Names | None = None,
) -> tuple[str, dict[str, Any] | None]:
    """The HTML of one page, and the network data it draws (None for a page without one)."""
    names = names or load_names()
    graph = None
    kinds: list[dict[str, str]] = []
    marks: list[dict[str, str]] = []
    if page.graph is not None:
        layout(page.graph)
        make_readable(page.graph)  # labels sized and cleared (views/readable.py)
        name_edges(page.graph, names, lang)  # edge labels in both languages (views/labels.py)
        graph = to_pyvis(page.graph)
        present = {n["kind"] for n in page.graph.nodes}
        kinds = [{"name": k, **v} for k, v in legend.items() if k in present]
        if any(n.get("recurred") for n in page.graph.nodes):
            marks.append({"name": "recurred", **names.marks.get("recurred", {})})
    depth = page.path.count("/")
    html = env.get_template("page.html").render(
        lang=lang,
        title=page.title,
        prefix="../" * depth,
        graph=graph,
        legend=kinds,
        marks=marks,
        notes=page.notes,
        tables=page.tables,
        filters=page.filters,
        figures=page.figures,
    )
    return html, graph


def template_environment() -> Environment:
    """Jinja2 over ``templates/`` with autoescaping on for every template."""
    from jinja2 import FunctionLoader

    def load(name: str) -> str:
        return files(TEMPLATE_PACKAGE).joinpath("templates", name).read_text("utf-8")

    return Environment(
        loader=FunctionLoader(load),
        autoescape=select_autoescape(default=True, default_for_string=True),
        keep_trailing_newline=True,
    )


def copy_assets(lib: Path) -> None:
    """vis-network (as pyvis ships it), ``views.js`` and ``views.css`` into ``lib``."""
    import pyvis

    lib.mkdir(parents=True, exist_ok=True)
    vis = Path(pyvis.__file__).resolve().parent.joinpath(*VIS_DIR)
    for name in ("vis-network.min.js", "vis-network.css"):
        shutil.copyfile(vis / name, lib / name)
    for name in ("views.js", "views.css"):
        (lib / name).write_text(
            files(TEMPLATE_PACKAGE).joinpath("templates", name).read_text("utf-8"), "utf-8"
        )


def _pseudonymise_network(
    g: nx.MultiDiGraph, pseudonyms: Pseudonymiser
) -> tuple[nx.MultiDiGraph, Counter[str], dict[str, str]]:
    """A copy of the projection with no name made from a file name: nodes renamed through
    the pseudonyms (privacy/pseudonyms.py), a report's identifier as its pseudonym and its
    file name as the placeholder, wherever a label or a page name would show them.  ``g``
    is left as it is (the renamed copy is the only copy made).  Also returns each new name
    → the node's name in ``g``."""
    holder = pseudonyms.rules.placeholders[FILE_NAME]
    counts: Counter[str] = Counter()
    names = {n: pseudonyms.iri(n) for n in g.nodes if isinstance(n, str)}
    out = copy_part(g, names=names)  # nx.relabel_nodes(g, names): attribute dicts copied
    nodes = out.nodes
    shown: dict[str, tuple[str, str]] = {}  # report IRI → (identifier, what it is shown as)
    for node, kind in g.nodes(data="kind"):
        if kind == "report":
            attrs = nodes[names.get(node, node)]
            rid = str(attrs.get("identifier") or "")
            shown[node] = (rid, pseudonyms.identifier(rid) if rid else "")
            attrs["identifier"] = shown[node][1]
            for key in ("label_ja", "label_en"):
                if attrs.get(key) in (rid, attrs.get("file")) and attrs.get(key):
                    attrs[key] = shown[node][1]
            if attrs.get("file"):  # the placeholder, and the pseudonym to tell reports apart
                attrs["file"] = f"{holder} {shown[node][1]}".rstrip()
                counts[FILE_NAME] += 1
    for _, attrs in out.nodes(data=True):
        if attrs.get("kind") == "incident" and attrs.get("report") in shown:
            rid, alias = shown[attrs["report"]]
            for key in ("label_ja", "label_en"):
                text = attrs.get(key)
                if rid and isinstance(text, str) and text.startswith(rid):
                    attrs[key] = alias + text[len(rid) :]
    for _, attrs in out.nodes(data=True):  # attributes that name nodes (report, body…)
        for key, value in list(attrs.items()):
            if isinstance(value, str) and value in names:
                attrs[key] = names[value]
    return out, counts, {new: old for old, new in names.items()}


def redact_network(
    g: nx.MultiDiGraph, rules: RedactionRules, pseudonyms: Pseudonymiser | None = None
) -> tuple[nx.MultiDiGraph, Counter[str]]:
    """A copy of the projection with personal data in its texts (labels, titles, evidence
    sentences) replaced by typed placeholders, and the number replaced by kind — the same
    rules as a redacted export (privacy/redaction.yaml); with ``pseudonyms``, no node, label
    or page name made from a file name either (:func:`_pseudonymise_network`)."""
    counts: Counter[str] = Counter()
    done: dict[str, tuple[str, Counter[str]]] = {}  # labels and sentences recur: once each
    known: dict[str, str] = {}  # a new name → the name in g
    if pseudonyms is not None:
        out, counts, known = _pseudonymise_network(g, pseudonyms)  # the one copy
    else:
        out = g.copy()

    def clean(text: str) -> str:
        if text not in done:
            redacted, found = redact(text, rules)
            done[text] = (redacted, Counter(found))
        redacted, found = done[text]
        counts.update(found)
        return redacted

    for _, attrs in out.nodes(data=True):
        for key, value in list(attrs.items()):
            if isinstance(value, str):
                attrs[key] = clean(value)
    for _, _, attrs in out.edges(data=True):
        evidence = attrs.get("evidence")
        if evidence:
            attrs["evidence"] = tuple(
                replace(e, sentence=clean(e.sentence)) if isinstance(e, Evidence) else e
                for e in evidence
            )
        addresses = attrs.get("addresses")  # a measure's ties to causes: stated sentences
        if addresses:
            attrs["addresses"] = tuple(
                replace(lk, sentence=clean(lk.sentence))
                if isinstance(lk, MeasureLink) and lk.sentence
                else lk
                for lk in addresses
            )
    index = out.graph.get(SIMILARITY)  # one page's part of the projection (views/pages.py)
    if index is not None and pseudonyms is not None:
        out.graph[SIMILARITY] = index.renamed(pseudonyms.iri, known)
    fold = out.graph.get(FOLD)  # a cause page's counts, made before the part was cut out
    if fold is not None:
        out.graph[FOLD] = fold.redacted(clean, pseudonyms.iri if pseudonyms else lambda n: n)
    # what is read later (analysis/summaries.py) too: cleaned, and on the renamed nodes
    redact_details_as_read(
        out, clean, pseudonyms.iri if pseudonyms is not None else None, known or None
    )
    return out, counts


def write_views(
    g: nx.MultiDiGraph,
    out: Path,
    options: ViewOptions | None = None,
    *,
    progress: Callable[[Iterable[Page]], Iterable[Page]] = lambda pages: pages,
    effects: Iterable[Effect] = (),
) -> ViewsResult:
    """Write every page and its assets into ``out`` (created; the pages of a former run there
    are replaced, and its cause and incident pages removed first); ``effects`` (issue 18's
    follow-up of measures, graph/effectiveness.py) say on cause pages whether measures
    worked."""
    options = options or ViewOptions()
    legend = load_legend()
    names = load_names()
    pages = build_pages(g, options, legend, effects=effects)
    env = template_environment()
    try:
        whole = options.incident is None and options.cause is None
        for folder in ("cause", "incident") if whole else ():  # a former run's pages
            for stale in (out / folder).glob("*.html"):
                stale.unlink()
        copy_assets(out / "lib")
        written = []
        for page in progress(pages):
            target = out / page.path
            target.parent.mkdir(parents=True, exist_ok=True)
            html, graph = render_page(env, page, options.lang, legend, names)
            target.write_text(html, "utf-8")
            written.append(
                WrittenPage(
                    target,
                    len(graph["nodes"]) if graph else 0,
                    len(graph["edges"]) if graph else 0,
                )
            )
    except OSError as exc:
        raise ViewError(f"{out}: cannot write the views: {exc}") from exc
    log.info("wrote %d pages into %s", len(written), out)
    return ViewsResult(out, tuple(written))
