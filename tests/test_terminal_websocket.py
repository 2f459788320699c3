"""The real `backstage` command in tmux on the `websocket` source, against a websocket server the
test runs: the comments show, and the console reconnects by itself after the server drops it."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest

from backstage_tui.session import SessionReader
from tests.helpers import (
    ThreadedFeedServer,
    end_live_in_tmux,
    launch,
    tikfinity_chat,
    wait_for_exit,
)

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


async def feed(ws: Any, n: int) -> None:
    """The first connection sends two comments; every later one a comment of its own."""
    texts = ["hello over the socket", "second comment"] if n == 1 else [f"back again {n}"]
    for i, text in enumerate(texts):
        await ws.send(tikfinity_chat(n * 10 + i, text, handle=f"viewer{i}"))
    await asyncio.Future()


def test_websocket_source_in_a_real_terminal_shows_comments_and_reconnects(tmp_path: Path) -> None:
    sessions = tmp_path / "sessions"
    with ThreadedFeedServer(feed) as server:
        args = ["--source", "websocket", "--option", f"url={server.url}",
                "--sessions-dir", str(sessions)]  # fmt: skip
        term = launch(tmp_path, args)
        try:
            term.wait_for(
                lambda s: (
                    "hello over the socket" in s and "second comment" in s and "connected" in s
                ),
                "the comments from the socket",
            )
            server.drop()
            screen = term.wait_for(lambda s: "back again 2" in s, "a comment after the reconnect")
            assert "gap" in screen
            end_live_in_tmux(term)
            assert wait_for_exit(term, tmp_path) == "0"
        finally:
            term.run("kill-server")
        assert server.connections == 2
    (log,) = sessions.glob("*-websocket.jsonl")
    events = SessionReader(log).events()
    texts = [e.text for e in events if e.type == "comment"]
    assert texts == ["hello over the socket", "second comment", "back again 2"]
    assert [e.type for e in events].count("gap") == 1
