"""Microsoft's neural voices that polycast knows by language, with a default for each.

The service lists its voices online; a build must not need that list to choose a voice, so the
common ones are written down here (any other ``xx-YY-NameNeural`` voice can still be asked for by
name). Per language, the first region is the default one, and per region the first voice.
"""

from __future__ import annotations

import functools
import re

from polycast import langcodes

LOCALES: dict[str, tuple[str, ...]] = {
    "nl-NL": ("Fenna", "Colette", "Maarten"), "nl-BE": ("Dena", "Arnaud"),
    "en-US": ("Aria", "Jenny", "Guy", "Andrew", "Emma"), "en-GB": ("Sonia", "Ryan", "Libby"),
    "en-AU": ("Natasha", "William"), "en-CA": ("Clara", "Liam"), "en-IE": ("Emily", "Connor"),
    "en-IN": ("Neerja", "Prabhat"), "en-NZ": ("Molly", "Mitchell"), "en-ZA": ("Leah", "Luke"),
    "de-DE": ("Katja", "Conrad", "Amala"), "de-AT": ("Ingrid", "Jonas"), "de-CH": ("Leni", "Jan"),
    "fr-FR": ("Denise", "Henri", "Eloise"), "fr-BE": ("Charline", "Gerard"),
    "fr-CA": ("Sylvie", "Jean", "Antoine"), "fr-CH": ("Ariane", "Fabrice"),
    "es-ES": ("Elvira", "Alvaro"), "es-MX": ("Dalia", "Jorge"), "es-US": ("Paloma", "Alonso"),
    "pt-PT": ("Raquel", "Duarte"), "pt-BR": ("Francisca", "Antonio"),
    "it-IT": ("Elsa", "Isabella", "Diego"), "pl-PL": ("Zofia", "Marek"),
    "sv-SE": ("Sofie", "Mattias"), "da-DK": ("Christel", "Jeppe"), "nb-NO": ("Pernille", "Finn"),
    "fi-FI": ("Noora", "Harri"), "is-IS": ("Gudrun", "Gunnar"), "cs-CZ": ("Vlasta", "Antonin"),
    "sk-SK": ("Viktoria", "Lukas"), "sl-SI": ("Petra", "Rok"), "hr-HR": ("Gabrijela", "Srecko"),
    "hu-HU": ("Noemi", "Tamas"), "ro-RO": ("Alina", "Emil"), "bg-BG": ("Kalina", "Borislav"),
    "el-GR": ("Athina", "Nestoras"), "et-EE": ("Anu", "Kert"), "lv-LV": ("Everita", "Nils"),
    "lt-LT": ("Ona", "Leonas"), "ga-IE": ("Orla", "Colm"), "cy-GB": ("Nia", "Aled"),
    "ca-ES": ("Joana", "Enric"), "gl-ES": ("Sabela", "Roi"), "ru-RU": ("Svetlana", "Dmitry"),
    "uk-UA": ("Polina", "Ostap"), "tr-TR": ("Emel", "Ahmet"), "he-IL": ("Hila", "Avri"),
    "ar-SA": ("Zariyah", "Hamed"), "ar-EG": ("Salma", "Shakir"), "fa-IR": ("Dilara", "Farid"),
    "hi-IN": ("Swara", "Madhur"), "id-ID": ("Gadis", "Ardi"), "ms-MY": ("Yasmin", "Osman"),
    "vi-VN": ("HoaiMy", "NamMinh"), "th-TH": ("Premwadee", "Niwat"), "ja-JP": ("Nanami", "Keita"),
    "ko-KR": ("SunHi", "InJoon"), "zh-CN": ("Xiaoxiao", "Yunxi"), "zh-TW": ("HsiaoChen", "YunJhe"),
    "af-ZA": ("Adri", "Willem"), "sw-KE": ("Zuri", "Rafiki"),
}  # fmt: skip
"""Voices per region (``nl-NL``), the region's default first; a language's first region is its
default (``nl`` is spoken by ``nl-NL-FennaNeural``)."""

VOICE = re.compile(r"(?P<lang>[a-z]{2,3})-(?P<region>[A-Z]{2,})(-[A-Za-z]+)*-\w+Neural")
"""How the service names a voice: ``nl-BE-DenaNeural``, ``zh-CN-liaoning-XiaobeiNeural``."""


def voice_name(locale: str, name: str) -> str:
    """Spell a voice as the service does.

    >>> voice_name("nl-BE", "Dena")
    'nl-BE-DenaNeural'
    """
    return f"{locale}-{name}Neural"


@functools.cache
def table() -> dict[str, list[str]]:
    """Return the voices per language code as engines list them: ``nl``, ``nl-nl``, ``nl-be``.

    A bare language lists its default region's voices first, then its other regions'.
    """
    voices: dict[str, list[str]] = {}
    for locale, names in LOCALES.items():
        spelled = [voice_name(locale, name) for name in names]
        voices[langcodes.normalize(locale)] = spelled
        voices.setdefault(langcodes.primary(locale), []).extend(spelled)
    return dict(sorted(voices.items()))


def language_of(voice: str) -> str | None:
    """Return the language code a voice speaks (``nl-be``), None if it is not a voice's name.

    >>> language_of("nl-BE-DenaNeural"), language_of("co.uk")
    ('nl-be', None)
    """
    match = VOICE.fullmatch(voice)
    return langcodes.normalize(f"{match['lang']}-{match['region']}") if match else None
