"""The command line as a person uses it: help everywhere, the build end to end, bad input."""

from __future__ import annotations

import itertools
import json
import re
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from mutagen.id3 import ID3
from typer import _click as click
from typer.testing import CliRunner, Result

import cli_process
from gtts_server import HANG_S, GttsServer, without_proxies
from id3_reader import read_tag
from polycast import __version__
from polycast.cli import app
from polycast.cli.app import COMMANDS
from polycast.encode.mp3 import decode_mp3

SHORT = Path(__file__).parent / "data" / "cli" / "short-nl.txt"
runner = CliRunner()


def commands() -> list[tuple[str, click.Command]]:
    """Every command the group lists, loaded as running it would load it."""
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    ctx = click.Context(group)
    found = [(name, group.get_command(ctx, name)) for name in group.list_commands(ctx)]
    return sorted((name, command) for name, command in found if command is not None)


def test_every_command_and_option_has_help() -> None:
    found = commands()
    assert {"build", "segments", "plan", "preview", "voices", "publish", "init", "serve"} <= {
        name for name, _ in found
    }
    for name, command in found:
        assert command.help, f"{name} has no help text"
        for param in command.params:
            assert getattr(param, "help", None), f"{name} {param.name} has no help text"
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0
        assert "Usage:" in result.output


def test_help_keeps_bracketed_words_and_shows_no_value_for_a_flag() -> None:
    """Help is plain text: ``[opus]`` is not eaten as markup and a flag takes no ``<bool>``."""
    top = runner.invoke(app, ["--help"])
    assert "<bool>" not in top.output
    for name, command in commands():
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, result.output
        shown = " ".join(result.output.split())
        helps = [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
        for word in re.findall(r"\[[^\]\s]+\]", " ".join(helps)):
            assert word in shown, f"{name} --help lost {word}"
        assert "<bool>" not in shown, f"{name} --help shows a flag as taking a value"
        for param in command.params:
            if param.param_type_name == "option" and getattr(param, "is_flag", False):
                assert not re.search(rf"{re.escape(param.opts[0])} <", shown), param.opts


def test_every_build_option_is_in_the_readme_command_table() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    (row,) = [line for line in readme.splitlines() if line.startswith("| `polycast build ")]
    build = dict(commands())["build"]
    for param in build.params:
        if param.param_type_name == "option" and param.name != "help":
            assert any(f"{opt} " in row or f"{opt}]" in row for opt in param.opts), (
                f"README's build row lacks {param.opts[0]}"
            )


def test_the_listing_says_what_each_command_says_of_itself() -> None:
    """``--help`` lists the commands from a table, without importing them: it must not drift."""
    found = dict(commands())  # imports every command module
    named = {
        info.name or typer.main.get_command_name(info.callback.__name__): info.callback
        for info in app.registered_commands
        if info.callback is not None
    }
    assert sorted(named) == sorted(found) == sorted(COMMANDS)
    for name, listed in COMMANDS.items():
        assert named[name].__module__ == f"polycast.cli.{listed.module}", name
        assert (found[name].help or "").split("\n\n")[0] == listed.summary, name
    listing = runner.invoke(app, ["--help"]).output.split("Commands:")[1]
    places = [listing.index(f"\n  {name} ") for name in COMMANDS]
    assert places == sorted(places)  # in the job's order


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"polycast {__version__}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """Build the short fixture article once, through the CLI, with a cache of its own."""
    out = tmp_path_factory.mktemp("out")
    cache = tmp_path_factory.mktemp("cache")
    result = runner.invoke(
        app,
        [
            "build",
            str(SHORT),
            "-o",
            str(out),
            "--cache-dir",
            str(cache),
            "--json",
            "--title",
            "Kort nieuws",
            "--author",
            "De redactie",
            "--album",
            "Testshow",
        ],
    )
    assert result.exit_code == 0, result.output
    return out, json.loads(result.stdout)


def test_build_writes_an_episode_and_its_companions(built: tuple[Path, dict[str, object]]) -> None:
    out, summary = built
    mp3 = out / "short-nl.mp3"
    assert summary["mp3"] == str(mp3)
    assert summary["title"] == "Kort nieuws"
    assert sorted(p.name for p in out.iterdir()) == [
        "short-nl.chapters.json",
        "short-nl.mp3",
        "short-nl.srt",
        "short-nl.timeline.svg",
        "short-nl.vtt",
    ]
    samples, rate, channels = decode_mp3(mp3.read_bytes())
    assert (rate, channels) == (44100, 1)
    assert abs(len(samples) / rate - float(summary["duration"])) < 0.05  # type: ignore[arg-type]


def test_build_tags_chapters_in_time_order(built: tuple[Path, dict[str, object]]) -> None:
    out, _summary = built
    mp3 = out / "short-nl.mp3"
    tags = ID3(mp3)
    assert tags.version == (2, 3, 0)
    assert str(tags["TIT2"]) == "Kort nieuws"  # the article has no title of its own
    assert str(tags["TPE1"]) == "De redactie"
    assert str(tags["TALB"]) == "Testshow"
    chaps = [f for f in read_tag(mp3.read_bytes()).frames if f.id == "CHAP"]
    starts = [c.start_ms or 0 for c in chaps]
    assert starts == sorted(starts) and starts[0] == 0
    titles = [next(s.text for s in c.sub_frames if s.id == "TIT2") for c in chaps]
    # The show's intro, the opening under the episode title, the post, the section, the outro.
    assert titles == ["Testshow", "Kort nieuws", "Jane Doe (@JaneDoe)", "Vervolg", "Afsluiting"]
    samples, rate, _ = decode_mp3(mp3.read_bytes())
    assert abs((chaps[-1].end_ms or 0) - len(samples) * 1000 / rate) <= 50
    for before, after in itertools.pairwise(chaps):
        assert before.end_ms == after.start_ms


def test_ffprobe_lists_the_chapters_in_order(
    built: tuple[Path, dict[str, object]], ffprobe: str
) -> None:
    out, summary = built
    probe = subprocess.run(
        [ffprobe, "-v", "error", "-of", "json", "-show_chapters", str(out / "short-nl.mp3")],
        capture_output=True,
        text=True,
        check=True,
    )
    chapters = json.loads(probe.stdout)["chapters"]
    expected = [c["title"] for c in summary["chapters"]]  # type: ignore[attr-defined]
    assert [c["tags"]["title"] for c in chapters] == expected
    starts = [float(c["start_time"]) for c in chapters]
    assert starts == sorted(starts)


def test_build_summary_as_text(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["build", str(SHORT), "-o", str(tmp_path), "--cache-dir", str(tmp_path / "cache")]
    )
    assert result.exit_code == 0, result.output
    assert "episode" in result.stdout and "short-nl.mp3" in result.stdout
    assert "LUFS" in result.stdout
    assert "Jane Doe (@JaneDoe)" in result.stdout


def run_cli(
    *args: str, cwd: Path | None = None, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """Run polycast in a process of its own, as a user's shell would."""
    return cli_process.run(
        args,
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        **kwargs,  # type: ignore[call-overload]
    )


def invoke(*args: str) -> Result:
    """Run polycast in this process, stderr apart: enough where no signal or limit is involved."""
    return runner.invoke(app, list(args))


def assert_one_line_error(
    result: subprocess.CompletedProcess[str] | Result, code: int, *words: str
) -> None:
    if isinstance(result, subprocess.CompletedProcess):
        assert result.returncode == code, result.stderr
    else:  # in this process: an uncaught exception is what a traceback would show
        assert isinstance(result.exception, SystemExit), result.exc_info
        assert result.exit_code == code, result.stderr
    lines = [line for line in result.stderr.strip().splitlines() if line != "speaking"]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]


BAD_INPUTS: dict[str, bytes | None] = {
    "missing.txt": None,
    "empty.txt": b"",
    "blank.txt": b"  \n\n\t \n",
    "latin1.txt": "Een café in Genève, één keer.".encode("latin-1"),
    "garbage.txt": bytes(range(256)) * 40,
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_and_exit_1(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = BAD_INPUTS[name]
    if data is not None:
        (tmp_path / name).write_bytes(data)
    monkeypatch.chdir(tmp_path)
    result = invoke("build", name, "-o", "out", "--no-cache")
    assert_one_line_error(result, 1, name)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_directory_is_not_an_article(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("build", str(tmp_path), "--no-cache")
    assert_one_line_error(result, 1, "directory")


def test_an_unwritable_output_folder(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    result = invoke("build", str(SHORT), "-o", str(tmp_path / "afile" / "out"), "--no-cache")
    assert_one_line_error(result, 1, "afile")
    result = invoke("build", str(SHORT), "-o", "/proc/polycast-out", "--no-cache")
    assert_one_line_error(result, 1, "/proc/polycast-out")


@pytest.mark.parametrize(
    "option", [["--bitrate", "65"], ["--workers", "0"], ["--rate", "22050"], ["--nope"]]
)
def test_a_bad_option_value_is_a_usage_error(
    option: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("build", str(SHORT), *option)
    assert isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "output").exists()


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))


def previous_episode(built: tuple[Path, dict[str, object]], folder: Path) -> None:
    """Put the module's built episode in ``folder``: the one a failed rebuild must leave alone."""
    shutil.copytree(built[0], folder, dirs_exist_ok=True)


def test_a_full_disk_keeps_the_previous_episode(
    tmp_path: Path, built: tuple[Path, dict[str, object]]
) -> None:
    """A write that fails halfway (here: the file-size limit) leaves the old episode intact."""
    previous_episode(built, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    longer = tmp_path / "src" / "short-nl.txt"
    longer.parent.mkdir()
    longer.write_text(SHORT.read_text() + "\n\nDit is een extra alinea met nieuwe woorden.\n")
    result = run_cli(
        "build", str(longer), "-o", str(tmp_path), "--no-cache", preexec_fn=_limit_file_size
    )
    assert_one_line_error(result, 1, "cannot write")
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    assert after == before


def test_ctrl_c_halfway_leaves_nothing_half_written(
    tmp_path: Path, built: tuple[Path, dict[str, object]]
) -> None:
    """SIGINT during a build: exit 130, one line, the previous episode untouched, no temp files.

    The build speaks through a local gTTS endpoint that answers the first sentence and holds the
    second until the signal is sent: the interrupt lands mid-speech however busy the machine is.
    """
    out = tmp_path / "out"
    previous_episode(built, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with without_proxies(), GttsServer() as server:
        config = tmp_path / "podcast.toml"
        config.write_text(
            f'[speak]\nengine = "gtts"\n\n[speak.gtts]\nendpoint = "{server.endpoint}"\n'
        )
        server.behave(hold_after=1)
        options = ["--config", str(config), "--no-cache", "--workers", "1"]
        process = cli_process.popen(
            ["build", str(SHORT), "-o", str(out), *options],
            stderr=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stderr is not None
            assert process.stderr.read(len("speaking")) == "speaking"  # the bar has started
            server.wait_held(1)  # one sentence spoken, the next one asked for and unanswered
            process.send_signal(signal.SIGINT)
            server.release()
            _, err = process.communicate(timeout=HANG_S)
        finally:
            process.kill()
            process.wait()
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert err.strip().endswith("interrupted; nothing was written")
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before


def test_python_dash_m_runs_the_cli() -> None:
    """A fresh interpreter, not a fork of one that imported polycast: the entry point itself."""
    result = subprocess.run(
        [sys.executable, "-m", "polycast", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "build" in result.stdout


def test_console_script_is_installed() -> None:
    script = shutil.which("polycast", path=str(Path(sys.executable).parent))
    assert script is not None
    result = subprocess.run([script, "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == f"polycast {__version__}"


def test_format_overrides_what_the_extension_says(tmp_path: Path) -> None:
    article = tmp_path / "notes.txt"
    article.write_text("# Kop\n\n<p>Een <b>alinea</b> in HTML.</p>\n", encoding="utf-8")
    as_text = runner.invoke(app, ["segments", str(article), "--json"])
    as_markdown = runner.invoke(app, ["segments", str(article), "--json", "--format", "markdown"])
    assert as_text.exit_code == 0 and as_markdown.exit_code == 0
    assert json.loads(as_text.stdout)["title"] == "# Kop"
    markdown = json.loads(as_markdown.stdout)
    assert markdown["title"] == "Kop"
    assert markdown["segments"][-1]["text"] == "Een alinea in HTML."


def test_build_then_publish_keeps_the_article_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The example is dated 2021-09: the feed says September 2021, not January.

    The build speaks the example's opening (its name, its dated first line, its first paragraph):
    where the date comes from, at a tenth of the whole example's speech.
    """
    import feedparser

    monkeypatch.chdir(tmp_path)
    whole = Path(__file__).parents[1] / "source" / "loekasjenko-poetin-2021-09.txt"
    example = tmp_path / whole.name
    opening = whole.read_text(encoding="utf-8").split("\n\n")[:2]
    example.write_text("\n\n".join(opening) + "\n", encoding="utf-8")
    assert runner.invoke(app, ["init"]).exit_code == 0
    built = runner.invoke(app, ["build", str(example), "--cache-dir", str(tmp_path / "c")])
    assert built.exit_code == 0, built.output
    published = runner.invoke(app, ["publish", "output/loekasjenko-poetin-2021-09.mp3"])
    assert published.exit_code == 0, published.output
    feed = feedparser.parse((tmp_path / "output" / "public" / "feed.xml").read_bytes())
    (entry,) = feed.entries
    assert tuple(entry.published_parsed[:2]) == (2021, 9)


def test_segments_json_gives_every_post_of_the_example_a_url() -> None:
    example = Path(__file__).parent / "data" / "articles" / "loekasjenko-poetin-2021-09.txt"
    result = runner.invoke(app, ["segments", str(example), "--json"])
    assert result.exit_code == 0, result.output
    posts = [s for s in json.loads(result.stdout)["segments"] if s["kind"] == "post"]
    assert [(p["handle"], p["url"]) for p in posts] == [
        ("cepa", "https://twitter.com/cepa"),  # no status link in the article: the profile
        ("Tsihanouskaya", "https://twitter.com/Tsihanouskaya"),
    ]
    others = [s for s in json.loads(result.stdout)["segments"] if s["kind"] != "post"]
    assert {s["url"] for s in others} == {None}
