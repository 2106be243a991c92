"""One podcast.toml for every command: the template init writes, and segments/plan reading it."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from polycast import config as config_module
from polycast import rundown as rundown_toml
from polycast.cli import app
from polycast.config import load_config, parse_config
from polycast.encode.formats import AudioFormat
from polycast.errors import ConfigError
from polycast.mix.settings import BedSpan
from polycast.publish import read_show

EXAMPLE = Path(__file__).parent / "data" / "articles" / "loekasjenko-poetin-2021-09.txt"
runner = CliRunner()

# A commented-out setting: "# key = value", "# "quoted key" = value" or "# [table]".
_SETTING = re.compile(r'^# (?=\[|"[^"]+"\s*=|[A-Za-z_][\w.-]*\s*=)')


def uncomment(template: str) -> str:
    """Remove the "# " before every commented-out setting and table, leaving prose commented."""
    return "\n".join(_SETTING.sub("", line) for line in template.splitlines()) + "\n"


@pytest.fixture
def written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The podcast.toml that ``polycast init`` writes, in a fresh folder that is the cwd."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    return tmp_path / "podcast.toml"


def test_the_template_loads_as_written(written: Path) -> None:
    config = load_config(written)
    assert config.show_name == "My Show"
    assert config.speak.fallback_lang is None  # the examples are commented out
    assert read_show(written).title == "My Show"


def test_the_uncommented_template_loads_for_build_and_publish(written: Path) -> None:
    text = uncomment(written.read_text(encoding="utf-8"))
    document = tomllib.loads(text)
    assert {"show", "plan", "speak", "mix", "mp3"} <= set(document)  # a table per stage
    assert {"languages", "espeak", "piper", "gtts", "edge"} <= set(document["speak"])
    assert {"pauses", "attribution", "lexicon"} <= set(document["plan"])
    written.write_text(text, encoding="utf-8")

    config = load_config(written)
    show = read_show(written)

    assert show.feed_url == "https://example.com/podcast/feed.xml"
    assert config.plan.pauses.attribution == 400
    assert config.plan.lexicon.apply("De Navo, o.a. hier.", "nl") == (
        "De Naavo, onder andere hier."
    )
    assert config.plan.attribution["en"]["plain"] == "{author} wrote:"
    assert config.speak.engine == "espeak"
    assert config.speak.fallback_lang == "en"
    assert config.speak.languages == {"en": "piper"}
    assert config.speak.options["espeak"]["voices"] == {"en": "en-gb", "nl": "nl"}
    assert config.speak.options["edge"]["voices"]["nl"] == "nl-BE-DenaNeural"
    assert config.mix.sting == written.parent / "audio" / "sting.flac"
    assert config.mix.bed == written.parent / "audio" / "bed.flac"
    assert config.mix.bed_span is BedSpan.FRAME
    assert config.mp3.bitrate == 64


def test_every_table_the_loader_accepts_is_in_the_template(written: Path) -> None:
    text = written.read_text(encoding="utf-8")
    for table in sorted(config_module._TABLES):
        assert re.search(rf"^(# )?\[{table}\]$", text, re.MULTILINE), f"init writes no [{table}]"
    config = parse_config(uncomment(text), base=written.parent)
    assert config.audio_format is AudioFormat.MP3
    assert config.opus.bitrate == 48


def test_uncomment_leaves_prose_alone() -> None:
    prose = "# How the episode is encoded.\n# Words a voice says wrong, respelled per language.\n"
    assert uncomment(prose) == prose
    assert uncomment('# [mp3]\n# bitrate = 64\n# "Navo" = "Naavo"\n') == (
        '[mp3]\nbitrate = 64\n"Navo" = "Naavo"\n'
    )


PLAN_CONFIG = """\
[plan.attribution.nl]
date_platform = "Op {date} plaatste {author} op {platform}:"

[plan.lexicon.nl]
"Navo" = "Naavo"
"""


def test_segments_reads_the_plan_table_of_the_config(tmp_path: Path) -> None:
    config = tmp_path / "show.toml"
    config.write_text(PLAN_CONFIG, encoding="utf-8")
    result = runner.invoke(app, ["segments", str(EXAMPLE), "--json", "--config", str(config)])
    assert result.exit_code == 0, result.output
    speech = {s["index"]: s["speech"] for s in json.loads(result.stdout)["segments"]}
    assert speech[4].startswith("Op 9 september 2021 plaatste CEPA op Twitter:")
    assert "door de Naavo." in speech[2]


def test_plan_reads_podcast_toml_from_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "podcast.toml").write_text(PLAN_CONFIG, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["plan", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    texts = [c.text for ch in rundown_toml.loads(result.stdout).chapters for c in ch.cues]
    assert "Op 9 september 2021 plaatste CEPA op Twitter:" in texts
    assert any("door de Naavo." in t for t in texts)


def test_a_lexicon_file_is_laid_over_the_config_lexicon(tmp_path: Path) -> None:
    config = tmp_path / "show.toml"
    config.write_text(PLAN_CONFIG + '"Moskou" = "Mosko"\n', encoding="utf-8")
    lexicon = tmp_path / "lexicon.toml"
    lexicon.write_text('[nl]\n"Navo" = "Nato"\n', encoding="utf-8")
    result = runner.invoke(
        app, ["plan", str(EXAMPLE), "--config", str(config), "--lexicon", str(lexicon)]
    )
    assert result.exit_code == 0, result.output
    assert "door de Nato." in result.stdout  # the file wins where both respell a word
    assert "biedt Mosko de kans" in result.stdout  # the config's other entries still apply


@pytest.mark.parametrize("command", ["segments", "plan"])
def test_a_bad_config_fails_in_one_line(command: str, tmp_path: Path) -> None:
    config = tmp_path / "show.toml"
    config.write_text("[plan]\npauses = 3\n", encoding="utf-8")
    result = runner.invoke(app, [command, str(EXAMPLE), "--config", str(config)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"polycast: error: {config}: plan.pauses must be a table")
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_speak_table_takes_a_fallback_language() -> None:
    assert parse_config('[speak]\nfallback_lang = "en"\n').speak.fallback_lang == "en"
    with pytest.raises(ValueError, match="fallback_lang has the wrong type"):
        parse_config("[speak]\nfallback_lang = 3\n")


def test_the_article_limit_is_read_from_the_input_table() -> None:
    assert parse_config("").max_article_bytes == 10_000_000
    assert parse_config("[input]\nmax_article_mb = 2.5\n").max_article_bytes == 2_500_000
    with pytest.raises(ConfigError, match=r"input\.max_article_mb must be between"):
        parse_config("[input]\nmax_article_mb = 0\n")
    with pytest.raises(ConfigError, match=r"input\.max_article_mb must be between"):
        parse_config('[input]\nmax_article_mb = "10"\n')
    with pytest.raises(ConfigError, match=r"input\.size: unknown key"):
        parse_config("[input]\nsize = 3\n")


def test_the_follow_limit_is_read_from_the_input_table() -> None:
    assert parse_config("").max_follow_bytes == 200_000_000
    assert parse_config("[input]\nmax_follow_mb = 0.5\n").max_follow_bytes == 500_000
    with pytest.raises(ConfigError, match=r"input\.max_follow_mb must be between"):
        parse_config("[input]\nmax_follow_mb = true\n")


def test_the_music_limit_is_read_from_the_mix_table() -> None:
    assert parse_config("[mix]\nmax_music_mb = 5\n").mix.max_music_mb == 5.0
    with pytest.raises(ConfigError, match=r"mix\.max_music_mb must be between"):
        parse_config("[mix]\nmax_music_mb = -1\n")


SHORT = Path(__file__).parent / "data" / "cli" / "short-nl.txt"


def _build_texts(folder: Path) -> tuple[str, str]:
    """Build the short article with ./podcast.toml; return what it wrote as text, and stderr."""
    result = runner.invoke(app, ["build", str(SHORT), "--cache-dir", str(folder / "cache")])
    assert result.exit_code == 0, result.output
    out = folder / "output"
    written = [out / f"short-nl{suffix}" for suffix in (".vtt", ".srt", ".chapters.json")]
    return "\n".join(p.read_text(encoding="utf-8") for p in written) + result.stdout, result.stderr


def test_a_fresh_template_does_not_announce_its_placeholder_show(written: Path) -> None:
    texts, stderr = _build_texts(written.parent)
    assert "My Show" not in texts
    assert 'still called "My Show"' in stderr and "[show] title" in stderr

    text = written.read_text(encoding="utf-8").replace('"My Show"', '"De Avondkrant"', 1)
    written.write_text(text, encoding="utf-8")
    texts, stderr = _build_texts(written.parent)
    assert "Je luistert naar De Avondkrant." in texts
    assert "My Show" not in stderr


def test_the_shows_author_is_not_the_episodes() -> None:
    config = parse_config('[show]\ntitle = "Polyglot"\nauthor = "Jane Doe"\n')
    assert config.author is None  # --author alone sets the episode's artist over the article's
    assert config.show_author == "Jane Doe"
