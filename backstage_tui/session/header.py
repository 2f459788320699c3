"""The first line of every session log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from ..events import SCHEMA_VERSION


class SessionHeader(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")

    type: str = "header"
    schema_version: int = SCHEMA_VERSION
    source: str
    """The source's name; with several, their names joined by ``+``."""
    options: dict[str, Any] = {}
    """The options of the source, when there is one (secrets masked)."""
    sources: list[dict[str, Any]] = []
    """Every source of the session, ``{"name": ..., "options": {...}}``, in order (schema 2)."""
    started: datetime
    app_version: str = ""
    title: str = ""
    """The live's title as the creator gave it (``--title`` or the ``--ask`` form); raw text.
    Older logs have none."""
    tags: list[str] = []
    """The live's tags (``--tag``, repeatable); raw text. Older logs have none."""

    @field_validator("title", mode="before")
    @classmethod
    def _title_or_none(cls, value: Any) -> str:
        # A header another program wrote must not make the whole log unreadable over a title.
        return value if isinstance(value, str) else ""

    @field_validator("tags", mode="before")
    @classmethod
    def _text_tags(cls, value: Any) -> list[str]:
        if not isinstance(value, list | tuple):
            return []
        return [tag for tag in value if isinstance(tag, str)]
