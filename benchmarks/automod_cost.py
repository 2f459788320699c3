"""`automod_us_per_comment`: what the auto-moderation rules cost per comment, in process.

The default rule set plus `TERMS` blocked terms (the figure the flood targets are held to) judges
the demo mix's comments and questions, as the runtime does before publishing each; beside it, the
anchor: a plain loop over the same terms with ``in`` on the lower-cased text (what one would write
without a normaliser or an automaton; it finds far less: no disguise, no whole words).

The real command runs with the same rules in the pty measurement (`rules_config` writes them to a
config file it is started with), so ``pty_rate`` and ``pty_p99_ms`` are measured with them on.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from backstage_tui.automod.engine import JUDGED_TYPES, AutomodEngine
from backstage_tui.automod.settings import AutomodSettings
from backstage_tui.events import Comment, Question

from .common import SEED, Metrics, demo_events

TERMS = 200
EVENTS = 50_000


def blocked_terms(count: int = TERMS, seed: int = SEED) -> list[str]:
    """`count` made-up terms of 4 to 9 letters, a few of them with ``*`` (inside words)."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    terms = {
        "".join(rng.choice(letters) for _ in range(rng.randint(4, 9))) for _ in range(count * 2)
    }
    chosen = sorted(terms)[:count]
    return [f"*{term}*" if n % 10 == 0 else term for n, term in enumerate(chosen)]


def settings(terms: list[str]) -> AutomodSettings:
    return AutomodSettings.model_validate({"terms": {"bench": {"terms": terms}}})


def rules_config(folder: Path) -> Path:
    """A config file with the default rules plus the benchmark's blocked terms."""
    path = folder / "automod-bench.toml"
    listed = ", ".join(f'"{term}"' for term in blocked_terms())
    path.write_text(f"[automod.terms.bench]\nterms = [{listed}]\n", encoding="utf-8")
    return path


def measure(count: int = EVENTS) -> Metrics:
    messages = [e for e in demo_events(count) if e.type in JUDGED_TYPES]
    assert all(isinstance(e, Comment | Question) for e in messages)
    terms = blocked_terms()
    engine = AutomodEngine(settings(terms))
    judged = decided = 0
    started = time.perf_counter()
    for message in messages:
        out = engine.judge(message)
        judged += 1
        decided += bool(out)
    rules_s = time.perf_counter() - started
    # The same messages made all distinct (a serial number on each), so none is judged again
    # from the engine's memory of texts: the cost of a chat that never repeats itself.
    unique = [m.model_copy(update={"text": f"{m.text} {n}"}) for n, m in enumerate(messages)]  # type: ignore[union-attr]
    fresh = AutomodEngine(settings(terms))
    started = time.perf_counter()
    for message in unique:
        fresh.judge(message)
    unique_s = time.perf_counter() - started
    plain = [term.strip("*") for term in terms]
    found = 0
    started = time.perf_counter()
    for message in messages:
        text = message.text.lower()  # type: ignore[union-attr]
        found += any(term in text for term in plain)
    loop_s = time.perf_counter() - started
    return {
        "automod_us_per_comment": rules_s / judged * 1e6,
        "automod_unique_us_per_comment": unique_s / judged * 1e6,
        "automod_terms_in_loop_us": loop_s / judged * 1e6,
        "automod_decided_share": decided / judged,
        "automod_comments": float(judged),
    }


def run(count: int) -> Metrics:
    return measure(count)
