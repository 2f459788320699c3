"""Splitting the log format's bytes into lines: one splitter for the session reader and the
``jsonl`` source.

Lines end at ``b"\\n"`` and nowhere else: U+2028, U+0085 and friends are characters inside a
comment, never line ends (``str.splitlines`` would cut the comment in two). Input arrives in chunks
of any size, so the partial last line is kept until its newline arrives.
"""

from __future__ import annotations

MAX_LINE = 8 << 20
"""A line longer than this (8 MiB) is reported and dropped by every reader of the log format,
rather than buffered without end."""


class CutLine(bytes):
    """The start of a line that grew past the splitter's `max_line`: the rest of it is dropped."""


class LineSplitter:
    """Bytes in, whole lines out (without their newlines).

    With `max_line`, a line longer than that is not buffered without end: its first `max_line`
    bytes come out at once as a `CutLine`, in its place among the lines, and the rest of it is
    dropped up to its newline.
    """

    def __init__(self, max_line: int | None = None) -> None:
        self.max_line = max_line
        self._rest = b""
        self._skipping = False
        """Inside a line already given out as a `CutLine`: drop bytes until its newline."""

    @property
    def pending(self) -> bool:
        """Whether a partial line is waiting for its newline."""
        return bool(self._rest)

    def feed(self, chunk: bytes) -> list[bytes]:
        """The lines `chunk` completes, in order."""
        lines = chunk.split(b"\n")
        if self._skipping:
            if len(lines) == 1:
                return []
            self._skipping = False
            del lines[0]  # the end of the cut line
        else:
            lines[0] = self._rest + lines[0]
        self._rest = lines.pop()
        if self.max_line is not None and len(self._rest) > self.max_line:
            lines.append(CutLine(self._rest[: self.max_line]))
            self._rest = b""
            self._skipping = True
        return lines

    def finish(self) -> bytes:
        """The input ended: the last line if it had no newline (a torn write, a hand-written
        file), else ``b""``."""
        rest, self._rest = self._rest, b""
        skipping, self._skipping = self._skipping, False
        return b"" if skipping else rest

    def reset(self) -> None:
        """Start over, forgetting any partial line (the input was truncated in place)."""
        self._rest = b""
        self._skipping = False
