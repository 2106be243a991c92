"""The show frame: a spoken intro and outro around the article, in the narration language.

The pipeline calls ``add_frame`` between plan and speak, so the intro and outro are ordinary
cues: spoken by the narration voice, cached, levelled and timed like every other. They are
generated speech (``segment == -1``), each in a chapter of its own. The music around them (stings,
bed) is the mix stage's business.

A rundown that already begins (or ends) with a chapter of generated speech keeps it and gets no
second one, so a rundown saved after framing and rebuilt by hand is framed once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from polycast import langcodes
from polycast.mix.settings import MixSettings
from polycast.models import NARRATOR, Chapter, Cue, Kind, Rundown

log = logging.getLogger(__name__)

INTRO_PAUSE_MS = 1000
"""Silence after the intro, before the article."""
OUTRO_PAUSE_MS = 700
"""Silence after the outro, before the outro sting or the end."""


@dataclass(frozen=True)
class Words:
    """What the frame says in one language."""

    intro: str
    """Greeting; ``{show}`` is filled in. The title follows unless the article opens with it."""
    outro: str
    """Farewell; ``{show}`` is filled in."""
    outro_chapter: str
    """Chapter title of the outro (the intro's chapter is titled with the show's name)."""


WORDS = {
    "nl": Words(
        "Je luistert naar {show}.", "Dat was {show}. Bedankt voor het luisteren.", "Afsluiting"
    ),
    "en": Words("You're listening to {show}.", "That was {show}. Thanks for listening.", "Outro"),
    "de": Words("Sie hören {show}.", "Das war {show}. Danke fürs Zuhören.", "Abschluss"),
    "fr": Words("Vous écoutez {show}.", "C'était {show}. Merci de votre écoute.", "Conclusion"),
    "es": Words("Estás escuchando {show}.", "Esto fue {show}. Gracias por escuchar.", "Despedida"),
}
"""Built-in words per narration language; ``MixSettings.intro_text``/``outro_text`` override."""


def _words(language: str) -> Words | None:
    """Return the built-in words for ``language`` (``nl-BE`` falls back to ``nl``)."""
    return WORDS.get(language) or WORDS.get(langcodes.primary(language))


def _generated(chapter: Chapter) -> bool:
    """Tell whether a chapter holds only generated speech (an existing intro or outro)."""
    return bool(chapter.cues) and all(cue.segment == -1 for cue in chapter.cues)


def _opens_with_title(rundown: Rundown) -> bool:
    """Tell whether the article's first cue already speaks the episode title."""
    for chapter in rundown.chapters:
        for cue in chapter.cues:
            if cue.segment == -1:
                continue
            return cue.text.strip(" .").casefold() == rundown.title.strip(" .").casefold()
    return False


def _cue(text: str, rundown: Rundown, kind: Kind, pause_ms: int) -> Cue:
    """Make a generated cue in the narration language."""
    return Cue(text, rundown.language, kind, -1, pause_ms, NARRATOR)


def intro_text(rundown: Rundown, show: str, settings: MixSettings) -> str | None:
    """Return what the intro says, or None when there are no words for the language."""
    if settings.intro_text is not None:
        return settings.intro_text.format(show=show, title=rundown.title)
    words = _words(rundown.language)
    if words is None:
        return None
    text = words.intro.format(show=show)
    if rundown.title.strip() and not _opens_with_title(rundown):
        title = rundown.title.strip()
        text = f"{text} {title if title[-1] in '.!?…' else title + '.'}"
    return text


def outro_text(rundown: Rundown, show: str, settings: MixSettings) -> str | None:
    """Return what the outro says, or None when there are no words for the language."""
    if settings.outro_text is not None:
        return settings.outro_text.format(show=show, title=rundown.title)
    words = _words(rundown.language)
    return None if words is None else words.outro.format(show=show)


def add_frame(rundown: Rundown, show_name: str | None, settings: MixSettings) -> Rundown:
    """Return ``rundown`` with a spoken intro chapter first and an outro chapter last.

    Nothing is added without a show name, when ``settings`` turns a part off, when the rundown
    already has that part, or when the narration language has no built-in words and none are
    configured (a warning says so).

    Args:
        rundown: the planned episode.
        show_name: the show's name, said in the intro and outro.
        settings: ``intro``/``outro`` switches and optional ``intro_text``/``outro_text``.
    """
    show = (show_name or "").strip()
    if not show or not rundown.chapters:
        return rundown
    chapters = list(rundown.chapters)
    if settings.intro and not _generated(chapters[0]):
        text = intro_text(rundown, show, settings)
        if text is None:
            log.warning("no intro words for language %r; set mix.intro_text", rundown.language)
        else:
            cue = _cue(text, rundown, Kind.TITLE, INTRO_PAUSE_MS)
            chapters.insert(0, Chapter(show, (cue,)))
    if settings.outro and not _generated(chapters[-1]):
        text = outro_text(rundown, show, settings)
        words = _words(rundown.language)
        if text is None:
            log.warning("no outro words for language %r; set mix.outro_text", rundown.language)
        else:
            title = words.outro_chapter if words else "Outro"
            cue = _cue(text, rundown, Kind.PARAGRAPH, OUTRO_PAUSE_MS)
            chapters.append(Chapter(title, (cue,)))
    return replace(rundown, chapters=tuple(chapters))
