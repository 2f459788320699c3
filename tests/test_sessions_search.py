"""``backstage sessions search`` and its index: rebuilt from the logs, updated incrementally."""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from backstage_tui.cli import main
from backstage_tui.events import Comment, Gift, Question, User
from backstage_tui.session import SessionHeader
from backstage_tui.session.search_index import SearchIndex, fts_query, snippet
from tests.helpers import run_cli


def line(seq: int, ts: float, text: str, handle: str = "ann", kind: str = "comment") -> bytes:
    who = User(id=f"u-{handle}", handle=handle, name=handle.title())
    event: Comment | Question = (Question if kind == "question" else Comment)(
        id=f"e{seq}", seq=seq, ts=ts, user=who, text=text
    )
    return event.model_dump_json().encode() + b"\n"


def write_log(path: Path, started: float, lines: list[bytes], title: str = "") -> Path:
    head = SessionHeader(source="demo", started=datetime.fromtimestamp(started, UTC), title=title)
    path.write_bytes(orjson.dumps(head.model_dump(mode="json")) + b"\n" + b"".join(lines))
    return path


T_OLD, T_NEW = 1_767_225_600.0, 1_767_830_400.0  # 2026-01-01 and a week later


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    folder = tmp_path / "sessions"
    folder.mkdir()
    write_log(folder / "old.jsonl", T_OLD, [
        line(1, T_OLD + 1, "hello from the first live"),
        line(2, T_OLD + 2, "what camera is that?", "bob", "question"),
        line(3, T_OLD + 3, "Hello again"),
    ], title="Monday")  # fmt: skip
    gift = Gift(id="g", seq=2, ts=T_NEW + 2, user=User(id="c", handle="cam"), gift_name="Rose")
    write_log(folder / "new.jsonl", T_NEW, [
        line(1, T_NEW + 1, "hello week two", "bob"),
        gift.model_dump_json().encode() + b"\n",
    ])  # fmt: skip
    return folder


def index_of(tmp_path: Path, folder: Path) -> SearchIndex:
    index = SearchIndex(tmp_path / "data" / "index.sqlite3")
    index.refresh(sorted(folder.glob("*.jsonl")))
    return index


def test_newest_first_across_sessions_with_filters(tmp_path: Path, logs: Path) -> None:
    with index_of(tmp_path, logs) as index:
        hits = index.search("hello")
        assert [(h.log.name, h.seq) for h in hits] == [("new.jsonl", 1), ("old.jsonl", 3),
                                                        ("old.jsonl", 1)]  # fmt: skip
        assert hits[1].snippet == "«Hello» again" and hits[1].title == "Monday"
        assert [h.seq for h in index.search("hello", user="@ANN")] == [3, 1]
        assert [h.type for h in index.search("camera", type_="question")] == ["question"]
        assert index.search("camera", type_="comment") == []
        assert [h.log.name for h in index.search("hello", since=T_NEW)] == ["new.jsonl"]
        assert [h.seq for h in index.search("", user="bob")] == [1, 2]
        assert [h.snippet for h in index.search("rose")] == ["«Rose»"]  # a gift, by its name
        assert [h.seq for h in index.search("hel*")] == [1, 3, 1]
        assert index.search("") == [] and index.search('"') == []


def test_a_missing_stale_or_broken_index_is_rebuilt_from_the_logs(
    tmp_path: Path, logs: Path
) -> None:
    with index_of(tmp_path, logs) as index:
        before = [(h.log, h.seq) for h in index.search("hello")]
        path = index.path
    path.unlink()
    assert [(h.log, h.seq) for h in index_of(tmp_path, logs).search("hello")] == before
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 999")  # an index from another version
    assert [(h.log, h.seq) for h in index_of(tmp_path, logs).search("hello")] == before
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.write_bytes(b"not a database at all" * 100)
    assert [(h.log, h.seq) for h in index_of(tmp_path, logs).search("hello")] == before


def test_a_growing_log_is_read_from_where_the_index_stopped(tmp_path: Path, logs: Path) -> None:
    log = logs / "new.jsonl"
    with index_of(tmp_path, logs) as index:
        with log.open("ab") as f:
            f.write(line(3, T_NEW + 3, "hello live and growing"))
            f.write(line(4, T_NEW + 4, "hello torn")[:30])  # still being written
        result = index.refresh(sorted(logs.glob("*.jsonl")))
        assert (result.logs_read, result.events_read, result.rows_added) == (1, 1, 1)
        assert [h.seq for h in index.search("hello", since=T_NEW)] == [3, 1]
        with log.open("ab") as f:
            f.write(line(4, T_NEW + 4, "hello torn")[30:])
        result = index.refresh(sorted(logs.glob("*.jsonl")))
        assert (result.events_read, result.rows_added) == (1, 1)
        assert [h.seq for h in index.search("torn")] == [4]
        nothing = index.refresh(sorted(logs.glob("*.jsonl")))
        assert (nothing.logs_read, nothing.events_read) == (0, 0)


def test_rewritten_cut_and_removed_logs(tmp_path: Path, logs: Path) -> None:
    with index_of(tmp_path, logs) as index:
        # The same name, another session (its header differs): read again from the start.
        write_log(logs / "old.jsonl", T_OLD + 60, [line(1, T_OLD + 61, "replaced text")])
        index.refresh(sorted(logs.glob("*.jsonl")))
        assert [h.log.name for h in index.search("hello")] == ["new.jsonl"]
        assert [h.seq for h in index.search("replaced")] == [1]
        # Cut short (shorter than what was indexed): read again.
        data = (logs / "new.jsonl").read_bytes()
        (logs / "new.jsonl").write_bytes(data[: data.index(b"\n") + 1])
        index.refresh(sorted(logs.glob("*.jsonl")))
        assert index.search("hello") == [] and index.search("rose") == []
        (logs / "old.jsonl").unlink()
        result = index.refresh(sorted(logs.glob("*.jsonl")))
        assert result.logs_dropped == 1 and index.search("replaced") == []
        assert index.counts() == (1, 0)


def test_past_sessions_of_a_viewer(tmp_path: Path, logs: Path) -> None:
    with index_of(tmp_path, logs) as index:
        past = index.past_sessions("@Ann")
        assert [(p.log.name, p.messages, p.last_text) for p in past] == [
            ("old.jsonl", 2, "Hello again")
        ]
        assert [p.log.name for p in index.past_sessions("bob")] == ["new.jsonl", "old.jsonl"]
        assert index.past_sessions("nobody") == []


def test_queries_are_never_syntax_errors() -> None:
    assert fts_query('a "b" OR NOT c* -d') == '"a" """b""" "OR" "NOT" "c"* "-d"'
    assert snippet("x" * 300 + " needle " + "y" * 300, ["needle"]).count("«needle»") == 1
    assert len(snippet("x" * 300 + " needle " + "y" * 300, ["needle"])) < 110


def test_the_command(tmp_path: Path, logs: Path, monkeypatch: pytest.MonkeyPatch,
                     capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    with (logs / "old.jsonl").open("ab") as f:
        f.write(line(9, T_OLD + 9, "hello \x1b]0;PWNED\x07 there", "eve"))
    assert main(["--sessions-dir", str(logs), "sessions", "search", "hello"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "new.jsonl  #1  comment  Bob @bob: «hello» week two" in out[0]
    assert "Monday  #9  comment  Eve @eve: «hello» ␛]0;PWNED␇ there" in out[1]
    assert out[-1] == "4 hits (newest first)"
    assert (tmp_path / "xdg" / "backstage" / "index.sqlite3").exists()
    assert main(["--sessions-dir", str(logs), "sessions", "search", "--user", "bob", "--json",
                 "--limit", "1"]) == 0  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert [(d["seq"], d["handle"], d["type"]) for d in data] == [(1, "bob", "comment")]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ((), "give words to search for, or --user NAME"),
        (("hi", "--type", "nope"), "--type 'nope' is not an event type"),
        (("hi", "--since", "soon"), "--since wants a date"),
        (("hi", "--limit", "0"), "expected a whole number above 0"),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path: Path, args: tuple[str, ...], says: str) -> None:
    out = run_cli("--sessions-dir", str(tmp_path), "sessions", "search", *args,
                  env={"XDG_DATA_HOME": str(tmp_path / "xdg")})  # fmt: skip
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and says in out.stderr, out.stderr
    assert "Traceback" not in out.stderr


async def test_the_user_card_lists_the_viewers_past_sessions(tmp_path: Path, logs: Path) -> None:
    # The live session records into the same folder; its own log is left out of the list.
    from backstage_tui.runtime import SessionRuntime
    from backstage_tui.session.search_index import past_sessions_finder
    from backstage_tui.tui.app import BackstageApp
    from backstage_tui.tui.user_card import UserCard
    from tests.helpers import FakeSource, comment, settled, user, wait_for

    bob = user("bob", "Bob")
    runtime = SessionRuntime(FakeSource([comment(1, "back again", bob)]), sessions_dir=logs)
    finder = past_sessions_finder(logs, tmp_path / "index.sqlite3", lambda: runtime.log_path)
    app = BackstageApp(runtime, title="test", tz=UTC, past_sessions=finder)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, settled(app, 1), description="the comment")
        await pilot.press("k", "enter")  # select the message, open its author's card
        await wait_for(pilot, lambda: isinstance(app.screen, UserCard), description="the card")
        card = app.screen
        assert isinstance(card, UserCard)
        await wait_for(pilot, lambda: isinstance(card.past, list), description="past sessions")
        await pilot.pause()
        text = str(card.body.render())
        assert "Past sessions" in text
        assert "2026-01-08 00:00  new.jsonl  1 messages  last: hello week two" in text
        assert "2026-01-01 00:00  Monday  1 messages  last: what camera is that?" in text
        assert "back again" in text and text.count("messages  last:") == 2  # not the live's log


def big_logs(folder: Path) -> list[Path]:
    """Three logs of a few hundred events of every kind: with text or not, a broken line, a
    viewer whose handle folds (ß), a torn last line; one log has no events at all."""
    folder.mkdir()
    paths = []
    for n in range(3):
        started = T_OLD + n * 86_400
        lines = []
        for seq in range(1, 400 if n != 1 else 1):
            who = ("ann", "Straße", "bob")[seq % 3]
            if seq % 5 == 0:
                lines.append(
                    orjson.dumps({"type": "like", "ts": started + seq, "count": 1}) + b"\n"
                )
            elif seq % 37 == 0:
                lines.append(b'{"type":"comment","text":"broken\n')
            else:
                kind = "question" if seq % 7 == 0 else "comment"
                lines.append(
                    line(seq, started + seq, f"hello word{seq % 11} from {who}", who, kind)
                )
        lines.append(line(999, started + 999, "hello torn")[:25])
        paths.append(write_log(folder / f"log{n}.jsonl", started, lines, title=f"Live {n}"))
    return paths


def index_dump(index: SearchIndex) -> tuple[object, ...]:
    """Everything a search can see: the tables, and the hits of a few queries."""
    db = index.db
    queries = [index.search(q, limit=10_000) for q in ("hello", "word3", "wor*", "strasse")]
    return (
        db.execute("SELECT path, key, started, title, offset, line, rows, last_ts FROM logs "
                   "ORDER BY id").fetchall(),
        db.execute("SELECT * FROM hits ORDER BY rowid").fetchall(),
        db.execute("SELECT rowid FROM ev WHERE ev MATCH 'hello' ORDER BY rowid").fetchall(),
        [[(h.log.name, h.seq, h.snippet) for h in hits] for hits in queries],
        [(h.seq, h.type) for h in index.search("", user="Straße", limit=10_000)],
    )  # fmt: skip


def test_worker_processes_build_the_same_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backstage_tui.session import search_index

    paths = big_logs(tmp_path / "sessions")
    first = paths[0].read_bytes()
    more = line(999, T_OLD + 999, "hello torn")[25:] + line(1000, T_OLD + 1000, "hi")
    with SearchIndex(tmp_path / "one.sqlite3") as alone:
        here = alone.refresh(paths)
        with paths[0].open("ab") as f:  # grows: read from where the index stopped
            f.write(more)
        grown_here = alone.refresh(paths)
        expected = index_dump(alone)
    paths[0].write_bytes(first)
    # Workers for any amount, and the logs cut into stretches of a few lines each.
    monkeypatch.setattr(search_index, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(search_index, "RANGE_BYTES", 2_000)
    monkeypatch.setattr(search_index, "_workers", lambda: 2)
    asked: list[int] = []
    ask = search_index.RowReaders.ask
    monkeypatch.setattr(
        search_index.RowReaders, "ask", lambda r, s: [asked.append(s.offset), ask(r, s)]
    )
    monkeypatch.setattr(SearchIndex, "_read_here", None)  # nothing read here, all by the workers
    with SearchIndex(tmp_path / "two.sqlite3") as shared:
        there = shared.refresh(paths)
        with paths[0].open("ab") as f:
            f.write(more)
        grown_there = shared.refresh(paths)
        assert index_dump(shared) == expected
    assert here == there and here.rows_added > 500 and grown_here == grown_there
    assert len(asked) > 2 * len(paths)  # the logs were read in several stretches each


@pytest.mark.parametrize("command", [[sys.executable, "-c", ""], ["/no/such/python"]])
def test_when_workers_fail_the_rest_is_read_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    from backstage_tui.session import search_index, search_workers

    paths = big_logs(tmp_path / "sessions")
    with SearchIndex(tmp_path / "one.sqlite3") as alone:
        alone.refresh(paths)
        expected = index_dump(alone)
    monkeypatch.setattr(search_index, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(search_index, "RANGE_BYTES", 2_000)
    monkeypatch.setattr(search_index, "_workers", lambda: 2)
    # Workers that end at once (as if killed) or cannot start: everything is read here.
    monkeypatch.setattr(search_workers, "worker_command", lambda: command)
    with SearchIndex(tmp_path / "two.sqlite3") as shared:
        result = shared.refresh(paths)
        assert index_dump(shared) == expected and result.problems == []


def test_a_log_that_goes_while_workers_read_is_a_problem_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backstage_tui.session import search_index

    plan = SearchIndex._plan

    def plan_then_remove(index: SearchIndex, path: Path, name: str) -> object:
        planned = plan(index, path, name)
        if name == "log0.jsonl":
            path.unlink()  # after its size was taken, before it is read
        return planned

    monkeypatch.setattr(SearchIndex, "_plan", plan_then_remove)
    problems = []
    for workers in (False, True):
        if workers:
            monkeypatch.setattr(search_index, "PARALLEL_MIN_BYTES", 0)
            monkeypatch.setattr(search_index, "_workers", lambda: 2)
        paths = big_logs(tmp_path / f"sessions{workers}")
        with SearchIndex(tmp_path / f"{workers}.sqlite3") as index:
            result = index.refresh(paths)
            problems.append([p.split(":")[0] for p in result.problems or []])
            assert index.counts()[0] == 3 and result.logs_read == 2
            assert [h.log.name for h in index.search("hello", limit=1)] == ["log2.jsonl"]
    assert problems == [["log0.jsonl"], ["log0.jsonl"]]
