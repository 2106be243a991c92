"""A language no voice speaks: a clear error, or with a fallback language, read in its voice.

espeak-ng has no Klingon (``tlh``), so a post in it is the case: in an article (its embed says
``lang="tlh"``) and in a rundown where a person forced a cue's language.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from polycast.cli import app
from polycast.errors import UnsupportedLanguage
from polycast.models import Cue
from polycast.speak import SpeakSettings, choose_engines, speak

SHORT = Path(__file__).parent / "data" / "cli" / "short-nl.txt"
KLINGON = """\
<html lang="nl"><head><title>Een bericht uit de ruimte</title></head><body><article>
<h1>Een bericht uit de ruimte</h1>
<p>Het kabinet overlegt vandaag in Den Haag over de begroting. De minister was kort van stof.</p>
<blockquote class="twitter-tweet"><p lang="tlh" dir="ltr">nuqneH! Qapla&#39;!</p>&mdash; Worf
(@worf) <a href="https://twitter.com/worf/status/1">9 september 2021</a></blockquote>
<p>Het overleg gaat morgen verder.</p>
</article></body></html>
"""
runner = CliRunner()


def espeak(fallback: str | None = None) -> SpeakSettings:
    return SpeakSettings(engine="espeak", cache=False, workers=1, fallback_lang=fallback)


def test_without_a_fallback_the_language_is_named_with_what_there_is() -> None:
    with pytest.raises(UnsupportedLanguage) as caught:
        choose_engines(["nl", "tlh"], espeak())
    message = str(caught.value)
    assert "no voice for language 'tlh'" in message
    assert "it speaks af, am, an" in message


def test_a_fallback_reads_the_cues_in_its_voice_with_one_notice() -> None:
    plan = choose_engines(["nl", "tlh", "en", "tlh", "xx"], espeak("en"))
    assert plan.substitutes == {"tlh": "en", "xx": "en"}
    assert set(plan) == {"nl", "en"}
    assert plan.notices == (
        "no voice speaks 'tlh' (2 cues), 'xx' (1 cue): read by the 'en' voice instead",
    )
    assert plan.describe()["tlh"] == "read by the en voice (no voice speaks tlh)"
    cues = [Cue("nuqneH!", "tlh"), Cue("Hallo.", "nl")]
    assert [c.lang for c in plan.as_spoken(cues)] == ["en", "nl"]


def test_the_fallback_voice_says_exactly_what_it_says_in_its_own_language() -> None:
    plan = choose_engines(["tlh", "en"], espeak("en"))
    klingon, english = speak([Cue("Success!", "tlh"), Cue("Success!", "en")], plan, workers=1)
    assert klingon.rate == english.rate
    assert np.array_equal(klingon.samples, english.samples)


def test_a_fallback_nobody_speaks_is_named_as_the_fallback() -> None:
    with pytest.raises(UnsupportedLanguage, match=r"^fallback language 'zzz': .*'zzz'"):
        choose_engines(["nl", "tlh"], espeak("zzz"))
    assert choose_engines(["nl"], espeak("zzz")).substitutes == {}  # only checked when needed


def one_line_error(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line != "speaking"]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("polycast: error: ")
    return lines[0]


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "klingon.html"
    path.write_text(KLINGON, encoding="utf-8")
    return path


def test_build_fails_clearly_then_builds_with_a_fallback(article: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["build", str(article), "-o", str(out), "--cache-dir", str(tmp_path / "c"), "--json"]
    failed = runner.invoke(app, args)
    assert failed.exit_code == 1
    line = one_line_error(failed.stderr)
    assert "'tlh'" in line and "it speaks af, am" in line
    assert not out.exists() or not any(out.iterdir())

    built = runner.invoke(app, [*args, "--fallback-lang", "en"])
    assert built.exit_code == 0, built.output
    notices = [line for line in built.stderr.splitlines() if "tlh" in line]
    assert notices == ["polycast: no voice speaks 'tlh' (2 cues): read by the 'en' voice instead"]
    summary = json.loads(built.stdout)
    assert summary["voices"]["tlh"] == "read by the en voice (no voice speaks tlh)"
    assert (out / "klingon.mp3").stat().st_size > 10_000
    assert "nuqneH!" in (out / "klingon.vtt").read_text(encoding="utf-8")


def test_a_language_forced_in_a_rundown(tmp_path: Path) -> None:
    rundown = tmp_path / "r.toml"
    assert runner.invoke(app, ["plan", str(SHORT), "-o", str(rundown)]).exit_code == 0
    post = 'text = "We are following the talks in The Hague closely."\nlang = "'
    text = rundown.read_text(encoding="utf-8")
    assert text.count(post + 'en"') == 1
    rundown.write_text(text.replace(post + 'en"', post + 'tlh"'), encoding="utf-8")
    args = ["build", str(rundown), "-o", str(tmp_path / "out"), "--no-cache"]

    failed = runner.invoke(app, args)
    assert failed.exit_code == 1
    assert "language 'tlh'" in one_line_error(failed.stderr)

    built = runner.invoke(app, [*args, "--fallback-lang", "en"])
    assert built.exit_code == 0, built.output
    assert "no voice speaks 'tlh' (1 cue): read by the 'en' voice" in built.stderr


def test_segments_shows_who_reads_it(article: Path) -> None:
    plain = runner.invoke(app, ["segments", str(article)])
    assert plain.exit_code == 0, plain.output
    assert plain.stdout.splitlines()[3].split()[:3] == ["2", "post", "tlh"]
    assert plain.stderr == ""

    told = runner.invoke(app, ["segments", str(article), "--fallback-lang", "en"])
    assert told.exit_code == 0, told.output
    assert told.stdout.splitlines()[3].split()[:3] == ["2", "post", "tlh→en"]
    assert told.stderr.strip() == "polycast: no voice speaks 'tlh': read by the 'en' voice instead"


def test_preview_takes_the_fallback_too(article: Path, tmp_path: Path) -> None:
    mp3 = tmp_path / "post.mp3"
    args = ["preview", str(article), "2", "-o", str(mp3), "--cache-dir", str(tmp_path / "c")]
    failed = runner.invoke(app, args)
    assert failed.exit_code == 1
    assert "'tlh'" in one_line_error(failed.stderr)
    told = runner.invoke(app, [*args, "--fallback-lang", "en"])
    assert told.exit_code == 0, told.output
    assert "'tlh' (2 cues)" in told.stderr
    assert mp3.stat().st_size > 5_000
