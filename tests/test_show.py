from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from polycast.cli import app
from polycast.errors import ConfigError
from polycast.publish.categories import APPLE_CATEGORIES
from polycast.publish.show import (
    DEFAULT_PUBLISH_DIR,
    TEMPLATE,
    ShowConfig,
    load_show,
    read_show,
)

MINIMAL = """
[show]
title = "Polyglot Nieuws"
description = "Artikelen voorgelezen."
author = "Jane Doe"
owner_name = "Jane Doe"
owner_email = "jane@example.com"
language = "nl"
category = "News"
image_url = "https://example.com/cover.png"
base_url = "https://example.com/podcast"

[mix]
whatever = "belongs to another stage"
"""


def with_line(line: str, text: str = MINIMAL) -> str:
    """The minimal config with one line added (or replaced, for a key it already has)."""
    key = line.split("=", maxsplit=1)[0].strip()
    lines = [x for x in text.splitlines() if x.split("=")[0].strip() != key]
    at = lines.index("[show]") + 1
    return "\n".join([*lines[:at], line, *lines[at:]])


def test_minimal_config_and_defaults() -> None:
    show = load_show(MINIMAL)
    assert show == ShowConfig(
        title="Polyglot Nieuws",
        description="Artikelen voorgelezen.",
        author="Jane Doe",
        owner_name="Jane Doe",
        owner_email="jane@example.com",
        language="nl",
        category="News",
        image_url="https://example.com/cover.png",
        base_url="https://example.com/podcast",
    )
    assert show.subcategory is None and show.explicit is False and show.locked is True
    assert show.feed_url is None and show.link is None
    assert show.publish_dir == DEFAULT_PUBLISH_DIR


def test_template_loads_as_written() -> None:
    show = load_show(TEMPLATE)
    assert (show.category, show.subcategory) == ("News", "Daily News")
    assert show.explicit is False and show.locked is True
    assert show.publish_dir == Path("output/public")
    assert TEMPLATE.count("#") > 10  # commented for a person to edit


def test_every_field_read() -> None:
    text = MINIMAL
    for line in (
        'subcategory = "Politics"',
        "explicit = true",
        "locked = false",
        'feed_url = "https://example.com/podcast/rss.xml"',
        'link = "https://example.com/"',
        'publish_dir = "site/pod"',
        'category = "Health & Fitness"',
        'subcategory = "Mental Health"',
    ):
        text = with_line(line, text)
    show = load_show(text)
    assert show.explicit is True and show.locked is False
    assert (show.category, show.subcategory) == ("Health & Fitness", "Mental Health")
    assert show.feed_url == "https://example.com/podcast/rss.xml"
    assert show.link == "https://example.com/"
    assert show.publish_dir == Path("site/pod")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('category = "Newz"', "show.category: 'Newz' is not an Apple Podcasts category; did you"),
        ('category = "news"', "did you mean 'News'?"),
        ('subcategory = "Stand-Up"', "show.subcategory: 'Stand-Up' is not a subcategory of 'News'"),
        ('owner_email = "jane"', "show.owner_email: 'jane' is not an email address"),
        ('language = "Nederlands!"', "show.language: 'Nederlands!' is not a language code"),
        ('base_url = "example.com/podcast"', "show.base_url: 'example.com/podcast' is not an abs"),
        ('feed_url = "ftp://example.com/f.xml"', "show.feed_url: 'ftp://example.com/f.xml' is not"),
        ('image_url = "https://example.com/cover.gif"', "show.image_url: must end in .jpg or .png"),
        ('explicit = "no"', "show.explicit: must be true or false, not 'no'"),
        ("title = 42", "show.title: must be a string, not int"),
        ('title = "  "', "show.title: is empty"),
        ('colour = "blue"', "show.colour: unknown key (known: title, "),
    ],
)
def test_invalid_values_name_the_key_and_reason(line: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_show(with_line(line))
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


def test_subcategory_of_a_category_without_any() -> None:
    text = with_line('subcategory = "Politics"', with_line('category = "History"'))
    with pytest.raises(ConfigError, match=r"'History' \(Apple lists: none\)"):
        load_show(text)


def test_missing_key_table_and_bad_toml() -> None:
    without_email = "\n".join(x for x in MINIMAL.splitlines() if "owner_email" not in x)
    with pytest.raises(ConfigError, match=r"show\.owner_email: missing"):
        load_show(without_email)
    with pytest.raises(ConfigError, match=r"no \[show\] table; run 'polycast init'"):
        load_show("[mix]\nrate = 44100\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_show('[show]\ntitle = "unterminated\n')


def test_apple_categories_table() -> None:
    assert len(APPLE_CATEGORIES) == 19
    assert "Daily News" in APPLE_CATEGORIES["News"]
    assert APPLE_CATEGORIES["True Crime"] == ()
    assert sum(len(subs) for subs in APPLE_CATEGORIES.values()) == 91


def test_read_show_resolves_publish_dir_beside_the_file(tmp_path: Path) -> None:
    config = tmp_path / "podcast.toml"
    config.write_text(with_line('publish_dir = "public"'), encoding="utf-8")
    assert read_show(config).publish_dir == tmp_path / "public"
    absolute = tmp_path / "elsewhere"
    config.write_text(with_line(f'publish_dir = "{absolute}"'), encoding="utf-8")
    assert read_show(config).publish_dir == absolute


def test_read_show_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"podcast.toml: not found; 'polycast init'"):
        read_show(tmp_path / "podcast.toml")
    config = tmp_path / "podcast.toml"
    config.write_text(with_line('category = "Newz"'), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"podcast.toml: show.category: 'Newz'"):
        read_show(config)
    config.write_bytes(b"\xff\xfe[show]")
    with pytest.raises(ConfigError, match="cannot read"):
        read_show(config)


def test_cli_init_writes_and_refuses_to_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert "wrote podcast.toml" in result.output
    assert (tmp_path / "podcast.toml").read_text(encoding="utf-8") == TEMPLATE
    (tmp_path / "podcast.toml").write_text("# mine\n", encoding="utf-8")
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 1
    assert (
        result.stderr
        == "polycast: error: podcast.toml: already exists; use --force to overwrite it\n"
    )
    assert (tmp_path / "podcast.toml").read_text(encoding="utf-8") == "# mine\n"
    assert runner.invoke(app, ["init", "--force"]).exit_code == 0
    assert (tmp_path / "podcast.toml").read_text(encoding="utf-8") == TEMPLATE


@pytest.mark.parametrize("command", ["init", "publish", "serve"])
def test_commands_have_help(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert len(result.output.split("Usage:")[1].strip()) > 60
