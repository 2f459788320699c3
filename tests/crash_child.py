"""The recording path at full speed, for `test_crash.py` to kill with SIGKILL at random moments.

``python tests/crash_child.py FOLDER SEED``: a demo source as fast as it goes into a recorded
session in FOLDER, and moderation actions on its newest comments one after another, as a moderator
at the keyboard would take them. It prints ``log PATH`` once the log is open, then ``done ID`` for
each action the console would show as done (the toast comes from the same `ActResult`), so the test
knows which actions must be in the log whenever the kill lands.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from backstage_tui.events import Hide, Pin
from backstage_tui.runtime import SessionRuntime
from backstage_tui.sources.demo import DemoSource


async def main(folder: Path, seed: int) -> None:
    source = DemoSource.from_strings({"rate": "200000", "seed": str(seed)})
    runtime = SessionRuntime(source, sessions_dir=folder)
    await runtime.start()
    print(f"log {runtime.log_path}", flush=True)
    acted: set[str] = set()
    n = 0
    while True:
        target = next(
            (e for e in reversed(runtime.state.feed.items)
             if e.type == "comment" and e.id not in acted),
            None,
        )  # fmt: skip
        if target is None:
            await asyncio.sleep(0.001)
            continue
        acted.add(target.id)
        n += 1
        action = Pin(target=target.id) if n % 2 else Hide(target=target.id)
        result = await runtime.act(action)
        if result.changed and result.recorded:
            print(f"done {result.event.id}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2])))
