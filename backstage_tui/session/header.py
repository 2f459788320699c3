"""The first line of every session log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..events import SCHEMA_VERSION


class SessionHeader(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")

    type: str = "header"
    schema_version: int = SCHEMA_VERSION
    source: str
    options: dict[str, Any] = {}
    started: datetime
    app_version: str = ""
