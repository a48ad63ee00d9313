"""Exports: the store → files other agencies can read (see README.md here)."""

from .serialize import FORMATS, ExportOptions, export_bytes

__all__ = ["FORMATS", "ExportOptions", "export_bytes"]
