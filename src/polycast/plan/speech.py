"""Text clean-up for speech: what is written becomes what a voice should say.

A list of small pure ``str -> str`` functions, applied in order (``steps``). Each removes or
rewrites one thing a listener must not hear: links, markup, handles and hashtags as symbols,
emoji, typographic quotes. Functions that depend on the language are bound to it by ``steps``.
Pronunciation of single words (abbreviations a voice mangles) is the lexicon's job, not this.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable

from polycast.plan import numbers, spoken
from polycast.plan.attribution import base_language, split_handle
from polycast.plan.countries import country_name
from polycast.plan.emojis import replace_emoji

Step = Callable[[str], str]

_TLDS = r"com|org|net|nl|be|de|fr|uk|eu|io|co|info|ly|gl|me|app|ai|dev|edu|gov|tv"
_URL = re.compile(
    # Each alternative may start only where a link can (a word's start, not its middle), so a
    # 2 MB line without spaces is scanned once, not once per character.
    r"(?<!\S)\S*://\S*|\bwww\.\S+|\bpic\.twitter\.com/\S*|\bt\.co/\S*"
    rf"|(?<![\w-])(?<![\w-]\.)[\w-]+(?:\.[\w-]+)*\.(?:{_TLDS})/\S*"
    r"|(?<!\S)//[\w-]+\.[\w.-]+/\S*",
    re.IGNORECASE,
)
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>|<!--.*?-->", re.DOTALL)
_TEMPLATE = re.compile(r"\{%.{0,500}?%\}|\{\{.{0,500}?\}\}", re.DOTALL)
_MD_LINK = re.compile(r"!?\[([^\[\]]{0,500})\]\(+[^)\s]{0,2000}\)*")
_FOOTNOTE = re.compile(r"\[\^?\d+\]")
_SHORTCODE = re.compile(
    r"""\[/[a-z][\w-]{0,30}\]"""  # a closing [/button]
    r"""|\[[a-z][\w-]{0,30}(?:\s+[a-z][\w-]{0,30}=(?:"[^"\]]{0,200}"|[“”][^“”\]]{0,200}[“”]"""
    r"""|'[^'\]]{0,200}'|[^\s\]]{1,200})){1,12}\s*/?\]"""  # an opening one with attributes
)
"""A blog engine's shortcode left in the text (WordPress ``[button link="…"]…[/button]``): its
tags go, the words between them stay. A bracket without attributes (``[sic]``) is the author's."""
_HANDLE = re.compile(r"(?<![\w@/.])@(\w{1,30})\b")
_HASHTAG = re.compile(r"(?<![\w&#/])#(\w*[^\W\d_]\w*)")
_FLAG = re.compile(r"[\U0001F1E6-\U0001F1FF]{2}")
_BYLINE = re.compile(r"\s*(?:—|–|&mdash;|--?)\s*[^\n—–]{0,120}\(@\w+\)[^\n]{0,60}\s*$")
_LINE_BULLET = re.compile(r"^[ \t]*(?:[-*+•>]+|\d+[.)])[ \t]+", re.MULTILINE)
_MARKUP = re.compile(r"[*_|#>~^`{}\[\]<=•·▪►→←↑↓]+")
_LONE_SYMBOLS = re.compile(r"(?<!\S)[^\w\s.,;:!?…()'\"‘’“”„«»]+(?!\S)")
_DASH_PAUSE = re.compile(r"(?<!\s)\s+(?:--?|–|—)\s+|(?:(?<!\s)\s+)?—\s*")
"""Starts only where a run of spaces starts: linear in the text, however long the run."""
_QUOTES = re.compile(
    r"[“”„«»‹›\"「」『』]|''|(?<!\S),,"
    # A quote mark not inside a word, except a Dutch elision: 's avonds, 't, 'n.
    r"|(?<![^\W_])['‘’](?![stn]\s)|(?<=[^\W_])['‘’](?![^\W_])"
)
_WWW = re.compile(r"www\.", re.IGNORECASE)
_DASH = re.compile(r"[-–—]")
_QUOTE_MARK = re.compile(r"[“”„«»‹›\"「」『』'‘’`]|,,")
"""A character every match of ``_QUOTES`` holds: text without one is left as it is, unscanned."""
_SPACES = re.compile(r"[ \t\u00a0\u2009\u202f]+")
_NEWLINE_SPACE = re.compile(r" *\n[\s]*")
_SPACE_BEFORE_MARK = re.compile(r" +([.,;:!?…)])")
_EMPTY_BRACKETS = re.compile(r"\( *\)")
_MARK_RUN = re.compile(r"([,;:])(?:\s*[,;:])+")
_STOP_COMMA = re.compile(r"\.\s+,")
_LINE_OPENING_MARKS = re.compile(r"(?m)^[\s,;:.]+(?=\w)")
_LINE_CLOSING_MARKS = re.compile(r"(?m)[ ,;]+$")
_CLEAR_PAIRS = frozenset(
    [
        "of",
        "in",
        "on",
        "to",
        "at",
        "by",
        "my",
        "we",
        "up",
        "no",
        "go",
        "do",
        "be",
        "is",
        "it",
        "an",
        "me",
        "us",
        "or",
    ]
)


def strip_byline(text: str) -> str:
    """Drop a post's trailing "— Name (@handle) date" line: the narrator says it instead."""
    return _BYLINE.sub("", text)


def no_markup_leftovers(text: str) -> str:
    """Remove HTML tags, comments, template tags and shortcodes; keep a Markdown link's text.

    >>> no_markup_leftovers('[button link="https://x.org/a" type="big"]Send it[/button] [sic]')
    ' Send it  [sic]'
    """
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "{" in text:
        text = _TEMPLATE.sub(" ", text)
    if "[" not in text:
        return text  # what is left to remove all opens with one
    text = _SHORTCODE.sub(" ", text)
    return _FOOTNOTE.sub("", _MD_LINK.sub(r"\1", text))


def no_urls(text: str) -> str:
    """Remove links: http(s), www., t.co, pic.twitter.com, and bare domains with a path."""
    if "/" not in text and _WWW.search(text) is None:
        return text  # every link but a www. one has a slash
    return _URL.sub(" ", text)


def handles(text: str) -> str:
    """Read @handles as names: "@StevenHorrell" -> "Steven Horrell"; "@cepa" stays "cepa"."""
    return _HANDLE.sub(lambda m: split_handle(m[1]), text) if "@" in text else text


def hashtags(text: str, lang: str) -> str:
    """Read hashtags as words: "#deeplearning" -> "deep learning" where the split is clear."""
    return _HASHTAG.sub(lambda m: hashtag_words(m[1], lang), text) if "#" in text else text


def hashtag_words(tag: str, lang: str) -> str:
    """Split a hashtag into words: camel case in any language, a dictionary for English.

    The dictionary split is used only when every piece is a common English word of three or more
    letters (or a common two-letter one); otherwise the tag is read as one word.

    >>> hashtag_words("Run2Seminar", "en"), hashtag_words("deeplearning", "en")
    ('Run 2 Seminar', 'deep learning')
    >>> hashtag_words("eochat", "en"), hashtag_words("deeplearning", "nl")
    ('eochat', 'deeplearning')
    """
    if any(c.isupper() for c in tag[1:]) or "_" in tag or any(c.isdigit() for c in tag):
        return split_handle(tag)
    if base_language(lang) != "en" or not tag.isascii() or len(tag) < 6:
        return tag
    words = _segment(tag.lower())
    clear = len(words) > 1 and all(
        (len(w) >= 3 or w in _CLEAR_PAIRS) and _frequency(w) >= 1e6 for w in words
    )
    return " ".join(words) if clear else tag


@functools.cache
def _wordsegment() -> tuple[Callable[[str], list[str]], dict[str, float]]:
    import wordsegment  # noqa: PLC0415 (loads a word list: only when a hashtag needs it)

    wordsegment.load()
    return wordsegment.segment, wordsegment.UNIGRAMS


def _segment(word: str) -> list[str]:
    return _wordsegment()[0](word)


def _frequency(word: str) -> float:
    return _wordsegment()[1].get(word, 0.0)


def flags(text: str, lang: str) -> str:
    """Name flag emoji in the text's language (🇷🇺 -> "Russia"; in Dutch "Rusland").

    A flag that opens the text is a topic marker: "🇷🇺 Zapad will…" -> "Russia: Zapad will…".
    """
    if text.isascii():
        return text
    first = len(text) - len(text.lstrip())  # where the words start: a flag before is a topic

    def say(match: re.Match[str]) -> str:
        name = country_name(match[0], lang)
        if name is None:
            return " "
        return f"{name}: " if match.start() <= first else f" {name} "

    return _FLAG.sub(say, text)


def no_emoji(text: str) -> str:
    """Drop every other emoji (and the joiners and selectors between them)."""
    if text.isascii():
        return text
    text = replace_emoji(text, replace=" ")
    return re.sub(r"[\u200d\ufe0e\ufe0f\u20e3\U0001F3FB-\U0001F3FF]", "", text)


def no_markup(text: str) -> str:
    """Remove markup characters and lone symbols a voice would read out ("asterisk", "slash")."""
    text = _LINE_BULLET.sub("", text)
    if _DASH.search(text):
        text = _DASH_PAUSE.sub(", ", text)
    if "/" in text:
        text = re.sub(r"\s/\s", ", ", text)
        # "en/of", "restaurants/cafés", "/video": a slash between or before words is not said.
        text = re.sub(r"(?<=[^\W\d_])/(?=[^\W\d_])|(?<!\S)/(?=[^\W\d_])", " ", text)
    text = _MARKUP.sub(" ", text)
    return _LONE_SYMBOLS.sub(" ", text)


def no_quote_marks(text: str) -> str:
    """Remove quotation marks; keep apostrophes inside words ("Russia’s" -> "Russia's")."""
    if _QUOTE_MARK.search(text) is None:
        return text
    text = re.sub(r"(?<=[^\W_])[’‘`](?=[^\W_])", "'", text)
    return _QUOTES.sub("", text)


def tidy(text: str) -> str:
    """Collapse spaces, keep line breaks, and fix punctuation that removals left behind."""
    text = _SPACES.sub(" ", text)
    if "\n" in text:
        text = _NEWLINE_SPACE.sub("\n", text)
    text = _SPACE_BEFORE_MARK.sub(r"\1", text)
    if "(" in text:
        text = _EMPTY_BRACKETS.sub("", text)
    text = _MARK_RUN.sub(r"\1", text)
    if "," in text:
        text = _STOP_COMMA.sub(".", text)  # "exercise. , and" after a removal; keep "M.,"
    text = _LINE_OPENING_MARKS.sub("", text)
    text = _LINE_CLOSING_MARKS.sub("", text)
    return text.strip(" \n,;")


def steps(lang: str) -> list[Step]:
    """Return the clean-up functions for text in ``lang``, in the order they must run."""
    with_lang: list[Callable[[str, str], str]] = [
        hashtags,
        flags,
        numbers.read,
        spoken.ampersand,
        spoken.number_range,
        spoken.percent,
        spoken.money,
        spoken.units,
        spoken.ordinals,
    ]
    return [
        html.unescape,
        no_markup_leftovers,
        no_urls,
        handles,
        *(_bind(f, lang) for f in with_lang),
        no_emoji,
        no_markup,
        no_quote_marks,
        tidy,
    ]


def _bind(step: Callable[[str, str], str], lang: str) -> Step:
    def bound(text: str) -> str:
        return step(text, lang)

    bound.__name__ = step.__name__
    return bound


@functools.lru_cache(maxsize=64)
def _steps(lang: str) -> tuple[Step, ...]:
    """Return ``steps`` made once per language: every segment of a page is cleaned with them."""
    return tuple(steps(lang))


def clean(text: str, lang: str) -> str:
    """Return ``text`` as it should be spoken in ``lang`` (see ``steps``)."""
    for step in _steps(lang):
        text = step(text)
    return text
