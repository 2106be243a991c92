"""The audio stages' libraries imported beside the planner, and only when a plan is made."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from polycast import pipeline
from polycast.cache import Cache
from polycast.config import Config

SHORT = Path(__file__).parent / "data" / "cli" / "short-nl.txt"


def _fresh(code: str) -> str:
    """Run ``code`` in a fresh Python and return what it prints."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_the_audio_stages_are_imported_on_their_own_thread() -> None:
    code = (
        "import sys, threading\n"
        "from polycast import preload\n"
        "assert 'numpy' not in sys.modules\n"
        "thread = preload.audio_stages()\n"
        "print(thread is not threading.main_thread(), thread.daemon)\n"
        "thread.join()\n"
        "print(sorted(set(preload.AUDIO) - set(sys.modules)))\n"
    )
    assert _fresh(code).splitlines() == ["True True", "[]"]


def test_an_import_that_fails_stops_the_rest_quietly() -> None:
    code = (
        "import sys\n"
        "from polycast.preload import import_all\n"
        "import_all(['json', 'no_such_module_here', 'tabnanny'])\n"
        "print('json' in sys.modules, 'tabnanny' in sys.modules)\n"
    )
    assert _fresh(code) == "True False"


def test_beside_runs_only_when_a_plan_is_made(tmp_path: Path) -> None:
    config = Config()
    article = pipeline.load_source(SHORT, config)
    cache = Cache.of(tmp_path)
    calls: list[str] = []
    first = pipeline.plan_source(article, config, cache, beside=lambda: calls.append("planned"))
    again = pipeline.plan_source(article, config, cache, beside=lambda: calls.append("planned"))
    assert again == first
    assert calls == ["planned"]  # the second found the kept plan: nothing to import beside it
