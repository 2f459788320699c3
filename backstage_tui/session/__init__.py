"""Session logs: recording, reading back, and where they live."""

from .header import SessionHeader
from .paths import default_sessions_dir, log_filename, new_log_path
from .reader import Problem, SessionLogError, SessionReader
from .recorder import SessionRecorder

__all__ = [
    "Problem",
    "SessionHeader",
    "SessionLogError",
    "SessionReader",
    "SessionRecorder",
    "default_sessions_dir",
    "log_filename",
    "new_log_path",
]
