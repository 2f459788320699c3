"""`SessionRuntime.act`: every action's effect decided from the source's capabilities, recorded in
the log, and returned with what the state did."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from backstage_tui.events import ActionEvent, Block, Hide, Mute, Pin, TodoDone, Undo, Unpin
from backstage_tui.runtime import SessionRuntime
from backstage_tui.session import SessionReader
from backstage_tui.state import ConsoleState
from tests.helpers import ListSource, comment, user, wait_for

BO = user("bo", "Bo")


class MutingSource(ListSource):
    """A source whose platform lets it mute (none of the real ones can)."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"mute"})

    async def act(self, action: ActionEvent) -> bool:
        self.acted.append(action)
        return True


async def started(source: ListSource, tmp_path: Path) -> SessionRuntime:
    runtime = SessionRuntime(source, sessions_dir=tmp_path)
    await runtime.start()
    count = len(source.items)
    await wait_for(None, lambda: runtime.state.last_seq >= count, description="events folded")
    return runtime


async def test_effects_are_decided_recorded_and_returned(tmp_path: Path) -> None:
    source = MutingSource([comment(1, "hi", BO)])
    runtime = await started(source, tmp_path)
    hide = await runtime.act(Hide(target="c1", user=BO))
    mute = await runtime.act(Mute(user=BO, duration_s=60))
    block = await runtime.act(Block(user=BO))
    again = await runtime.act(Block(user=BO))
    assert (hide.effect, mute.effect, block.effect) == ("local", "forwarded", "queued")
    assert hide.changed and mute.changed and block.changed and mute.forward_error is None
    assert again.detail == "already blocked" and not again.changed
    assert [a.type for a in source.acted] == ["mute"]
    assert runtime.state.moderation.todo_open == 1, "a no-op block queues nothing"
    tick = await runtime.act(TodoDone(action=block.event.id))
    undo = await runtime.act(Undo(action=block.event.id))
    assert tick.changed and undo.effect == "queued", "done in the app: undo it there too"
    await runtime.close()
    assert runtime.log_path is not None
    events = SessionReader(runtime.log_path).events()
    assert [(e.type, getattr(e, "effect", "")) for e in events] == [
        ("comment", ""), ("hide", "local"), ("mute", "forwarded"), ("forward_result", ""),
        ("block", "queued"), ("block", "queued"), ("todo_done", "local"), ("undo", "queued"),
    ]  # fmt: skip
    replayed = ConsoleState.fold(events)
    assert replayed.moderation.snapshot() == runtime.state.moderation.snapshot()


async def test_a_pin_for_a_message_nobody_knows_says_so(tmp_path: Path) -> None:
    runtime = await started(ListSource([comment(1, "hi")]), tmp_path)
    result = await runtime.act(Pin(target="gone"))
    assert result.detail == "the message is no longer in the feed" and not result.changed
    await runtime.close()


class PinningSource(ListSource):
    """A source whose platform lets it pin."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"pin"})

    async def act(self, action: ActionEvent) -> bool:
        self.acted.append(action)
        return True


async def test_a_pin_on_tiktok_is_queued_for_the_app_unless_the_source_can_pin(
    tmp_path: Path,
) -> None:
    tiktok = comment(1, "pin me", BO)
    twitch = comment(2, "me too", BO).model_copy(update={"platform": "twitch"})
    runtime = await started(ListSource([tiktok, twitch]), tmp_path)
    on_tiktok = await runtime.act(Pin(target="c1", user=BO, text="pin me"))
    on_twitch = await runtime.act(Pin(target="c2", user=BO, text="me too", platform="twitch"))
    assert (on_tiktok.effect, on_twitch.effect) == ("queued", "local")
    todo = runtime.state.moderation.todo
    assert [item.detail for item in todo.values()] == ["pin: pin me"]
    unpin = await runtime.act(Unpin(target="c1"))
    assert unpin.effect == "queued" and runtime.state.moderation.todo_open == 2
    assert todo[unpin.event.id].detail == "unpin: pin me" and todo[unpin.event.id].user == BO
    again = await runtime.act(Pin(target="c2", user=BO, text="me too"))
    assert again.detail == "already pinned" and runtime.state.moderation.todo_open == 2
    await runtime.close()

    source = PinningSource([comment(1, "pin me", BO)])
    runtime = await started(source, tmp_path)
    forwarded = await runtime.act(Pin(target="c1", user=BO, text="pin me"))
    assert forwarded.effect == "forwarded" and [a.type for a in source.acted] == ["pin"]
    assert runtime.state.moderation.todo_open == 0
    await runtime.close()
