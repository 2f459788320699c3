"""Source options declared once as a pydantic model: validation, the error line, the listing and
the session header all come from it, and a secret never reaches any of them."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from pathlib import Path
from typing import ClassVar, Literal

import pytest
from pydantic import Field, SecretStr

from backstage_tui.events import Event
from backstage_tui.runtime import SessionRuntime
from backstage_tui.session import SessionReader
from backstage_tui.sources import Source, SourceError, SourceOptions
from backstage_tui.sources.demo import DemoSource
from backstage_tui.sources.options import SECRET_MASK, describe
from backstage_tui.sources.replay import ReplaySource

KEY = "sk-live-0123456789abcdef"


class KeyedOptions(SourceOptions):
    room: str = Field(description="the room to join")
    key: SecretStr | None = Field(None, min_length=8, description="the signing key")
    mode: Literal["fast", "slow"] = Field("fast", description="how to read")


class KeyedSource(Source):
    """A source with a required option and a secret, like a platform's."""

    name: ClassVar[str] = "keyed"
    Options = KeyedOptions
    options: KeyedOptions

    async def events(self) -> AsyncIterator[Event]:
        await asyncio.sleep(0)
        return
        yield


def one_line_error(raw: dict[str, str]) -> str:
    with pytest.raises(SourceError) as info:
        KeyedSource.from_strings(raw)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_the_model_validates_and_converts_strings() -> None:
    source = KeyedSource.from_strings({"room": "42", "key": KEY, "mode": "slow"})
    assert source.options.room == "42" and source.options.mode == "slow"
    assert source.options.key is not None and source.options.key.get_secret_value() == KEY
    demo = DemoSource.from_strings({"rate": "2.5", "limit": "7"})
    assert demo.rate == 2.5 and demo.limit == 7 and demo.start is None


def test_each_kind_of_mistake_is_one_line_naming_the_option() -> None:
    assert one_line_error({}) == "source 'keyed' needs option room=... (the room to join)"
    assert one_line_error({"room": "1", "colour": "red"}) == (
        "source 'keyed' has no option 'colour' (options: room, key, mode)"
    )
    assert one_line_error({"room": "1", "mode": "medium"}).startswith(
        "option mode='medium' for source 'keyed': input should be 'fast' or 'slow'"
    )
    with pytest.raises(SourceError, match=r"^option rate='fast' for source 'demo': input should"):
        DemoSource.from_strings({"rate": "fast"})


def test_typed_values_are_checked_the_same_way() -> None:
    with pytest.raises(SourceError, match="option rate=-1.0 for source 'demo'"):
        DemoSource(rate=-1.0)
    with pytest.raises(SourceError, match="has no option 'colour'"):
        DemoSource(colour="red")


async def test_a_secret_never_reaches_an_error_the_header_or_the_listing(tmp_path: Path) -> None:
    short = "abc"  # too short: refused, and the refusal does not quote it
    message = one_line_error({"room": "1", "key": short})
    assert message.startswith("option key=(hidden) for source 'keyed'") and short not in message

    source = KeyedSource.from_strings({"room": "1", "key": KEY})
    assert source.config == {"room": "1", "key": SECRET_MASK, "mode": "fast"}
    assert KEY not in repr(source.options) and KEY not in str(source.options)
    assert KeyedSource.from_strings({"room": "1"}).config["key"] is None

    runtime = SessionRuntime(source, sessions_dir=tmp_path)
    async with runtime:
        await runtime.wait_source_done()
    assert runtime.log_path is not None
    assert KEY.encode() not in runtime.log_path.read_bytes()
    header = SessionReader(runtime.log_path).header
    assert header is not None and header.options["key"] == SECRET_MASK

    (key,) = [info for info in describe(KeyedOptions) if info.name == "key"]
    assert key.secret and key.type == "secret" and key.default == ""


def test_describe_lists_name_type_default_required_and_description() -> None:
    rows = {info.name: info for info in describe(DemoSource.Options)}
    assert list(rows) == ["rate", "seed", "limit", "start"]
    rate = rows["rate"]
    assert (rate.type, rate.default, rate.required) == ("number", "12", False)
    assert rows["seed"].type == "integer" and rows["seed"].default == ""
    assert "random" in rows["seed"].description
    keyed = {info.name: info for info in describe(KeyedOptions)}
    assert keyed["room"].required and keyed["room"].type == "text"
    assert keyed["mode"].type == "fast|slow" and keyed["mode"].default == "fast"
    replay = {info.name: info for info in describe(ReplaySource.Options)}
    assert replay["path"].type == "path" and replay["path"].required


def test_replay_speed_takes_max(tmp_path: Path) -> None:
    log = tmp_path / "s.jsonl"
    log.write_text('{"type":"header","source":"demo","started":"2026-11-29T01:02:03Z"}\n')
    assert ReplaySource.from_strings({"path": str(log), "speed": "MAX"}).speed == math.inf
    assert ReplaySource.from_strings({"path": str(log), "speed": "4"}).speed == 4.0
    with pytest.raises(SourceError, match="option speed='0' for source 'replay'"):
        ReplaySource.from_strings({"path": str(log), "speed": "0"})


def test_the_demo_keeps_the_seed_it_chose_in_its_options() -> None:
    source = DemoSource()
    assert source.options.seed == source.seed == source.config["seed"]
