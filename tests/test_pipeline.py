"""The pipeline as a library: any text in gives a valid episode or a clear error out."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from polycast import pipeline
from polycast.config import Config
from polycast.encode.mp3 import decode_mp3
from polycast.errors import PolycastError
from polycast.speak import SpeakSettings

ARTICLE_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=300
) | st.lists(
    st.sampled_from(
        [
            "Het kabinet overlegt vandaag.",
            "We are watching closely. pic.twitter.com/x — Jane (@jane) 9 september 2021",
            "Kort",
            "# Kop",
            "<p>Een <b>alinea</b> in HTML.</p>",
            "🇳🇱 🎉 #hashtag @handle https://example.com",
            "",
            "1,5 miljoen euro en 30-34% in 2021.",
        ]
    ),
    max_size=6,
).map("\n\n".join)


@settings(max_examples=12, deadline=None)
@given(text=ARTICLE_TEXT, suffix=st.sampled_from([".txt", ".md", ".html"]))
def test_any_text_gives_a_valid_mp3_or_a_clear_error(text: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        check_one(text, Path(folder) / f"article{suffix}")


def check_one(text: str, source: Path) -> None:
    source.write_text(text, encoding="utf-8")
    out = source.parent / "out"
    config = Config(speak=SpeakSettings(cache=False, workers=1))
    try:
        result = pipeline.build(source, config, out)
    except PolycastError as e:
        message = str(e)
        assert message and "\n" not in message
        assert not out.exists() or not any(out.iterdir())
        return
    samples, rate, _ = decode_mp3(result.mp3.read_bytes())
    assert rate == 44100
    assert len(samples) > 0
    assert abs(len(samples) / rate - result.seconds) < 0.05


def test_a_rundown_is_read_as_one_whatever_its_name(tmp_path: Path) -> None:
    from polycast import rundown
    from polycast.models import Article, Rundown

    text = 'title = "Dag"\nlanguage = "nl"\n\n[[chapter]]\ntitle = "A"\n\n[[chapter.cue]]\n'
    text += 'text = "Hallo daar."\nlang = "nl"\n'
    path = tmp_path / "notes.txt"
    path.write_text(text, encoding="utf-8")
    source = pipeline.load_source(path, Config())
    assert isinstance(source, Rundown)
    assert source == rundown.loads(text)
    path.write_text("Hallo daar, dit is een gewoon artikel.\n", encoding="utf-8")
    assert isinstance(pipeline.load_source(path, Config()), Article)


def test_build_checks_every_output_against_the_input_before_any_work(tmp_path: Path) -> None:
    import pytest

    from polycast.errors import OutputError

    article = tmp_path / "notes.srt"
    article.write_text("Hallo daar, dit is een gewoon artikel.\n", encoding="utf-8")
    with pytest.raises(OutputError, match="leads to the input"):
        pipeline.build(article, Config(), tmp_path / "out" / ".." / "notes.mp3")
    assert not (tmp_path / "out").exists()  # not even the output folder was made
    assert article.read_text(encoding="utf-8").startswith("Hallo")


def test_a_rundowns_name_is_not_in_its_episodes_key() -> None:
    from dataclasses import replace

    from polycast.cache.episodes import episode_key
    from polycast.models import Chapter, Cue, Rundown

    planned = Rundown((Chapter("A", (Cue("Hallo daar.", "nl"),)),), title="Dag", language="nl")
    config = Config()
    key = episode_key(planned, ["audio"], config)
    assert episode_key(replace(planned, name="dag"), ["audio"], config) == key
    assert episode_key(replace(planned, title="Nacht"), ["audio"], config) != key
