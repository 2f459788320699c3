"""Source options, declared once per source as a pydantic model.

A source's `Options` model is the one declaration everything else is built from: ``--option
KEY=VALUE`` is validated by it (types, defaults, constraints, required fields), its field
`description`s explain each option in ``backstage sources``, and the session header records it.
A field typed `SecretStr` (an API key, a session cookie) is never written to the log, the screen or
an error line: only whether it was given.
"""

from __future__ import annotations

import math
import types
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import PurePath
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, SecretBytes, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

SECRET_MASK = "**********"
"""What stands for a secret that was given, wherever options are shown or recorded."""
MAX_SHOWN_VALUE = 80
"""An option value quoted in an error line is cut to this many characters."""


class SourceOptions(BaseModel):
    """The options of a source: subclass it with one field per option, each with a `description`.

    Values from the command line arrive as strings; pydantic's lax mode turns ``"30"`` into a
    number and ``"yes"`` into True. Unknown options are refused.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True, slots=True)
class OptionInfo:
    """One option as ``backstage sources`` lists it."""

    name: str
    type: str
    """A short name for what it takes: ``number``, ``integer``, ``true/false``, ``text``, ``path``,
    ``secret``, or the choices (``a|b``)."""
    default: str
    """The default as text; empty when the option is required or has no default."""
    required: bool
    description: str
    secret: bool


def is_secret(field: FieldInfo) -> bool:
    """Whether a field holds a secret (`SecretStr` or `SecretBytes`, optional or not)."""
    return _plain(field.annotation) in (SecretStr, SecretBytes)


def describe(model: type[SourceOptions]) -> list[OptionInfo]:
    """The options of `model`, in declaration order."""
    infos = []
    for name, field in model.model_fields.items():
        required = field.is_required()
        if required or field.default is None:
            default = ""
        elif field.default is PydanticUndefined:
            default = "(computed)"
        else:
            default = _shown(field.default)
        infos.append(
            OptionInfo(
                name=name,
                type=_type_name(field.annotation),
                default=default,
                required=required,
                description=field.description or "",
                secret=is_secret(field),
            )
        )
    return infos


def public_values(options: SourceOptions) -> dict[str, object]:
    """The options as JSON values, for the session header: secrets become `SECRET_MASK` (or None
    when not given), paths become text, an infinite or NaN number its name."""
    values: dict[str, object] = {}
    for name in type(options).model_fields:
        values[name] = _jsonable(getattr(options, name))
    return values


def first_unknown(model: type[SourceOptions], keys: Iterable[str]) -> str | None:
    """The first of `keys` that `model` does not declare, if any."""
    return next((key for key in keys if key not in model.model_fields), None)


def unknown_message(source: str, model: type[SourceOptions], key: str) -> str:
    names = ", ".join(model.model_fields) or "none"
    return f"source {source!r} has no option {key!r} (options: {names})"


def validation_message(source: str, model: type[SourceOptions], exc: ValidationError) -> str:
    """The first problem of `exc` as one line that names the option, the value given and why.

    A secret's value is never quoted.
    """
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = first.get("loc") or ()
    key = str(loc[0]) if loc else ""
    field = model.model_fields.get(key)
    if first["type"] == "missing":
        about = f" ({field.description})" if field is not None and field.description else ""
        return f"source {source!r} needs option {key}=...{about}"
    if first["type"] == "extra_forbidden":
        return unknown_message(source, model, key)
    reason = _reason(first["msg"])
    if field is None:
        return f"source {source!r}: {reason}"
    value = "(hidden)" if is_secret(field) else _quoted(first.get("input"))
    return f"option {key}={value} for source {source!r}: {reason}"


def _reason(msg: str) -> str:
    # pydantic prefixes the message of a validator's ValueError; the line reads better without it.
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    msg = " ".join(msg.split())
    return msg[:1].lower() + msg[1:]


def _quoted(value: object) -> str:
    text = repr(value)
    return text if len(text) <= MAX_SHOWN_VALUE else text[: MAX_SHOWN_VALUE - 1] + "…"


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isinf(value):
            return "max" if value > 0 else "-inf"
        return f"{value:g}"
    if isinstance(value, SecretStr | SecretBytes):
        return SECRET_MASK
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def _jsonable(value: object) -> object:
    if isinstance(value, SecretStr | SecretBytes):
        return SECRET_MASK if value.get_secret_value() else ""
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Enum):
        return _jsonable(value.value)
    if isinstance(value, tuple | list | frozenset | set):
        return [_jsonable(v) for v in value]
    return str(value)


def _plain(annotation: Any) -> Any:
    """The annotation without `Annotated` and without ``| None``."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, types.UnionType):
        rest = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(rest) == 1:
            return _plain(rest[0])
    return annotation


_TYPE_NAMES: dict[Any, str] = {
    bool: "true/false",
    int: "integer",
    float: "number",
    str: "text",
    SecretStr: "secret",
    SecretBytes: "secret",
}


def _type_name(annotation: Any) -> str:
    plain = _plain(annotation)
    if plain in _TYPE_NAMES:
        return str(_TYPE_NAMES[plain])
    if get_origin(plain) is Literal:
        return "|".join(str(arg) for arg in get_args(plain))
    if isinstance(plain, type):
        if issubclass(plain, PurePath):
            return "path"
        if issubclass(plain, Enum):
            return "|".join(str(member.value) for member in plain)
        return plain.__name__.lower()
    return str(plain)
