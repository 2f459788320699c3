"""`LiveReport` and its renderers: the numbers from the reducers, the same live or from the log, and
the Markdown and HTML files safe with hostile names, valid, with real charts."""

from __future__ import annotations

import re
from pathlib import Path

import html5lib
import orjson
import pytest
from hypothesis import HealthCheck, given, settings

from backstage_tui.events import (
    Approve,
    AutomodDecision,
    Comment,
    Gift,
    Guest,
    Hide,
    MarkDone,
    PollClose,
    PollStart,
    Question,
    Say,
    User,
    Viewers,
)
from backstage_tui.reports import (
    LiveReport,
    render_html,
    render_markdown,
    report_paths,
    write_reports,
)
from backstage_tui.reports.live_report import BUCKET_S, MAX_POINTS, Ranked, ReviewCounts
from backstage_tui.reports.markdown import md_escape
from backstage_tui.session import SessionHeader, SessionReader
from backstage_tui.state import automod as automod_module
from tests.helpers import (
    T0,
    any_text,
    comment,
    header,
    is_one_readable_line,
    record_session,
    run_cli,
    sample_events,
    user,
)

HOSTILE = "<script>alert(1)</script> [x](http://evil.example) | **b** \u202eevil\x1b[2J"


def hostile_events() -> list[Comment | Gift | Viewers]:
    bad = User(id="u-bad", handle="bad_guy", name=HOSTILE)
    return [
        Viewers(id="v1", ts=T0, count=10),
        comment(1, "hi", bad),
        comment(2, HOSTILE, bad),
        Gift(id="g1", ts=T0 + 3, user=bad, gift_name=HOSTILE, diamonds=5, repeat_count=2),
    ]


def strict_parse(page: str) -> None:
    """html5lib in strict mode raises on the first parse error a validator would report."""
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)


# -- the numbers --


def test_the_report_folds_the_sessions_events() -> None:
    events = [
        *sample_events(),
        comment(13, "again", user("ann", "Ann")),
        Gift(
            id="g2",
            ts=T0 + 14,
            user=user("ann", "Ann"),
            diamonds=10,
            repeat_count=3,
            streak_id="s",
            streak_end=False,
        ),  # fmt: skip
        Gift(
            id="g3", ts=T0 + 15, user=user("ann", "Ann"), diamonds=10, repeat_count=4, streak_id="s"
        ),  # fmt: skip
        Hide(id="a1", ts=T0 + 16, target="c2", user=user("ann", "Ann"), effect="local"),
        Hide(id="a2", ts=T0 + 16, target="c11", by="automod", effect="local"),
        Say(id="a3", ts=T0 + 17, text="bye!", effect="queued"),
    ]
    report = LiveReport.from_events(events, header())
    assert report.duration_s == 15  # the session's clock: actions do not stretch it
    assert (report.comments, report.questions, report.follows) == (5, 1, 1)
    assert (report.peak_viewers, report.gifts, report.diamonds) == (150, 5 + 4, 5 + 40)
    # 120 viewers for 9 s, then 150 until the last event (6 s later).
    assert report.average_viewers == pytest.approx((120 * 9 + 150 * 5) / 14)
    assert report.top_chatters[0] == Ranked("Ann", "ann", 2)
    assert report.top_gifters[0] == Ranked("Ann", "ann", 40, 4)  # a streak counts once, at its end
    assert report.top_gifters[1] == Ranked("Big Fan", "vip", 5, 5)
    rows = {(row.kind, row.effect): row for row in report.moderation}
    assert rows[("hide", "local")].count == 2 and rows[("hide", "local")].by_rules == 1
    assert rows[("say", "queued")].count == 1
    assert report.moderation_total == 3
    assert report.polls == () and report.guests == ()


def test_the_review_queue_row_says_what_became_of_the_held_messages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(automod_module, "REVIEW_QUEUE_MAX", 2)
    spam = [comment(n, f"bit.ly/{n}", user(f"bot{n}")) for n in range(1, 6)]
    holds = [AutomodDecision(ts=c.ts, rule="links", outcome="hold", target=c.id, user=c.user,
                             text=c.text) for c in spam]  # fmt: skip
    events = [event for pair in zip(holds, spam, strict=True) for event in pair]
    approve = Approve(id="a1", ts=T0 + 6, target="c4")
    report = LiveReport.from_events([*events, approve], header())
    assert report.review == ReviewCounts(approved=1, denied=0, lapsed=3, waiting=1)
    text = render_markdown(report)
    assert (
        "Held for review" in text and "5: 1 approved, 3 lapsed unreviewed, 1 still waiting" in text
    )
    assert "Held for review" not in render_markdown(LiveReport.from_events(spam, header()))


def test_polls_questions_answered_and_guests_come_from_their_reducers() -> None:
    ann, bo, cy = user("ann", "Ann"), user("bo", "Bo"), user("cy", "Cy")
    events = [
        PollStart(id="p1", ts=T0, poll_id="poll1", question="Next game?", options=("chess", "go")),
        comment(1, "1", ann),
        comment(2, "!vote 2", bo),
        comment(3, "CHESS!!", cy),
        PollClose(id="p2", ts=T0 + 4, poll_id="poll1"),
        comment(5, "2", user("late", "Late")),  # after the close: not counted
        Question(id="q1", ts=T0 + 6, user=ann, text="where are you from?"),
        comment(7, "what time is it?", bo),
        MarkDone(id="m1", ts=T0 + 8, kind="question", target="q1"),
        Guest(id="gu1", ts=T0 + 10, user=cy, action="join"),
        Guest(id="gu2", ts=T0 + 40, user=cy, action="leave"),
        comment(50, "bye", ann),
    ]
    report = LiveReport.from_events(events, header())
    (poll,) = report.polls
    assert (poll.question, poll.options, poll.voters) == (
        "Next game?",
        (("chess", 2), ("go", 1)),
        3,
    )
    assert report.questions == 2 and report.questions_answered == 1
    assert [(g.name, g.seconds) for g in report.guests] == [("Cy", 30.0)]
    text = render_markdown(report)
    assert "- Poll 1:\n  - Next game?: 3 votes\n  - chess: 2 (67%)\n  - go: 1 (33%)\n" in text
    assert "- Questions answered: 1" in text and "- Guests: Cy: 0:00:30" in text


def test_the_curves_are_per_bucket_and_never_longer_than_a_chart() -> None:
    short = LiveReport.from_events([
        Viewers(id="v1", ts=T0, count=5),
        comment(1, "a"), comment(2, "b"),
        Viewers(id="v2", ts=T0 + 25, count=9),
        comment(26, "c"),
    ])  # fmt: skip
    assert short.viewers_curve.step_s == BUCKET_S
    assert short.viewers_curve.values == (5.0, 5.0, 9.0)  # the count carried across a quiet bucket
    assert short.comments_curve.values == (12.0, 0.0, 6.0)  # comments a minute in each 10 s
    long = LiveReport.from_events(
        [Viewers(id=f"v{n}", ts=T0 + n * 60, count=n) for n in range(5 * 60)]  # five hours
    )
    assert len(long.viewers_curve.values) <= MAX_POINTS
    assert long.viewers_curve.values[-1] == 299
    step = long.viewers_curve.step_s
    assert (
        step % BUCKET_S == 0
        and long.viewers_curve.labels()[1] == f"0:{int(step) // 60:02d}:{int(step) % 60:02d}"
    )


async def test_the_report_of_the_log_is_the_report_of_the_live(tmp_path: Path) -> None:
    events = sample_events()
    log = await record_session(tmp_path, events, Hide(target="c2"))
    from_log = LiveReport.from_log(log)
    reader = SessionReader(log)
    live = LiveReport.from_events(reader.events(), reader.header, log_path=log)
    assert from_log == live
    assert from_log.comments == 4 and from_log.moderation_total == 1


def test_a_header_keeps_the_title_and_tags_and_an_old_header_still_reads() -> None:
    new = SessionHeader(source="demo", started=header().started, title="Q&A", tags=["art", "chill"])
    again = SessionHeader.model_validate(orjson.loads(orjson.dumps(new.model_dump(mode="json"))))
    assert (again.title, again.tags) == ("Q&A", ["art", "chill"])
    old = {
        "type": "header",
        "schema_version": 2,
        "source": "demo",
        "started": "2026-01-01T00:00:00Z",
    }
    read = SessionHeader.model_validate(old)
    assert (read.title, read.tags) == ("", [])
    # Another program's odd values never make the log unreadable: they are left out.
    odd = SessionHeader.model_validate({**old, "title": 5, "tags": ["art", 3, None]})
    assert (odd.title, odd.tags) == ("", ["art"])
    report = LiveReport.from_events(sample_events(), new)
    assert report.title == "Q&A" and report.tags == ("art", "chill")
    assert "Title: Q&amp;A" in render_markdown(report).replace("\\&", "&amp;")


# -- the Markdown --


def test_markdown_escapes_what_would_be_markup() -> None:
    assert md_escape("<b>|*x*|</b>") == r"\<b\>\|\*x\*\|\</b\>"
    assert md_escape("1. not a list") == r"1\. not a list"
    assert md_escape("# not a heading") == r"\# not a heading"
    assert md_escape("[link](http://x)") == r"\[link\](http://x)"


def test_markdown_of_hostile_names_is_inert() -> None:
    text = render_markdown(LiveReport.from_events(hostile_events(), header()))
    assert "<script>" not in text and "[x](" not in text and "**b**" not in text
    assert "\x1b" not in text and "\u202e" not in text
    assert r"\<script\>" in text
    assert "## Top" not in text and "- Top chatters: " in text


# -- the HTML page --


def test_the_page_is_valid_html_with_hostile_names_escaped() -> None:
    report = LiveReport.from_events(hostile_events(), header())
    page = render_html(report)
    strict_parse(page)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\x1b" not in page and "\u202e" not in page


def test_the_page_is_valid_for_an_empty_session_too() -> None:
    strict_parse(render_html(LiveReport.from_events([], header())))


def test_the_page_needs_no_network_and_its_charts_are_inline_svg() -> None:
    report = LiveReport.from_events(sample_events(), header())
    page = render_html(report)
    svgs = re.findall(r"<svg\b.*?</svg>", page, flags=re.S)
    assert len(svgs) == 2
    assert [re.search(r"<title>([^<]*)</title>", svg).group(1) for svg in svgs] == [  # type: ignore[union-attr]
        "Viewers",
        "Comments a minute",
    ]
    # Each chart holds its curve's points, value by value.
    for svg, curve in zip(svgs, (report.viewers_curve, report.comments_curve), strict=True):
        values = re.findall(r'<desc class="value">([^<]*)</desc>', svg)
        assert [float(v) for v in values] == [round(v, 1) for v in curve.values]
    # Nothing is fetched: no src or href to anywhere, no external script or style.
    assert not re.search(r'\b(src|href)\s*=\s*"(https?:)?//', page)
    assert not re.search(r"<(script|link)\b[^>]*\b(src|href)=", page)
    assert "@import" not in page


async def test_the_files_are_written_beside_the_log(tmp_path: Path) -> None:
    log = await record_session(tmp_path, sample_events())
    report = LiveReport.from_log(log)
    md_path, html_path = write_reports(report, log)
    assert (md_path, html_path) == report_paths(log)
    assert md_path.parent == log.parent and md_path.stem == log.stem
    assert md_path.read_text(encoding="utf-8") == render_markdown(report)
    strict_parse(html_path.read_text(encoding="utf-8"))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [log.name, md_path.name, html_path.name]
    )


# -- the command --


def test_headless_keeps_the_title_and_tags_and_writes_the_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKSTAGE_AUTOMOD__ENABLED", "false")
    out = run_cli(
        "--headless", "-o", "rate=100000", "-o", "seed=3", "-o", "limit=300",
        "--sessions-dir", str(tmp_path), "--title", "Late <b>night</b> art",
        "--tag", "art", "--tag", " chill ",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    (log,) = tmp_path.glob("*-demo.jsonl")
    header = SessionReader(log).header
    assert header is not None and (header.title, header.tags) == ("Late <b>night</b> art",
                                                                   ["art", "chill"])  # fmt: skip
    md_path, html_path = report_paths(log)
    assert f"report: {md_path}, {html_path}" in out.stdout
    page = html_path.read_text(encoding="utf-8")
    strict_parse(page)
    assert "<title>Late &lt;b&gt;night&lt;/b&gt; art</title>" in page and "art · chill" in page
    assert md_path.read_text(encoding="utf-8").startswith(r"# Late \<b\>night\</b\> art")
    shown = run_cli("sessions", "show", str(log))
    assert "title     Late <b>night</b> art   tags art, chill" in shown.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [(("--tag", " "), "a tag of 1 to 40 characters"), (("--title", "x" * 201), "at most 200")],
)
def test_a_bad_title_or_tag_is_one_line(args: tuple[str, ...], says: str) -> None:
    out = run_cli("--headless", *args)
    assert out.returncode == 2 and says in out.stderr
    assert is_one_readable_line(out.stderr.strip())


# -- any text at all --


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=any_text, text=any_text, title=any_text)
def test_any_name_title_or_text_leaves_both_files_inert(name: str, text: str, title: str) -> None:
    who = User(id="u1", handle=name, name=name)
    events = [comment(1, text, who), Question(id="q1", ts=T0 + 2, user=who, text=text)]
    head = SessionHeader(source="test", started=header().started, title=title, tags=[name])
    report = LiveReport.from_events(events, head)
    page = render_html(report)
    strict_parse(page)
    body = page.split("<body>", 1)[1]
    without_charts = re.sub(r"<svg\b.*?</svg>", "", body, flags=re.S)
    # Only our own elements: every "<" in the page's text came from the template.
    tags = set(re.findall(r"</?([a-zA-Z0-9]+)", without_charts))
    assert tags <= {"h1", "h2", "p", "section", "table", "tr", "th", "td", "ul", "li", "figure",
                    "figcaption", "footer", "body", "html"}, tags  # fmt: skip
    markdown = render_markdown(report)
    assert not re.search(r"(?<!\\)[<>\[\]`*|]", markdown.split("## Curves")[0]), markdown
