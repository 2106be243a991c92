"""The rundown as TOML: written for a person to read and fix, read back exactly.

``polycast plan ARTICLE -o rundown.toml`` writes it; ``polycast build rundown.toml`` speaks it.
Between the two a person can correct a language, respell a word, drop a sentence or lengthen a
pause; the audio cache means a rebuild synthesises only the cues that changed. ``dumps`` then
``loads`` gives back an equal ``Rundown``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from polycast.errors import InputError
from polycast.models import NARRATOR, Chapter, Cue, Kind, Rundown
from polycast.plan.settings import MAX_PAUSE_MS
from polycast.read.image import absolute_url

HEADER = """\
# polycast rundown: everything the episode says, in order. Edit it, then rebuild with
#   polycast build THIS-FILE.toml
# Only the cues you change are spoken again (the rest comes from the audio cache).
#
# name: the episode's name, kept from the article: a build writes NAME.mp3 (unless -o names a
# file), so publishing it updates the article's episode in the feed instead of adding another.
# image: the article's lead image (an http or https URL), the episode's artwork in the feed.
#
# Each [[chapter]] is a chapter mark in the episode (title, optional url) and holds its
# [[chapter.cue]] blocks, one utterance each:
#   text      what the voice says (respell a word here to fix how it is pronounced)
#   lang      language code of the voice: nl, en, de, ...
#   voice     optional: an engine voice to use instead of the language's default
#   pause_ms  silence after the cue, in milliseconds (0 to 60000)
#   speaker   "narrator", or the author of a quoted post (shown in transcripts)
#   kind      what the cue came from: paragraph, heading, post, quote, ...
#   segment   index of the article segment it came from (-1: added by hand or by polycast)
# Delete a cue block to drop it; copy one to add a sentence. Keep at least one cue per chapter.
"""

_TOP_KEYS = {"title", "name", "language", "date", "author", "image", "chapter"}
_CHAPTER_KEYS = {"title", "url", "cue"}
_CUE_KEYS = {"text", "lang", "voice", "pause_ms", "speaker", "kind", "segment"}
_KINDS = {kind.value: kind for kind in Kind}
_LANGUAGE = re.compile(r"[a-z]{1,8}(-[a-z0-9]{1,8})*")
"""A BCP 47-shaped language code, as voices name them: ``nl``, ``en-us``, ``yue``, ``sr-latn``.

Only the shape is checked here; whether a voice speaks it is the voice stage's question, which
``--fallback-lang`` can answer."""


def _string(value: str) -> str:
    """Quote ``value`` as a TOML basic string, escaping what TOML requires."""
    escaped = []
    for char in value:
        if char in '"\\':
            escaped.append("\\" + char)
        elif char == "\n":
            escaped.append("\\n")
        elif char == "\t":
            escaped.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def dumps(rundown: Rundown) -> str:
    """Write ``rundown`` as commented, hand-editable TOML."""
    lines = [HEADER]
    lines.append(f"title = {_string(rundown.title)}")
    if rundown.name is not None:
        lines.append(f"name = {_string(rundown.name)}")
    lines.append(f"language = {_string(rundown.language)}")
    if rundown.date is not None:
        lines.append(f"date = {_string(rundown.date)}")
    if rundown.author is not None:
        lines.append(f"author = {_string(rundown.author)}")
    if rundown.image is not None:
        lines.append(f"image = {_string(rundown.image)}")
    for chapter in rundown.chapters:
        lines += ["", "", "[[chapter]]", f"title = {_string(chapter.title)}"]
        if chapter.url is not None:
            lines.append(f"url = {_string(chapter.url)}")
        for cue in chapter.cues:
            lines += ["", "[[chapter.cue]]", f"text = {_string(cue.text)}"]
            lines.append(f"lang = {_string(cue.lang)}")
            if cue.voice is not None:
                lines.append(f"voice = {_string(cue.voice)}")
            lines.append(f"pause_ms = {cue.pause_ms}")
            lines.append(f"speaker = {_string(cue.speaker)}")
            lines.append(f"kind = {_string(cue.kind.value)}")
            lines.append(f"segment = {cue.segment}")
    return "\n".join(lines) + "\n"


_CHAPTER_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*chapter[ \t]*\]\]", re.MULTILINE)


def is_rundown(text: str) -> bool:
    """Tell a rundown by its content, whatever the file is called.

    A rundown starts with the header ``dumps`` writes, or is TOML with ``[[chapter]]`` tables.

    >>> is_rundown(dumps(Rundown(chapters=(), title="A day", language="nl")))
    True
    >>> is_rundown("[[chapter]] is how a wiki links a page.")
    False
    """
    if text.lstrip("\ufeff \t\r\n").startswith(HEADER.split(":", 1)[0]):
        return True
    if not _CHAPTER_HEADER.search(text):
        return False
    import tomllib  # noqa: PLC0415 (only for text that may be a rundown)

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False
    return isinstance(data.get("chapter"), list)


def loads(text: str, name: str = "rundown") -> Rundown:
    """Read a rundown written by ``dumps`` and perhaps edited by hand.

    Every value is checked here, before anything is spoken: a pause of 10^12 ms or a language
    code that is not one fails now, in one line, not after minutes of work.

    Args:
        text: the TOML.
        name: what to call it in messages (its file's path).

    Raises:
        InputError: the text is not TOML, or a key is missing, unknown, of the wrong type or out
            of range; the message names the file, the line, the chapter and cue, and the key.
    """
    import tomllib  # noqa: PLC0415 (only when a rundown is read)

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{name} is not valid TOML: {e}") from e
    where = _Where(text, name)
    top = _Block(where, 0)
    top.check_keys(data, _TOP_KEYS, "the top of the rundown")
    chapters = data.get("chapter", [])
    if not isinstance(chapters, list) or not chapters:
        raise InputError(f"{name} has no [[chapter]]: there is nothing to say")
    return Rundown(
        chapters=tuple(_chapter(c, i, where) for i, c in enumerate(chapters)),
        title=top.required(data, "title"),
        language=top.language(data),
        date=top.optional(data, "date"),
        author=top.optional(data, "author"),
        name=top.name(data),
        image=top.image(data),
    )


MAX_NAME_BYTES = 200
"""The longest episode name: its companions' and temporary files' names must fit in 255 bytes."""


def name_problem(name: str) -> str | None:
    """Say why ``name`` cannot name an episode file in the output folder, or None when it can.

    >>> name_problem("loekasjenko-poetin-2021-09") is None
    True
    >>> name_problem("../feed")
    'is not a file name (no folder, no leading dot, no control character)'
    """
    if not name.strip():
        return "is empty"
    if name.startswith(".") or any(c in "/\\" or ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        return "is not a file name (no folder, no leading dot, no control character)"
    size = len(name.encode("utf-8", "surrogatepass"))
    if size > MAX_NAME_BYTES:
        return f"is {size} bytes long; at most {MAX_NAME_BYTES}"
    return None


class _Where:
    """Where each [[chapter]] and [[chapter.cue]] header is, to point at a mistake by line."""

    def __init__(self, text: str, name: str) -> None:
        self.name = name
        self.lines = text.splitlines()
        self.chapters: list[int] = []
        self.cues: list[list[int]] = []
        header = re.compile(r"\s*\[\[\s*chapter\s*(\.\s*cue\s*)?\]\]")
        for number, line in enumerate(self.lines, start=1):
            match = header.match(line)
            if match and not match[1]:
                self.chapters.append(number)
                self.cues.append([])
            elif match and self.cues:
                self.cues[-1].append(number)

    def line_of(self, start: int, key: str) -> int:
        """Find the line of ``key = ...`` in the table headed on line ``start`` (0: the top)."""
        pattern = re.compile(rf"\s*\"?{re.escape(key)}\"?\s*=")
        for number in range(start + 1, len(self.lines) + 1):
            line = self.lines[number - 1]
            if re.match(r"\s*\[", line):
                break
            if pattern.match(line):
                return number
        return max(start, 1)


class _Block:
    """One table of the rundown (the top, a chapter or a cue) and how to check its values."""

    def __init__(
        self, where: _Where, start: int, what: str = "the rundown", place: str = ""
    ) -> None:
        self.where, self.start, self.what, self.place = where, start, what, place

    def at(self, key: str | None = None) -> str:
        line = self.where.line_of(self.start, key) if key else max(self.start, 1)
        place = f" ({self.place})" if self.place else ""
        return f"{self.where.name} line {line}{place}"

    def fail(self, message: str, key: str | None = None) -> InputError:
        return InputError(f"{self.at(key)}: {message}")

    def check_keys(self, data: Mapping[str, Any], known: set[str], what: str) -> None:
        unknown = sorted(set(data) - known)
        if unknown:
            raise self.fail(
                f"unknown key {unknown[0]!r} in {what}; expected {', '.join(sorted(known))}",
                unknown[0],
            )

    def required(self, data: Mapping[str, Any], key: str) -> str:
        value = self.optional(data, key)
        if value is None:
            raise self.fail(f"{self.what} is missing {key!r}")
        return value

    def optional(self, data: Mapping[str, Any], key: str) -> str | None:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise self.fail(f"{key!r} in {self.what} must be text, not {value!r}", key)
        return value

    def name(self, data: Mapping[str, Any]) -> str | None:
        value = self.optional(data, "name")
        problem = None if value is None else name_problem(value)
        if problem is not None:
            raise self.fail(f"name {value!r} {problem}; delete the key to use this file's", "name")
        return value

    def image(self, data: Mapping[str, Any]) -> str | None:
        value = self.optional(data, "image")
        if value is not None and absolute_url(value) != value:
            raise self.fail(
                f"image {value!r} is not an http or https URL; give the picture's full address",
                "image",
            )
        return value

    def integer(self, data: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{key!r} must be a whole number, not {value!r}", key)
        if not low <= value <= high:
            raise self.fail(f"{key} must be from {low} to {high}, not {value}", key)
        return value

    def language(self, data: Mapping[str, Any], key: str = "language") -> str:
        code = self.required(data, key).strip().lower().replace("_", "-")
        if not _LANGUAGE.fullmatch(code):
            raise self.fail(
                f"{key} {data[key]!r} is not a language code; give one such as nl, en or en-us",
                key,
            )
        return code


def _chapter(data: object, i: int, where: _Where) -> Chapter:
    start = where.chapters[i] if i < len(where.chapters) else 0
    block = _Block(where, start, "[[chapter]]", f"chapter {i + 1}")
    if not isinstance(data, Mapping):
        raise block.fail("a [[chapter]] must be a table")
    block.check_keys(data, _CHAPTER_KEYS, "[[chapter]]")
    cues = data.get("cue", [])
    if not isinstance(cues, list) or not cues:
        raise block.fail("chapter has no [[chapter.cue]]; delete the chapter or add a cue")
    lines = where.cues[i] if i < len(where.cues) else []
    return Chapter(
        title=block.required(data, "title"),
        cues=tuple(
            _cue(
                c,
                _Block(
                    where,
                    lines[j] if j < len(lines) else 0,
                    "[[chapter.cue]]",
                    f"chapter {i + 1}, cue {j + 1}",
                ),
            )
            for j, c in enumerate(cues)
        ),
        url=block.optional(data, "url"),
    )


def _cue(data: object, block: _Block) -> Cue:
    if not isinstance(data, Mapping):
        raise block.fail("a [[chapter.cue]] must be a table")
    block.check_keys(data, _CUE_KEYS, "[[chapter.cue]]")
    text = block.required(data, "text")
    if not text.strip():
        raise block.fail("text is empty; delete the cue instead", "text")
    kind = block.optional(data, "kind") or Kind.PARAGRAPH.value
    if kind not in _KINDS:
        raise block.fail(f"kind {kind!r} is not one of {', '.join(sorted(_KINDS))}", "kind")
    speaker = block.optional(data, "speaker")
    voice = block.optional(data, "voice")
    if voice is not None and not voice.strip():
        raise block.fail("voice is empty; delete the key to use the language's voice", "voice")
    return Cue(
        text=text,
        lang=block.language(data, "lang"),
        kind=_KINDS[kind],
        segment=block.integer(data, "segment", -1, -1, 2**31),
        pause_ms=block.integer(data, "pause_ms", 0, 0, MAX_PAUSE_MS),
        speaker=NARRATOR if speaker is None else speaker,
        voice=voice,
    )
