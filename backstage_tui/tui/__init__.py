"""The terminal UI: the only room that imports Textual and Rich."""

from .app import BackstageApp

__all__ = ["BackstageApp"]
