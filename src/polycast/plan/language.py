"""Which language every segment (and every long quoted passage) is spoken in.

The narration language comes from the article's metadata, else from detection over all of its
narration. Each post is detected on its own text: an embed's ``lang`` attribute is only a hint,
and a confident detection wins over it (English tweets tagged ``nl`` exist). Text too short or too
ambiguous to tell (a heading, a one-word post) takes the language around it.

Detection looks at the writing system first: text mostly in a script that belongs to one
language (Hebrew, Ethiopic, Greek, Thai, ...: ``polycast.plan.script``) is in that language,
whether or not a voice here speaks it (if none does, the voice stage says so). Other text goes to
lingua, restricted to the languages the chosen voices speak, so it never picks a language nobody
can read aloud; the detector is built on first use, once per set of languages.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from polycast.models import Article, Kind, Segment
from polycast.plan.attribution import base_language
from polycast.plan.emojis import replace_emoji
from polycast.plan.script import UNSPACED, script_language
from polycast.plan.settings import PlanSettings

if TYPE_CHECKING:
    from lingua import LanguageDetector

DEFAULT_LANGUAGES = ("nl", "en", "de", "fr", "es", "it", "pt", "ja", "zh", "ru", "uk", "pl", "tr")
"""Languages detection chooses from when the voices are not known: common ones, not all of
lingua's 75, because each costs load time (~0.15 s) and makes short texts more ambiguous."""

MIN_WORDS = 3
"""Fewer words than this are never detected: they take the surrounding language."""
NARRATION_MIN_WORDS = 8
NARRATION_CONFIDENCE = 0.9
"""A narration block leaves the article's language only on long text and near-certainty."""
QUOTE_MIN_WORDS = 6
"""A quoted passage inside narration is detected when it has at least this many words."""
_SAMPLE_CHARS = 20_000
"""Narration detection reads this much: plenty to be sure, and fast on a very long article."""

_NOISE = re.compile(
    # A bare link starts a word (never its middle), so a long word is scanned once, not once
    # per character.
    r"https?://\S+|www\.\S+|pic\.twitter\.com/\S+|(?<!\S)\S+\.\w{2,}/\S*|[@#][\w.]+|\d+",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]+")
_NARRATION = {Kind.TITLE, Kind.HEADING, Kind.PARAGRAPH, Kind.LIST, Kind.CAPTION}
# Quoted passages: opening quote after a space or the start, closing quote before a non-letter.
_QUOTED = re.compile(
    r"(?:(?<!\w)“([^“”]+)”|(?<!\w)„([^„“”]+)[“”]|«\s?([^«»]+?)\s?»"
    r"|(?<!\w)\"([^\"]+)\"(?!\w)|(?<!\w)‘([^‘]+?)’(?!\w))"
)


def normalize(code: str) -> str:
    """Return a language code in polycast's form: lowercase, ``-`` between parts (``en-us``)."""
    return code.strip().lower().replace("_", "-")


@dataclass(frozen=True)
class Languages:
    """The languages a plan uses."""

    narration: str
    """The article's own language: the narrator's."""
    segments: tuple[str, ...]
    """One language per segment, by index."""


class Detector:
    """Language detection over a fixed set of candidate languages (lingua underneath).

    Codes are matched to the candidates by their language part, and answered in the candidates'
    own form: with candidates ``["en-us", "nl"]`` English text is ``en-us``.
    """

    def __init__(self, languages: Collection[str] | None = None) -> None:
        """Choose from ``languages`` (voice language codes), or from ``DEFAULT_LANGUAGES``."""
        codes = [normalize(c) for c in (languages or DEFAULT_LANGUAGES)]
        self.codes: dict[str, str] = {}
        for code in codes:
            self.codes.setdefault(base_language(code), code)

    def resolve(self, code: str) -> str:
        """Map a code from metadata or a hint to the candidates' form (``nl-NL`` -> ``nl``)."""
        code = normalize(code)
        if code in self.codes.values():
            return code
        return self.codes.get(base_language(code), base_language(code))

    def detect(self, text: str, min_words: int = MIN_WORDS) -> tuple[str, float] | None:
        """Return the likeliest language of ``text`` and its confidence (0-1).

        Returns ``None`` for text with fewer than ``min_words`` words once links, handles,
        hashtags, numbers and emoji are set aside, or when fewer than two candidates are known
        to the detector (then there is nothing to choose). Text mostly in a script of one
        language is that language, confidence 1 (``script_language``).
        """
        clean = _NOISE.sub(" ", replace_emoji(text, replace=" "))[:_SAMPLE_CHARS]
        script = script_language(clean)
        if len(_WORD.findall(clean)) < min_words and not (_is_cjk(clean) or script in UNSPACED):
            return None
        if script is not None:
            # The writing system settles it, whether or not a voice here speaks the language:
            # if none does, the voice stage says so (or reads it with --fallback-lang).
            return self.resolve(script), 1.0
        detector = _lingua(frozenset(self.codes))
        if detector is None:
            return None
        values = detector.compute_language_confidence_values(clean)
        if not values or values[0].value <= 0:
            return None
        best = values[0].language.iso_code_639_1.name.lower()
        return self.codes[best], float(values[0].value)


def _is_cjk(text: str) -> bool:
    """Tell whether text is in a script without spaces, where word counts say nothing."""
    return len(re.findall(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]", text)) >= 4


@functools.lru_cache(maxsize=8)
def _lingua(bases: frozenset[str]) -> LanguageDetector | None:
    """Build lingua's detector for these languages, once.

    Low-accuracy mode (trigram models only) keeps the models for the 13 default languages at
    ~20 MB instead of ~250 MB, which would otherwise be most of a build's memory. On the corpus
    it picks the same language for every segment; on very short texts it is more often confident
    and wrong, which ``MIN_WORDS`` and the surrounding-language fallback already guard against.

    Every model is loaded as the detector is built, on all cores at once, rather than one after
    another on the first detection: each detection weighs every language, so all are loaded
    either way. An edited rebuild, which detects little else, takes ~0.03 s less.
    """
    from lingua import IsoCode639_1, LanguageDetectorBuilder  # noqa: PLC0415 (slow import)

    known = []
    for code in sorted(bases):
        try:
            known.append(IsoCode639_1.from_str(code))
        except ValueError:
            continue  # a voice language lingua does not know: never detected, still usable
    if len(known) < 2:
        return None
    builder = LanguageDetectorBuilder.from_iso_codes_639_1(*known).with_low_accuracy_mode()
    return builder.with_preloaded_language_models().build()


def assign(
    article: Article,
    settings: PlanSettings,
    languages: Collection[str] | None = None,
    detector: Detector | None = None,
) -> Languages:
    """Give the article a narration language and every segment a language.

    Args:
        article: what the reader understood.
        settings: ``min_confidence`` and ``default_language`` are used.
        languages: what the chosen voices speak; detection picks only among these.
        detector: one already made for ``languages``, to share.
    """
    detector = detector or Detector(languages)
    narration = narration_language(article, settings, detector)
    langs = [
        segment_language(segment, narration, settings, detector) for segment in article.segments
    ]
    return Languages(narration, tuple(langs))


def narration_language(article: Article, settings: PlanSettings, detector: Detector) -> str:
    """Decide the article's language: metadata, else detection over its narration, else default."""
    if article.language:
        return detector.resolve(article.language)
    text = "\n".join(s.text for s in article.segments if s.kind in _NARRATION and s.spoken)
    found = detector.detect(text[:_SAMPLE_CHARS])
    if found:
        return found[0]
    default = detector.resolve(settings.default_language)
    # Nothing to detect from (or one candidate only): a language some voice speaks.
    return default if default in detector.codes.values() else next(iter(detector.codes.values()))


def segment_language(
    segment: Segment, narration: str, settings: PlanSettings, detector: Detector
) -> str:
    """One segment's language: the reader's if it set one, else by detection and its kind."""
    if segment.lang:
        return detector.resolve(segment.lang)
    if not segment.spoken:
        return narration  # never heard: not worth a detection that could only mislead
    if segment.kind in _NARRATION:
        # Judge the narrator's own words: a long quote may be in another language.
        own = _QUOTED.sub(" ", segment.text)
        found = detector.detect(own, min_words=NARRATION_MIN_WORDS)
        confident = max(NARRATION_CONFIDENCE, settings.min_confidence)
        return found[0] if found and found[1] >= confident else narration
    found = detector.detect(segment.text)
    if found and found[1] >= settings.min_confidence:
        return found[0]
    if segment.lang_hint:
        return detector.resolve(segment.lang_hint)
    return narration


def split_quotes(
    text: str, lang: str, settings: PlanSettings, detector: Detector
) -> Sequence[tuple[str, str]]:
    """Cut narration into runs by language where it quotes a long passage in another language.

    "Hij riep: „Wir sind das Volk, wir bleiben hier, ganz bestimmt“, en liep weg." becomes three
    runs: Dutch, German, Dutch. Short or same-language quotes stay in their sentence.

    Returns:
        ``(text, lang)`` pairs in order; one pair when nothing is quoted in another language.
    """
    runs: list[tuple[str, str]] = []
    start = 0
    for match in _QUOTED.finditer(text):
        quoted = next(g for g in match.groups() if g is not None)
        found = detector.detect(quoted, min_words=QUOTE_MIN_WORDS)
        if not found or found[0] == lang or found[1] < max(0.8, settings.min_confidence):
            continue
        runs.extend([(text[start : match.start()], lang), (quoted, found[0])])
        start = match.end()
    runs.append((text[start:], lang))
    return [(t, code) for t, code in runs if re.search(r"\w", t)]
