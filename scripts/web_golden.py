"""Write what polycast speaks of each benchmark page: the golden files of test_web_golden.py.

Usage: ``uv run python scripts/web_golden.py``. Run it after a deliberate change to reading or
planning, then read the diff (``git diff tests/data/web``) before committing it: every line that
appears is something a listener will now hear, every line that goes is something they will not.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import score_web


def main() -> None:
    changed = 0
    for key in score_web.truths():
        path = score_web.PAGES / f"{key}.txt"
        text = score_web.read_page(key) + "\n"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed += 1
    print(f"{changed} golden files written in {score_web.PAGES}")


if __name__ == "__main__":
    main()
