"""The show: what a podcast feed says about the podcast as a whole, from ``podcast.toml``.

The ``[show]`` table holds the channel fields Apple Podcasts requires (title, description, author,
owner, language, category, explicit, artwork), where the files are served from (``base_url``),
the feed's own URL, and the local folder that is published (``publish_dir``). Other tables in the
same file belong to other stages and are ignored here. Every value is checked when the file is
loaded, so a typo in a category fails before anything is copied or written.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from polycast.errors import ConfigError, OutputError
from polycast.files import write_text_atomic
from polycast.inputs import MB, read_bounded
from polycast.publish.categories import APPLE_CATEGORIES

DEFAULT_PUBLISH_DIR = Path("output/public")
"""Where published files go, relative to the config file, unless ``publish_dir`` says otherwise."""

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


@dataclass(frozen=True)
class ShowConfig:
    """The podcast as its feed describes it."""

    title: str
    """Name of the show."""
    description: str
    """What the show is about (channel description)."""
    author: str
    """Who makes it (``itunes:author``)."""
    owner_name: str
    """Owner's name (``itunes:owner``), for directories to contact."""
    owner_email: str
    """Owner's email (``itunes:owner``, ``podcast:locked owner``)."""
    language: str
    """Feed language, a code such as ``nl`` or ``en-us``."""
    category: str
    """One of Apple's top-level categories, spelled as Apple does (``Health & Fitness``)."""
    image_url: str
    """Square JPEG or PNG artwork, 1400 to 3000 px, at an http(s) URL ending .jpg or .png."""
    base_url: str
    """The public URL of ``publish_dir``: enclosure and companion URLs start with it."""
    subcategory: str | None = None
    """One of the category's subcategories, or None."""
    explicit: bool = False
    """Whether the show contains explicit content (``itunes:explicit`` true/false)."""
    feed_url: str | None = None
    """The feed's public URL; None means ``base_url`` + the feed file's name."""
    link: str | None = None
    """The show's website; None means ``base_url``."""
    locked: bool = True
    """``podcast:locked``: ask other hosting platforms not to import the feed."""
    publish_dir: Path = DEFAULT_PUBLISH_DIR
    """The local folder served at ``base_url``; relative paths resolve beside the config file."""


_REQUIRED = (
    "title",
    "description",
    "author",
    "owner_name",
    "owner_email",
    "language",
    "category",
    "image_url",
    "base_url",
)
_OPTIONAL_TEXT = ("subcategory", "feed_url", "link")
_FLAGS = {"explicit": False, "locked": True}
_KEYS = (*_REQUIRED, *_OPTIONAL_TEXT, *_FLAGS, "publish_dir")


def _text(table: dict[str, Any], key: str, required: bool) -> str | None:
    """Return ``show.<key>`` as trimmed text, or None when it is absent and optional."""
    value = table.get(key)
    if value is None:
        if required:
            raise ConfigError(f"show.{key}: missing; every feed needs it")
        return None
    if not isinstance(value, str):
        raise ConfigError(f"show.{key}: must be a string, not {type(value).__name__}")
    if not value.strip():
        raise ConfigError(f"show.{key}: is empty")
    return value.strip()


def _check_url(key: str, url: str) -> None:
    """Reject anything but an absolute http(s) URL."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or any(c.isspace() for c in url):
        raise ConfigError(f"show.{key}: {url!r} is not an absolute http(s) URL")


def _check_category(category: str, subcategory: str | None) -> None:
    """Reject a category or subcategory Apple Podcasts does not list, naming the nearest."""
    if category not in APPLE_CATEGORIES:
        near = difflib.get_close_matches(category, list(APPLE_CATEGORIES), n=1, cutoff=0.5)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise ConfigError(f"show.category: {category!r} is not an Apple Podcasts category{hint}")
    if subcategory is None:
        return
    allowed = APPLE_CATEGORIES[category]
    if subcategory not in allowed:
        choices = ", ".join(allowed) if allowed else "none"
        raise ConfigError(
            f"show.subcategory: {subcategory!r} is not a subcategory of {category!r}"
            f" (Apple lists: {choices})"
        )


def _check_values(values: dict[str, Any]) -> None:
    """Check the formats Apple and the Podcasting 2.0 namespace expect."""
    if not _EMAIL.fullmatch(values["owner_email"]):
        raise ConfigError(f"show.owner_email: {values['owner_email']!r} is not an email address")
    if not _LANGUAGE.fullmatch(values["language"]):
        raise ConfigError(
            f"show.language: {values['language']!r} is not a language code such as 'nl' or 'en-us'"
        )
    for key in ("image_url", "base_url", "feed_url", "link"):
        if values[key] is not None:
            _check_url(key, values[key])
    if not urlsplit(values["image_url"]).path.lower().endswith(_IMAGE_SUFFIXES):
        raise ConfigError(
            "show.image_url: must end in .jpg or .png (Apple requires JPEG or PNG artwork)"
        )
    _check_category(values["category"], values["subcategory"])


def load_show(text: str) -> ShowConfig:
    """Read the ``[show]`` table of a ``podcast.toml`` and check every value.

    Args:
        text: the TOML text; tables other than ``[show]`` are ignored.

    Returns:
        The show, with ``publish_dir`` as written (see ``read_show`` to resolve it).

    Raises:
        ConfigError: the TOML is invalid, ``[show]`` is missing, or a key is unknown, missing or
            invalid; the message names the key and the reason.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"not valid TOML: {e}") from e
    table = document.get("show")
    if not isinstance(table, dict):
        raise ConfigError("no [show] table; run 'polycast init' for a commented example")
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise ConfigError(f"show.{unknown[0]}: unknown key (known: {', '.join(_KEYS)})")
    values: dict[str, Any] = {key: _text(table, key, True) for key in _REQUIRED}
    values.update({key: _text(table, key, False) for key in _OPTIONAL_TEXT})
    for key, default in _FLAGS.items():
        if key in table and not isinstance(table[key], bool):
            raise ConfigError(f"show.{key}: must be true or false, not {table[key]!r}")
        values[key] = table.get(key, default)
    publish_dir = _text(table, "publish_dir", False)
    values["publish_dir"] = Path(publish_dir) if publish_dir else DEFAULT_PUBLISH_DIR
    _check_values(values)
    return ShowConfig(**values)


SHOW_CAP = 1 * MB
"""The largest show config read, as for every config file (``config.SETTINGS_CAP``)."""


def read_show(path: Path) -> ShowConfig:
    """Load the show from a config file, resolving a relative ``publish_dir`` beside it.

    Raises:
        ConfigError: the file is missing, unreadable or invalid (the message names the file).
    """
    if not path.exists():
        raise ConfigError(f"{path}: not found; 'polycast init' writes one to edit")
    data = read_bounded(path, SHOW_CAP, "show config", ConfigError, None)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: cannot read: {e}") from e
    try:
        show = load_show(text)
    except ConfigError as e:
        raise ConfigError(f"{path}: {e}") from e
    return replace(show, publish_dir=path.parent / show.publish_dir)


TEMPLATE = """\
# podcast.toml: the show as its podcast feed describes it.
# Edit every value, then: polycast publish output/EPISODE.mp3

[show]
title = "My Show"                         # the intro says it; builds skip it while it is My Show
description = "Articles read aloud, every quoted voice in its own language."
author = "Jane Doe"                       # itunes:author
owner_name = "Jane Doe"                   # itunes:owner: who directories contact
owner_email = "jane@example.com"          # also podcast:locked's owner
language = "en"                           # the feed's language: nl, en, en-us, ...

# One of Apple's categories, spelled exactly as Apple does, and optionally a subcategory:
# https://podcasters.apple.com/support/1691-apple-podcasts-categories
category = "News"
subcategory = "Daily News"
explicit = false                          # itunes:explicit

# Square JPEG or PNG artwork, 1400 to 3000 px, ending .jpg or .png.
image_url = "https://example.com/podcast/cover.jpg"

# Where publish_dir is served: episode and transcript URLs start with this.
base_url = "https://example.com/podcast"
# The feed's public URL; defaults to base_url + "/feed.xml".
# feed_url = "https://example.com/podcast/feed.xml"
# The show's website; defaults to base_url.
# link = "https://example.com/"
locked = true                             # podcast:locked: other hosts must not import it

# The local folder that 'polycast publish' fills and 'polycast serve' serves, relative to
# this file.
publish_dir = "output/public"

# Everything below is optional: each table tunes one stage of 'polycast build', and the values
# shown are examples (most are the defaults). Remove the "# " before a line to use it; command-line
# options override this file.

# How the article becomes sentences (cues): titles, pauses, wording, pronunciation.
# [plan]
# title = "News of the day"               # episode title when an article has none
# default_language = "en"                 # narration when metadata and detection say nothing
# min_confidence = 0.6                    # detection's certainty needed to override a hint

# Silence after a cue, in milliseconds (0 to 60000).
# [plan.pauses]
# sentence = 250
# paragraph = 600
# heading = 700
# attribution = 400                       # after "X wrote on Twitter:", before the post itself
# post = 900
# chapter = 1200

# How the narrator introduces an embedded post, per narration language; placeholders {author},
# {date} and {platform}, bare (no .attribute, [index], !conversion or :format; {{ }} for a brace).
# Keys: date_platform, date, platform, plain (by what is known).
# [plan.attribution.en]
# date_platform = "On {date}, {author} wrote on {platform}:"
# plain = "{author} wrote:"

# Words a voice says wrong, respelled per language (whole words; lowercase entries ignore case).
# [plan.lexicon.nl]
# "Navo" = "Naavo"
# "o.a." = "onder andere"

# Which voices speak. Engines: espeak (offline, the default), piper (offline, neural; needs voice
# files: 'polycast voices get --lang nl'), gtts and edge (online), or auto (per language: an
# installed Piper voice, else an online voice whose endpoint answers, else espeak).
# [speak]
# engine = "espeak"
# fallback_lang = "en"                    # read a language no voice speaks in this one's voice
# workers = 4                             # syntheses at once; default one per core
# cache = true                            # true: the user cache folder; a folder; false: none
# probe_timeout = 2.0                     # seconds auto waits for an online engine's endpoint
# piper_voices_url = "https://huggingface.co/rhasspy/piper-voices/resolve/v1.0.0"  # voices get

# An engine per language, over the one above.
# [speak.languages]
# en = "piper"                            # needs [speak.piper] voices

# espeak-ng: words a minute, pitch, and a voice per language ('polycast voices' lists them).
# [speak.espeak]
# rate = 175
# pitch = 50
# voices = { en = "en-gb", nl = "nl" }

# Piper: a folder of *.onnx voices (with their .onnx.json), or a file per language; the voices
# 'polycast voices get' installed speak every other language.
# [speak.piper]
# voices = "voices/"                     # relative to the folder you build in
# length_scale = 1.0                      # above 1 speaks slower
# sentence_silence = 0.2                  # seconds between sentences of one cue

# gTTS: the Google domain (accent) per language, and how hard to try.
# [speak.gtts]
# tlds = { en = "co.uk", pt = "com.br" }
# slow = false
# max_in_flight = 4
# retries = 5
# timeout = 10.0

# edge: Microsoft's neural voices (online); a voice per language, rate in %, pitch in Hz.
# [speak.edge]
# voices = { nl = "nl-BE-DenaNeural", en = "en-GB-SoniaNeural" }
# rate = 0                                # -50 to 100 (percent faster)
# pitch = 0                               # -50 to 50 (Hz)
# max_in_flight = 4
# retries = 5
# timeout = 20.0

# How the speech is joined, framed and levelled. Paths are relative to this file.
# [mix]
# rate = 44100                            # 44100 or 48000
# channels = 1                            # 1 (mono) or 2 (stereo)
# loudness = -19.0                        # LUFS; default -19 for mono, -16 for stereo
# true_peak = -1.0                        # dBTP
# intro = true                            # a spoken intro with the show's title
# outro = true
# intro_text = "Welcome to {show}: {title}."
# outro_text = "That was {show}."
# sting = "audio/sting.flac"              # played before the intro and after the outro
# bed = "audio/bed.flac"                  # music under the intro and outro
# bed_span = "frame"                      # "frame": intro and outro only; "episode": throughout
# sting_level = -4.0                      # LU relative to the speech
# bed_level = -16.0
# duck_db = 12.0                          # how far the bed drops under speech
# max_music_mb = 100                      # a larger sting or bed file is refused unread

# What polycast agrees to read.
# [input]
# max_article_mb = 10                     # a larger article, page or rundown is refused unread
# max_follow_mb = 200                     # all the feeds one follow reads (an OPML's), together
# fetch_timeout = 20                      # seconds a web page may take to arrive, redirects and all

# The episode's audio format: "mp3" (every podcast app plays it; ID3 chapters) or "opus" (Ogg Opus
# at 48 kHz: clearer speech for its size, but not every app plays it). --audio-format overrides it.
# [output]
# format = "mp3"

# How an MP3 episode is encoded.
# [mp3]
# bitrate = 64                            # kb/s, constant: 32 to 320; 64 suits speech
# quality = 5                             # LAME: 0 best and slowest to 9 fastest

# How an Opus episode is encoded.
# [opus]
# bitrate = 48                            # kb/s for all channels: 6 to 256 a channel

# Where polycast batch and follow build: local processes unless a Dask cluster is named here
# (or with --cluster). Workers need this polycast version installed.
# [batch]
# cluster = "tcp://scheduler.example:8786"
# worker_cache = "/shared/polycast-cache"  # a cache folder every worker reaches; default: its own
# connect_timeout = 10                    # seconds to wait for the scheduler and a worker
"""
"""The commented ``podcast.toml`` that ``polycast init`` writes; it loads as it is, and with
every ``# key = value`` and ``# [table]`` line uncommented too."""


def write_template(path: Path, force: bool = False) -> None:
    """Write the commented example config to ``path``.

    Raises:
        OutputError: the file exists and ``force`` is false, or it cannot be written.
    """
    if path.exists() and not force:
        raise OutputError(f"{path}: already exists; use --force to overwrite it")
    write_text_atomic(path, TEMPLATE)
