"""Auto-moderation: the rules (`settings`, the config's ``[automod]`` section), the escalation
ladder (`ladder`) and the engine that judges each message as it arrives (`engine`).

The engine runs in the live session's runtime and publishes what it decides as events, recorded
like every other; the state folds those (`state.automod`), so a replay shows the same decisions
without judging again.
"""
