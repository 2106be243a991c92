"""The narrator's introduction of an embedded post, in the narration language.

A listener cannot see an embed's byline, so before every post the narrator says who wrote it,
when and where: "CEPA schreef op 9 september 2021 op Twitter:". Templates exist per narration
language, one for each combination of what is known (``TEMPLATE_KEYS``), with the placeholders
``{author}``, ``{date}`` and ``{platform}``. A show overrides any of them in its config
(``[plan.attribution.nl] date = "Op {date} schreef {author}:"``). Languages without templates get
a neutral "{author}, {date}:" form rather than another language's words. A quote that names its
speaker is announced the same way, by the ``quote`` template ("Charles de Gaulle zei:").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from polycast import langcodes
from polycast.models import Post
from polycast.plan.emojis import replace_emoji
from polycast.template import check_placeholders

TEMPLATE_KEYS = ("date_platform", "date", "platform", "plain", "quote")
"""Which template is used: for a post, by whether its date and platform are known; ``quote``
announces the speaker of a quote, with ``{author}`` only ("Charles de Gaulle zei:")."""

TEMPLATES: Mapping[str, Mapping[str, str]] = {
    "nl": {
        "date_platform": "{author} schreef op {date} op {platform}:",
        "date": "{author} schreef op {date}:",
        "platform": "{author} schreef op {platform}:",
        "plain": "{author} schreef:",
        "quote": "{author} zei:",
    },
    "en": {
        "date_platform": "On {date}, {author} posted on {platform}:",
        "date": "On {date}, {author} posted:",
        "platform": "{author} posted on {platform}:",
        "plain": "{author} posted:",
        "quote": "{author} said:",
    },
    "de": {
        "date_platform": "Am {date} schrieb {author} auf {platform}:",
        "date": "Am {date} schrieb {author}:",
        "platform": "{author} schrieb auf {platform}:",
        "plain": "{author} schrieb:",
        "quote": "{author} sagte:",
    },
    "fr": {
        "date_platform": "Le {date}, {author} a écrit sur {platform} :",
        "date": "Le {date}, {author} a écrit :",
        "platform": "{author} a écrit sur {platform} :",
        "plain": "{author} a écrit :",
        "quote": "{author} a dit :",
    },
    "ja": {
        "date_platform": "{date}、{author}さんが{platform}に投稿しました。",
        "date": "{date}、{author}さんが投稿しました。",
        "platform": "{author}さんが{platform}に投稿しました。",
        "plain": "{author}さんの投稿です。",
        "quote": "{author}さんの言葉です。",
    },
    "es": {
        "date_platform": "El {date}, {author} escribió en {platform}:",
        "date": "El {date}, {author} escribió:",
        "platform": "{author} escribió en {platform}:",
        "plain": "{author} escribió:",
        "quote": "{author} dijo:",
    },
}
GENERIC = {"date_platform": "{author}, {date}:", "date": "{author}, {date}:"} | {
    "platform": "{author}:",
    "plain": "{author}:",
    "quote": "{author}:",
}
"""For narration languages without templates: names and numbers only, no borrowed words."""

SOMEONE = {
    "nl": "iemand",
    "en": "someone",
    "de": "jemand",
    "fr": "quelqu'un",
    "es": "alguien",
    "ja": "匿名",
}
"""Who wrote it, when a post names no author and no handle."""

MONTHS = {
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
}
DATE_FORMATS = {
    # (day month year, month year) with {d} {m} {y}
    "nl": ("{d} {m} {y}", "{m} {y}"),
    "en": ("{m} {d}, {y}", "{m} {y}"),
    "de": ("{d}. {m} {y}", "{m} {y}"),
    "fr": ("{d} {m} {y}", "{m} {y}"),
    "es": ("{d} de {m} de {y}", "{m} de {y}"),
}
PLATFORMS = {
    "twitter.com": "Twitter",
    "t.co": "Twitter",
    "x.com": "X",
    "mastodon.social": "Mastodon",
    "bsky.app": "Bluesky",
    "instagram.com": "Instagram",
    "facebook.com": "Facebook",
    "threads.net": "Threads",
    "linkedin.com": "LinkedIn",
    "youtube.com": "YouTube",
    "tiktok.com": "TikTok",
}
_TWITTER_TRACES = re.compile(r"\bpic\.twitter\.com/|\bt\.co/|\btwitter\.com/", re.IGNORECASE)
_ISO = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def base_language(lang: str) -> str:
    """Return the language part of a code: ``en-us`` -> ``en``."""
    return langcodes.primary(lang)


def spoken_date(iso: str, lang: str) -> str | None:
    """Say an ISO date (``2021-09-09``, ``2021-09`` or ``2021``) the way ``lang`` says dates.

    >>> spoken_date("2021-09-09", "nl")
    '9 september 2021'
    >>> spoken_date("2022-03-12", "en")
    'March 12, 2022'
    >>> spoken_date("2016-05-28", "ja")
    '2016年5月28日'
    """
    match = _ISO.fullmatch(iso.strip())
    if match is None:
        return None
    year, month, day = match.groups()
    lang = base_language(lang)
    if month is None or not 1 <= int(month) <= 12:
        return year
    if lang in ("ja", "zh"):
        return f"{year}年{int(month)}月" + (f"{int(day)}日" if day else "")
    if lang not in MONTHS:
        return f"{int(day)}.{int(month)}.{year}" if day else f"{int(month)}.{year}"
    name = MONTHS[lang].split()[int(month) - 1]
    full, partial = DATE_FORMATS[lang]
    if day is None:
        return partial.format(m=name, y=year)
    d = "1er" if lang == "fr" and int(day) == 1 else str(int(day))
    return full.format(d=d, m=name, y=year)


def platform(post: Post, text: str = "") -> str | None:
    """Name the service a post lives on, from its URL, or from tweet links in its text."""
    if post.url:
        host = (urlsplit(post.url).hostname or "").lower().removeprefix("www.")
        host = host.removeprefix("mobile.")
        for domain, name in PLATFORMS.items():
            if host == domain or host.endswith("." + domain):
                return name
    if _TWITTER_TRACES.search(text):
        return "Twitter"
    return None


def clean_name(name: str | None) -> str | None:
    """Drop emoji and decoration from a display name: "Mirela 🛰 🌎 + 🐍" -> "Mirela"."""
    if not name:
        return None
    name = replace_emoji(name, replace=" ")  # the emoji library's result, loaded only if needed
    name = re.sub(r"\s+", " ", name)
    # Strip leftover symbols at either end, keeping letters, digits and closing punctuation.
    name = re.sub(r"^[^\w(]+|[^\w.)]+$", "", name)
    return name or None


def templates_for(lang: str, overrides: Mapping[str, Mapping[str, str]]) -> Mapping[str, str]:
    """Return the four templates for a narration language, with a show's overrides applied."""
    lang = lang.lower()
    base = base_language(lang)
    built_in = TEMPLATES.get(lang) or TEMPLATES.get(base) or GENERIC
    return {**built_in, **overrides.get(base, {}), **overrides.get(lang, {})}


def check_template(template: str, where: str, key: str = "") -> None:
    """Raise ``ConfigError`` unless ``template`` uses only ``{author}``, ``{date}``, ``{platform}``.

    A ``quote`` template may use only ``{author}``: a quote has no date or platform.
    Checked by parsing, never by formatting: formatting a hostile template runs it.
    """
    names = ("author",) if key == "quote" else ("author", "date", "platform")
    check_placeholders(template, names, where)


def attribution(
    post: Post,
    lang: str,
    speaker: str,
    text: str = "",
    overrides: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """Say who wrote a post, when and where, in the narration language ``lang``.

    Args:
        post: the post's byline.
        lang: narration language.
        speaker: the author's name as it should be spoken (see ``speaker_name``).
        text: the post's text as written; tweet links in it reveal the platform.
        overrides: a show's templates per language (``PlanSettings.attribution``).
    """
    templates = templates_for(lang, overrides or {})
    date = spoken_date(post.date, lang) if post.date else None
    date = date or post.date_text
    where = platform(post, text)
    key = ("date_" if date else "") + ("platform" if where else "")
    template = templates[key.rstrip("_") or "plain"]
    said = template.format(author=speaker, date=date, platform=where)
    said = re.sub(r"^[\s,、]+", "", said)  # a nameless author in a generic template
    if not re.search(r"\w", said):
        return ""  # nothing known to say
    return said[:1].upper() + said[1:]


def quoted_by(speaker: str, lang: str, overrides: Mapping[str, Mapping[str, str]]) -> str:
    """Announce who said a quote, in the narration language: "Charles de Gaulle zei:".

    >>> quoted_by("Charles de Gaulle", "nl", {}), quoted_by("Mark Twain", "en-us", {})
    ('Charles de Gaulle zei:', 'Mark Twain said:')
    """
    return templates_for(lang, overrides)["quote"].format(author=speaker)


def speaker_name(post: Post, lang: str) -> str:
    """Name a post's author as spoken and as the cue's speaker: display name, else handle."""
    name = clean_name(post.author)
    if name:
        return name
    if post.handle:
        return split_handle(post.handle)
    return SOMEONE.get(base_language(lang), "")


def split_handle(handle: str) -> str:
    """Read a handle as a name: ``StevenHorrell`` -> "Steven Horrell", ``cepa`` stays.

    >>> split_handle("DrAndreDavid"), split_handle("MirelaGTulbure"), split_handle("750GeV")
    ('Dr Andre David', 'Mirela G Tulbure', '750 GeV')
    >>> split_handle("el_pais")
    'el pais'
    """
    words = re.sub(r"_+", " ", handle.lstrip("@")).strip()
    # A new word starts at a capitalised word or a run of capitals after a word of two letters
    # or more ("StevenHorrell", "DrAndre", "MirelaGTulbure"), or at a capitalised word after
    # capitals ("ICHEPData"); "GeV", "iPhone" and "eBay" stay whole.
    words = re.sub(
        r"(?:(?<=[a-z]{2})|(?<=[A-Z][a-z]))(?=[A-Z][a-z]|[A-Z]{2})|(?<=[A-Z])(?=[A-Z][a-z]{2})",
        " ",
        words,
    )
    words = re.sub(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])", " ", words)
    return words
