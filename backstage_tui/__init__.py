"""backstage: a keyboard-driven backstage console for TikTok LIVE creators and their moderators."""

__version__ = "0.1.0"
APP_NAME = "backstage"
"""The command's name, and the folder name for settings and session logs."""
