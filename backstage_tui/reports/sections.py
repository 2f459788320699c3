"""The report's words: `LiveReport` as headed rows of display-safe text.

One list feeds the summary screen, the Markdown file and the HTML page, so the three never say
different things. Every name, title, tag and question goes through `safetext.display` here; each
renderer still escapes for its own medium (Markdown's syntax, HTML's autoescape, Rich `Text`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..safetext import display, display_name
from ..session.report import clock

if TYPE_CHECKING:
    from .live_report import LiveReport

NONE = "none"
"""What a section with nothing in it says."""


@dataclass(frozen=True)
class Section:
    """A heading and its rows: (label, value), both display-safe text; an empty label continues
    the list in the row above."""

    title: str
    rows: tuple[tuple[str, str], ...]

    def entries(self) -> list[tuple[str, list[str]]]:
        """The rows grouped: (label, values), a list's items under its one label."""
        out: list[tuple[str, list[str]]] = []
        for label, value in self.rows:
            if label or not out:
                out.append((label, [value]))
            else:
                out[-1][1].append(value)
        return out


def report_sections(report: LiveReport, *, with_log: bool = True) -> list[Section]:
    """The sections; `with_log`: the log's path in the first one (a screen that lists the files
    beside the log leaves it out)."""

    def section(title: str, rows: list[tuple[str, str]]) -> Section:
        return Section(title, tuple(rows))

    out = [
        section("The live", _the_live(report, with_log)),
        section("Audience", [
            ("Peak viewers", f"{report.peak_viewers:,}"),
            ("Average viewers", f"{report.average_viewers:,.0f}"),
            ("New followers", f"{report.follows:,}"),
            ("Likes", f"{report.likes:,}"),
            ("Shares", f"{report.shares:,}"),
            ("Joins", f"{report.joins:,}"),
            *_listed("Guests", [f"{display_name(g.name)}: {clock(g.seconds)}"
                                for g in report.guests]),
        ]),
        section("Chat", [
            ("Comments", f"{report.comments:,}"),
            ("Questions", f"{report.questions:,}"),
            ("Questions answered", f"{report.questions_answered:,}"),
            *_listed("Top chatters", [f"{display_name(r.who)}: {_count(r.count, 'message')}"
                                      for r in report.top_chatters]),
        ]),
        section("Gifts", [
            ("Gifts", f"{report.gifts:,}"),
            ("Diamonds", f"{report.diamonds:,}"),
            *_listed("Top gifters", [f"{display_name(r.who)}: {_count(r.count, 'diamond')} "
                                     f"({_count(r.gifts, 'gift')})" for r in report.top_gifters]),
        ]),
        section("Polls", _polls(report)),
        section("Moderation", _moderation(report)),
    ]  # fmt: skip
    trouble = _trouble(report)
    if trouble:
        out.append(section("Trouble", trouble))
    return out


def _count(n: int, noun: str) -> str:
    """``1 gift``, ``2,000 gifts``."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _the_live(report: LiveReport, with_log: bool) -> list[tuple[str, str]]:
    rows = [("Title", display(report.title, 200) if report.title else NONE)]
    if report.tags:
        rows.append(("Tags", ", ".join(display(tag, 40) for tag in report.tags)))
    started = report.started.strftime("%Y-%m-%d %H:%M:%S %Z").strip() if report.started else ""
    rows += [
        ("Source", display(report.source, 60) or NONE),
        ("Started", started or "unknown"),
        ("Duration", clock(report.duration_s)),
        ("Events", f"{report.events:,}"),
    ]
    if with_log and report.log_path is not None:
        rows.append(("Log", display(str(report.log_path), 300)))
    return rows


def _listed(label: str, items: list[str]) -> list[tuple[str, str]]:
    """`label` on the first row, then one row per item; "none" when there are none."""
    if not items:
        return [(label, NONE)]
    return [(label if n == 0 else "", item) for n, item in enumerate(items)]


def _polls(report: LiveReport) -> list[tuple[str, str]]:
    if not report.polls:
        return [("Polls", NONE)]
    rows: list[tuple[str, str]] = []
    for n, poll in enumerate(report.polls, 1):
        voters = poll.voters
        mark = " (TikTok's)" if poll.platform else ""
        rows.append((f"Poll {n}", f"{display(poll.question, 200)}{mark}: {_count(voters, 'vote')}"))
        for text, votes in poll.options:
            share = f"{votes * 100 / voters:.0f}%" if voters else "0%"
            rows.append(("", f"{display(text, 100)}: {votes:,} ({share})"))
    return rows


def _moderation(report: LiveReport) -> list[tuple[str, str]]:
    review = _review(report)
    if not report.moderation:
        return [("Actions", NONE), *review]
    rows = [("Actions", f"{report.moderation_total:,}"), *review]
    kinds: list[str] = []
    for row in report.moderation:
        notes = []
        if row.by_rules:
            notes.append(f"{row.by_rules:,} by the rules")
        if row.undone:
            notes.append(f"{row.undone:,} undone")
        extra = f" ({', '.join(notes)})" if notes else ""
        kind = display(row.kind.replace("_", " "), 30)
        kinds.append(f"{kind} · {display(row.effect, 20)}: {row.count:,}{extra}")
    return rows + _listed("By kind", kinds)


def _review(report: LiveReport) -> list[tuple[str, str]]:
    """The review queue's row: what became of the held messages (none when nothing was held)."""
    review = report.review
    if not review.held:
        return []
    parts = [("approved", review.approved), ("denied", review.denied),
             ("lapsed unreviewed", review.lapsed), ("still waiting", review.waiting)]  # fmt: skip
    told = ", ".join(f"{count:,} {what}" for what, count in parts if count)
    return [("Held for review", f"{review.held:,}: {told}")]


def _trouble(report: LiveReport) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if report.gaps:
        rows.append(("Gaps", f"{report.gaps:,} (the source was away)"))
    if report.malformed:
        rows.append(("Unreadable payloads", f"{report.malformed:,}"))
    if report.problems:
        rows.append(("Damaged log lines", f"{len(report.problems):,}; first: "
                     f"{display(report.problems[0], 200)}"))  # fmt: skip
    return rows


SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float]) -> str:
    """`values` as a line of block characters, lowest to highest (for text: the Markdown file)."""
    if not values:
        return ""
    top = max(values)
    if top <= 0:
        return SPARK[0] * len(values)
    last = len(SPARK) - 1
    return "".join(SPARK[min(last, round(max(0.0, v) * last / top))] for v in values)
