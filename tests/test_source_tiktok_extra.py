"""Without the ``tiktok`` extra, ``--source tiktok`` says in one line what to install (exit 2).

Runs whether the extra is installed or not: the library is blocked from importing in a subprocess.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import is_one_readable_line


def test_without_the_extra_the_command_says_what_to_install(tmp_path: Path) -> None:
    # The library blocked from importing, as on a machine without the extra.
    code = (
        "import sys; sys.modules['TikTokLive'] = None\n"
        "from backstage_tui.cli import main\n"
        "sys.exit(main(['--source', 'tiktok', '-o', 'user=@host']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode == 2
    message = result.stderr.strip()
    assert is_one_readable_line(message)
    assert "pip install 'backstage-tui[tiktok]'" in message
