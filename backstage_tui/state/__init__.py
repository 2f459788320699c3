"""Pure reducers over events. `ConsoleState` is the whole console's state."""

from .automod import REVIEW_QUEUE_MAX, AutomodState, HeldMessage
from .console import ConsoleState
from .feed import FEED_CAPACITY, FeedState, feed_kind, shows_in_feed
from .feed_window import FeedWindow
from .guests import GuestOnNow, GuestsState, GuestSummary
from .moderation import ModerationState
from .pins import PinsState
from .polls import Poll, PollResult, PollsState
from .questions import AskedQuestion, QuestionsState
from .series import MinuteSeries
from .stats import StatsState

__all__ = [
    "AskedQuestion",
    "GuestOnNow",
    "GuestSummary",
    "GuestsState",
    "MinuteSeries",
    "QuestionsState",
    "AutomodState",
    "FEED_CAPACITY",
    "ConsoleState",
    "FeedState",
    "FeedWindow",
    "HeldMessage",
    "REVIEW_QUEUE_MAX",
    "ModerationState",
    "PinsState",
    "Poll",
    "PollResult",
    "PollsState",
    "StatsState",
    "feed_kind",
    "shows_in_feed",
]
