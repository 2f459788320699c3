"""Chat sources: where events come from."""

from .base import Source, SourceError, SourceOption
from .registry import load_source, source_names

__all__ = ["Source", "SourceError", "SourceOption", "load_source", "source_names"]
