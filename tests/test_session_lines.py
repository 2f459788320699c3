"""`LineSplitter`: the one line splitter of the session reader and the jsonl source."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from backstage_tui.session.lines import CutLine, LineSplitter

# Lines as a log can hold them: any bytes but the newline, U+2028 and U+0085 included.
LINE = st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")) | st.just(
    "z\u2028z\u0085z".encode()
)


def split_in_chunks(data: bytes, cuts: list[int], splitter: LineSplitter) -> list[bytes]:
    out: list[bytes] = []
    start = 0
    for cut in sorted(set(cuts)):
        out += splitter.feed(data[start:cut])
        start = cut
    out += splitter.feed(data[start:])
    return out


@given(st.lists(LINE, max_size=20), st.booleans(), st.lists(st.integers(0, 900), max_size=30))
def test_the_same_lines_whatever_the_chunking(
    lines: list[bytes], terminated: bool, cuts: list[int]
) -> None:
    data = b"\n".join(lines) + (b"\n" if terminated and lines else b"")
    splitter = LineSplitter()
    whole = split_in_chunks(data, cuts, splitter)
    last = splitter.finish()
    expected = data.split(b"\n")
    assert whole == expected[:-1] and last == expected[-1]
    assert not splitter.pending


def test_only_the_newline_ends_a_line() -> None:
    splitter = LineSplitter()
    text = "a\u2028b\u2029c\u0085d\re".encode()
    assert splitter.feed(text + b"\nnext") == [text]
    assert splitter.pending
    assert splitter.finish() == b"next" and not splitter.pending


def test_a_line_past_the_limit_is_cut_in_its_place_and_the_rest_dropped() -> None:
    splitter = LineSplitter(max_line=10)
    lines = splitter.feed(b"short\n" + b"x" * 25)
    assert lines == [b"short", b"x" * 10] and isinstance(lines[1], CutLine)
    assert not isinstance(lines[0], CutLine)
    assert splitter.feed(b"y" * 50) == []  # nothing more until the long line's newline
    assert splitter.feed(b"yy\nafter\n") == [b"after"]
    assert splitter.finish() == b""


def test_the_cut_line_says_so_and_a_cut_last_line_is_not_given_twice() -> None:
    splitter = LineSplitter(max_line=4)
    [first] = splitter.feed(b"123456789")
    assert isinstance(first, CutLine) and first == b"1234"
    assert splitter.finish() == b""  # already given out, cut
    assert splitter.feed(b"ok\n") == [b"ok"]


def test_reset_forgets_a_partial_line() -> None:
    splitter = LineSplitter()
    splitter.feed(b"half a li")
    splitter.reset()
    assert splitter.feed(b"whole\n") == [b"whole"]
