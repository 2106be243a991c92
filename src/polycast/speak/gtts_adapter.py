"""Every use of gTTS's internals, in one place, so a gTTS release that moves them breaks here.

gTTS 2.5 offers no public way to send its requests elsewhere, nor to ask whether a piece of text is
only punctuation (on which it asserts). We lean on three things it does not promise: the private
``gtts.utils._clean_tokens`` and ``gTTS._prepare_requests``, and that a network failure raises
``gTTSError`` without a response inside ``except RequestException``. ``tests/test_gtts_adapter.py``
checks each on a known input and names the installed gTTS version when one changes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from gtts import gTTS
from gtts.utils import _clean_tokens


def speakable(text: str) -> bool:
    """Whether gTTS would send ``text``: it is not only punctuation and spaces."""
    return bool(_clean_tokens([text]))


def answer_of(error: Any) -> Any:
    """Return the HTTP response a ``gTTSError`` came with; None if the exchange itself failed."""
    return error.rsp


def network_cause(error: Any) -> BaseException | None:
    """Return the ``requests`` exception behind a ``gTTSError`` that came without a response."""
    cause: BaseException | None = error.__context__
    return cause


class Request(gTTS):  # type: ignore[misc]  # gTTS ships no types
    """gTTS with its host swapped for ``base``; request building and answer parsing stay gTTS's.

    gTTS 2.5 hard-codes ``https://translate.google.<tld>`` in ``_prepare_requests``, the one seam:
    gTTS prepares its requests as always, then each is re-pointed at the same path under ``base``.
    """

    def __init__(self, base: str, text: str, **options: Any) -> None:
        super().__init__(text, **options)
        self._base = base.rstrip("/")

    def _prepare_requests(self) -> list[Any]:
        prepared: list[Any] = super()._prepare_requests()
        for request in prepared:
            request.prepare_url(self._base + urlsplit(request.url).path, None)
        return prepared
