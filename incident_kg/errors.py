"""Domain exceptions.  The CLI turns these into one ``Error: …`` line and a non-zero
exit; anything else is a bug and shows its traceback."""

from __future__ import annotations

from pathlib import Path


class IncidentKGError(Exception):
    """Base of every expected failure (bad input, missing store, unknown code)."""


class FileReadError(IncidentKGError):
    """A file that cannot be read: missing, not a regular file (a FIFO, a device, a folder),
    larger than its limit, unreadable or undecodable.  ``kind`` names which, for programs."""

    def __init__(self, path: Path | str, kind: str, message: str) -> None:
        self.path = str(path)
        self.kind = kind
        self.message = message
        super().__init__(f"{self.path}: {message}")


class ReportReadError(FileReadError):
    """A report file cannot be read as text: empty, binary, unknown encoding, no text layer."""


class StoreError(IncidentKGError):
    """The store is missing, locked or was built with another base IRI."""


class UnknownCodeError(IncidentKGError):
    """A code that is not in the vocabulary (lexicon, curation sidecar, query parameter)."""


class GoldFormatError(IncidentKGError):
    """A gold annotation file does not follow spec/gold-format.md."""
