"""The flood's event pool: a share of long comments, chosen the same way every run (no timing)."""

from __future__ import annotations

from backstage_tui.events import Comment
from benchmarks.common import demo_events
from benchmarks.flood import LONG_COMMENT_CHARS, with_long_comments


def test_a_share_of_the_comments_becomes_long_and_the_rest_is_untouched() -> None:
    pool = demo_events(2000)
    assert with_long_comments(pool, 0.0) == pool
    mixed = with_long_comments(pool, 0.2)
    assert mixed == with_long_comments(pool, 0.2)  # the same choice every run
    assert [e.id for e in mixed] == [e.id for e in pool]
    comments = [(before, after) for before, after in zip(pool, mixed, strict=True)
                if isinstance(after, Comment)]  # fmt: skip
    changed = [after for before, after in comments if after != before]
    assert 0.1 < len(changed) / len(comments) < 0.3
    assert all(LONG_COMMENT_CHARS - 2 <= len(e.text) <= LONG_COMMENT_CHARS for e in changed)
    assert all(after == before for before, after in zip(pool, mixed, strict=True)
               if not isinstance(before, Comment))  # fmt: skip
