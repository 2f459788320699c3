"""Chat sources: where events come from."""

from .base import Source, SourceError
from .options import SourceOptions
from .registry import load_source, source_names

__all__ = ["Source", "SourceError", "SourceOptions", "load_source", "source_names"]
