"""The one way polycast writes and compares language codes.

Articles, embeds, engines and config spell a language many ways (``en_US``, ``en-us``, ``EN``);
``normalize`` writes every one as engines key their voices (lower case, ``-`` separated) and
``primary`` takes its language part. Every stage uses these two, so a code that matches in one
place matches in all.
"""

from __future__ import annotations

import functools


def normalize(code: str) -> str:
    """Write a language code lower case and ``-`` separated.

    >>> normalize(" en_US ")
    'en-us'
    """
    return code.strip().replace("_", "-").lower()


@functools.lru_cache(maxsize=256)  # asked per segment by every clean-up step: a few codes, often
def primary(code: str) -> str:
    """Return the language part of a code: ``en-US`` -> ``en``.

    >>> primary("en_US"), primary("nl"), primary("zh-Hant-TW")
    ('en', 'nl', 'zh')
    """
    return normalize(code).split("-", 1)[0]
