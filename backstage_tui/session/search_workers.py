"""`RowReaders`: worker processes that read session logs for the search index, one per core.

Each runs `search_rows.py` as a script (nothing of the app or its main module is imported, so it
starts in a few hundredths of a second) and answers the stretches it is asked to
read, in order, on its stdout. Stretches are handed out in turn; a thread per worker takes its
answers off the pipe as they come (so a worker never waits for the inserts of another's rows), and
`answer` gives them back in the order they were asked, which is the order the rows go in.
"""

from __future__ import annotations

import contextlib
import queue
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator
from typing import IO

from . import search_rows
from .search_rows import DONE, FAILED, HEAD_LEN, Stretch

AHEAD = 8
"""Messages a worker's thread holds before the worker waits (each at most `search_rows.BATCH`
rows, about 2 MB): memory stays bounded however big the logs."""
STOP_S = 5.0


def worker_command() -> list[str]:
    """How a worker is started: this Python running `search_rows.py` as a script, with ``-P``: its
    folder (the package's modules) is not put on the path, where a name like ``stats`` could hide
    the standard library's; the environment and the user's site-packages stay, so it finds
    `orjson` where this process did."""
    return [sys.executable, "-P", search_rows.__file__]


class WorkerGone(RuntimeError):
    """A worker ended before answering (killed, out of memory, could not start)."""


class RowReaders:
    def __init__(self, count: int, prefixes: frozenset[bytes]) -> None:
        self.prefixes = prefixes
        self.procs: list[subprocess.Popen[bytes]] = []
        self.inboxes: list[queue.Queue[tuple[bytes, bytes] | None]] = []
        self.threads: list[threading.Thread] = []
        self.asked: deque[int] = deque()
        """The worker of each stretch asked and not yet answered, oldest first."""
        self._turn = 0
        try:
            for _ in range(count):
                proc = subprocess.Popen(
                    worker_command(),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,  # never onto the app's screen; failures are answers
                )
                inbox: queue.Queue[tuple[bytes, bytes] | None] = queue.Queue(AHEAD)
                assert proc.stdout is not None
                self.procs.append(proc)
                self.inboxes.append(inbox)
                thread = threading.Thread(
                    target=_take_answers, args=(proc.stdout, inbox), daemon=True
                )
                thread.start()
                self.threads.append(thread)
        except OSError as exc:  # no such interpreter, no more processes
            self.close(kill=True)
            raise WorkerGone(f"search worker could not start: {exc}") from exc
        except BaseException:
            self.close(kill=True)
            raise

    def ask(self, stretch: Stretch) -> None:
        """Have the next worker in turn read `stretch`."""
        worker = self._turn % len(self.procs)
        self._turn += 1
        stdin = self.procs[worker].stdin
        assert stdin is not None
        try:
            stdin.write(search_rows.task(stretch, self.prefixes))
            stdin.flush()
        except OSError as exc:  # its pipe is closed: it has ended
            raise WorkerGone(f"search worker {worker} ended") from exc
        self.asked.append(worker)

    def answer(self) -> Iterator[tuple[bytes, bytes]]:
        """The messages (kind, body) answering the oldest stretch asked, up to its `DONE` or
        `FAILED`."""
        worker = self.asked.popleft()
        while True:
            got = self.inboxes[worker].get()
            if got is None:
                raise WorkerGone(f"search worker {worker} ended")
            yield got
            if got[0] in (DONE, FAILED):
                return

    def close(self, *, kill: bool = False) -> None:
        """Let the workers end (stdin closed: they end once they have answered all they were
        asked), or with `kill` end them now; either way wait for them and their threads."""
        for proc in self.procs:
            if kill:
                proc.kill()
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()
        for proc in self.procs:
            try:
                proc.wait(STOP_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for thread, inbox in zip(self.threads, self.inboxes, strict=True):
            while thread.is_alive():  # it may wait to put an answer nobody will take
                with contextlib.suppress(queue.Empty):
                    inbox.get_nowait()
                thread.join(0.01)

    def __enter__(self) -> RowReaders:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self.close(kill=kind is not None)


def _take_answers(out: IO[bytes], inbox: queue.Queue[tuple[bytes, bytes] | None]) -> None:
    """A worker's messages, from its stdout into `inbox`; None when it ended."""
    try:
        while len(head := out.read(HEAD_LEN)) == HEAD_LEN:
            size = int.from_bytes(head[1:], "big")
            body = out.read(size)
            if len(body) != size:
                break
            inbox.put((head[:1], body))
    finally:
        inbox.put(None)
        out.close()
