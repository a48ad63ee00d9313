"""Views: the analysis made visible as offline HTML pages (templates in ``templates/``).

:mod:`.graphs` makes what each page's network draws, :mod:`.pages` the pages (graph, notes,
tables) in memory, :mod:`.write` renders them with their assets into a folder.
"""

from .graphs import ViewError, ViewOptions, load_legend, overview_graph
from .pages import Page, build_pages, page_network, page_relations
from .write import (
    ViewsResult,
    copy_assets,
    redact_network,
    render_page,
    template_environment,
    write_views,
)

__all__ = [
    "Page",
    "ViewError",
    "ViewOptions",
    "ViewsResult",
    "build_pages",
    "copy_assets",
    "load_legend",
    "overview_graph",
    "page_network",
    "page_relations",
    "redact_network",
    "render_page",
    "template_environment",
    "write_views",
]
