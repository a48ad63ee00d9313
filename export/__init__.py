"""Exports and imports: the store ↔ files other agencies can trust (see README.md here)."""

from .serialize import FORMATS, ExportOptions, ExportResult, export_bytes, export_dataset

__all__ = ["FORMATS", "ExportOptions", "ExportResult", "export_bytes", "export_dataset"]
