"""`render_markdown`: the live's report as a Markdown file a creator keeps beside the log.

Markdown viewers render HTML and links written in the text, so every piece of viewer text (already
display-safe from `sections`) has Markdown's and HTML's special characters backslash-escaped.
"""

from __future__ import annotations

import re

from ..safetext import display
from .live_report import LiveReport
from .sections import sparkline

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
"""Emphasis, code, links and images (their brackets), raw HTML and entities, table cells,
strikethrough: special anywhere in a line."""
_LIST_START = re.compile(r"^(\d+)([.)])|^([-=+#])")
"""What would start a list, a heading or an underline where a value begins a line."""


def md_escape(text: str) -> str:
    """`text` shown as itself by any Markdown renderer (CommonMark: ASCII punctuation escapes)."""
    escaped = _SPECIAL.sub(r"\\\1", text)
    return _LIST_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1)
                           else f"\\{m.group(3)}", escaped)  # fmt: skip


def render_markdown(report: LiveReport) -> str:
    title = display(report.title, 200) if report.title else "Untitled live"
    lines = [f"# {md_escape(title)}", ""]
    for section in report.sections():
        lines += [f"## {md_escape(section.title)}", ""]
        for label, values in section.entries():
            if len(values) == 1:
                lead = f"{md_escape(label)}: " if label else ""
                lines.append(f"- {lead}{md_escape(values[0])}")
            else:
                lines.append(f"- {md_escape(label)}:")
                lines += [f"  - {md_escape(value)}" for value in values]
        lines.append("")
    lines += ["## Curves", ""]
    for name, curve in (
        ("Viewers", report.viewers_curve),
        ("Comments a minute", report.comments_curve),
    ):
        peak = f"{max(curve.values):,.0f}" if curve.values else "0"
        step = f"{curve.step_s:g} s"
        lines.append(f"- {name} (a point every {step}, peak {peak}): `{sparkline(curve.values)}`")
    lines.append("")
    return "\n".join(lines)
