"""backstage: a keyboard-driven backstage console for TikTok LIVE creators and their moderators."""

__version__ = "0.1.0"
