"""incident-kg: a knowledge graph of administrative incidents and their causes."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("incident-kg")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
