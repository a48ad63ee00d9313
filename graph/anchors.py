"""Where a span of evidence is in the report as published.

The extractor reads a normalised text (NFKC, PDF line breaks joined: extraction/normalize.py)
and its spans point into it.  That text is never published, so the evidence's Web Annotation
selectors (``oa:TextQuoteSelector`` exact/prefix/suffix, ``oa:TextPositionSelector``
start/end) are given in the text *as read from the file* instead: a client that holds the
report finds the quote there, by its context or by its offsets (code points, as the Web
Annotation model counts them).  The report keeps, for every normalised character, where in
the file's text it came from (:attr:`~incident_kg.extraction.model.Report.offsets`); a
report without that map (built by another tool) is anchored in its normalised text.
"""

from __future__ import annotations

from dataclasses import dataclass

from incident_kg.extraction.model import Report, Span

#: Characters of context kept before and after a quote (``oa:prefix``, ``oa:suffix``).
CONTEXT = 12


@dataclass(frozen=True)
class Anchor:
    """A span as the selectors give it: offsets into the published text and its quote."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


@dataclass(frozen=True)
class SourceText:
    """A report's published text with the map from its normalised text into it."""

    normalised: str
    published: str
    offsets: tuple[int, ...]  # len(normalised) + 1 entries; () when not known

    @classmethod
    def of(cls, report: Report) -> SourceText:
        if report.original and len(report.offsets) == len(report.text) + 1:
            return cls(report.text, report.original, report.offsets)
        return cls(report.text, report.text, ())

    def anchor(self, span: Span) -> Anchor:
        """The span in the published text, without the white space a line break or the end
        of a PDF line left at its edges (the quote is then exactly ``published[start:end]``)."""
        text = self.published
        if self.offsets:
            start, end = self.offsets[span.start], self.offsets[span.end]
        else:
            start, end = span.start, span.end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return Anchor(
            start,
            end,
            text[start:end],
            text[max(0, start - CONTEXT) : start],
            text[end : end + CONTEXT],
        )


__all__ = ["CONTEXT", "Anchor", "SourceText"]
