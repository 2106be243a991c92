"""One GET of a web page over http or https, with every bound a page read needs.

httpx does the talking; this module decides what polycast accepts. Redirects are followed here,
one by one (at most ``MAX_REDIRECTS``), so each hop's scheme is checked and a loop is named.
The body is read raw and decoded by ``inflate``, so a compressed page is capped on what it
inflates to, not on what came over the wire. Every way it can fail is one ``FetchError`` line
that names the address and what went wrong.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from polycast import __version__
from polycast.errors import FetchError, InputError, SiteUnreachable
from polycast.fetch.inflate import ENCODINGS, TooLarge, inflater
from polycast.inputs import MB, size_text

MAX_REDIRECTS = 5
"""The most redirects followed: more is a loop or a tracking chain, not an article."""

USER_AGENT = f"polycast/{__version__} (turns an article into a podcast episode)"
"""Who is asking: sites log it, and some refuse clients that do not say."""

ACCEPT = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,text/markdown;q=0.8,*/*;q=0.1"

READABLE = {
    "text/html",
    "application/xhtml+xml",
    "text/plain",
    "text/markdown",
    "text/x-markdown",
}
"""The content types polycast reads; anything else is refused before its body is read."""

_REDIRECTS = {301, 302, 303, 307, 308}
"""The statuses that send a client elsewhere (a 304 is an answer, not a redirect)."""

_HINTS = {
    401: "the page needs a login",
    403: "the site refuses polycast (it may need a login, or block robots)",
    404: "there is no page at that address",
    410: "the page was removed",
    429: "the site is rate limiting; try again later",
}


@dataclass(frozen=True)
class Answer:
    """What the server answered, bounds checked and body decoded."""

    status: int
    """200, or 304 when the copy asked about is still current."""
    url: str
    """The address that answered, after redirects."""
    data: bytes
    """The body, decompressed; empty for a 304."""
    headers: Mapping[str, str]
    """The final answer's headers (lowercase names)."""


def is_http(url: str) -> bool:
    """Tell whether ``url`` is an http or https address with a host.

    >>> is_http("https://example.org/a"), is_http("ftp://example.org/a"), is_http("https:///a")
    (True, False, False)
    """
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def check_address(url: str) -> None:
    """Refuse an address polycast will not fetch: another scheme, no host.

    Raises:
        FetchError: ``url`` is not an http or https address.
    """
    if not is_http(url):
        scheme = urlsplit(url).scheme or "no scheme"
        raise FetchError(f"{url}: only http and https addresses are fetched, not {scheme}")


def get(
    url: str,
    *,
    max_bytes: int,
    timeout: float,
    validators: Mapping[str, str],
    kinds: Collection[str] = READABLE,
    setting: str | None = "input.max_article_mb",
) -> Answer:
    """GET ``url``, following redirects, and return the decoded page.

    Args:
        url: an http or https address.
        max_bytes: the most bytes the (decompressed) page may hold.
        timeout: seconds for the whole exchange: connecting, every redirect, the last byte.
        validators: ``If-None-Match``/``If-Modified-Since`` headers of a kept copy, or empty.
        kinds: the content types accepted (a site's feed is not a page: ``follow`` adds its own).
        setting: the setting that raises ``max_bytes``, named when a body is over it (None: none).

    Raises:
        SiteUnreachable: no answer: refused, no such host, timed out.
        FetchError: not http(s), an error status, too many redirects, not a page polycast
            reads, or larger than ``max_bytes``.
    """
    check_address(url)
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": ", ".join(ENCODINGS)}
    with httpx.Client(timeout=httpx.Timeout(timeout), headers=headers) as client:
        deadline = time.monotonic() + timeout  # from the first connection, not the client's setup
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            left = deadline - time.monotonic()  # each hop gets what the ones before it left
            if left <= 0:
                message = f"{url}: no page within {timeout:g} s of redirects (timed out)"
                raise SiteUnreachable(message, "timed out")
            try:
                with client.stream(
                    "GET", current, headers=dict(validators), timeout=left
                ) as response:
                    if response.status_code not in _REDIRECTS:
                        return _answer(
                            url, response, max_bytes, deadline, timeout, kinds, setting=setting
                        )
                    current = _next_hop(url, current, response)
            except httpx.HTTPError as e:
                message = f"{url}: {failure(e, current, timeout)}"
                reason = unreachable(e)
                if reason is not None:
                    raise SiteUnreachable(message, reason) from e
                raise FetchError(message) from e
    raise FetchError(
        f"{url}: more than {MAX_REDIRECTS} redirects (the last to {current}); "
        "is the address a redirect loop?"
    )


def _next_hop(url: str, current: str, response: httpx.Response) -> str:
    """Return where a redirect leads, refusing one without a target or to another scheme."""
    location = str(response.headers.get("location", "")).strip()
    if not location:
        raise FetchError(f"{url}: the server answered {response.status_code} with no Location")
    target = urljoin(current, location)
    if not is_http(target):
        raise FetchError(f"{url}: redirected to {target}, which is not an http or https address")
    return target


def _answer(  # noqa: PLR0917 (get's bounds, passed on)
    url: str,
    response: httpx.Response,
    max_bytes: int,
    deadline: float,
    timeout: float,
    kinds: Collection[str] = READABLE,
    *,
    setting: str | None,
) -> Answer:
    """Check the final response's status, type and size, then read its body within the bounds."""
    final = str(response.url)
    where = url if final == url else f"{url} (redirected to {final})"
    status = response.status_code
    if status >= 400 or status not in (200, 203, 304):
        reason = response.reason_phrase or "error"
        hint = _HINTS.get(status, "the site's server failed" if status >= 500 else "")
        raise FetchError(f"{where}: {status} {reason}" + (f": {hint}" if hint else ""))
    headers = {k.lower(): v for k, v in response.headers.items()}
    if status == 304:
        return Answer(status, final, b"", headers)
    _check_type(where, headers.get("content-type", ""), kinds)
    length = headers.get("content-length", "")
    if length.isdigit() and not headers.get("content-encoding") and int(length) > max_bytes:
        raise FetchError(
            f"{where}: the page is {size_text(int(length))}, {_over(max_bytes, setting)}"
        )
    data = _body(where, response, max_bytes, deadline, timeout, setting=setting)
    return Answer(status, final, data, headers)


def _over(max_bytes: int, setting: str | None) -> str:
    return f"over the {max_bytes / MB:g} MB limit" + (f" ({setting})" if setting else "")


def _check_type(where: str, content_type: str, kinds: Collection[str] = READABLE) -> None:
    """Refuse a body that is no page: an image, a PDF, a download."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media and media not in kinds:
        raise FetchError(
            f"{where}: the server sent {media} (Content-Type: {content_type.strip()}), "
            "not a web page; polycast reads HTML, Markdown and text"
        )


def _body(
    where: str,
    response: httpx.Response,
    max_bytes: int,
    deadline: float,
    timeout: float,
    *,
    setting: str | None,
) -> bytes:
    """Read and decode the body, refusing it past ``max_bytes`` or past the deadline."""
    try:
        decoder = inflater(response.headers.get("content-encoding", ""), max_bytes)
    except InputError as e:
        raise FetchError(f"{where}: {e}") from e
    parts: list[bytes] = []
    late = False
    try:
        for chunk in response.iter_raw(65536):
            parts.append(decoder.feed(chunk))
            late = time.monotonic() > deadline  # a page sent a byte at a time, for ever
            if late:
                break
    except TooLarge as e:
        raise FetchError(f"{where}: the page is {_over(max_bytes, setting)} ({e})") from e
    except InputError as e:
        raise FetchError(f"{where}: {e}") from e
    if late:
        message = f"{where}: the page took longer than {timeout:g} s to arrive (timed out)"
        raise SiteUnreachable(message, "timed out")
    return b"".join(parts)


def failure(error: httpx.HTTPError, url: str, timeout: float | None) -> str:
    """Say what a network failure means, for a person: timed out, refused, no such host."""
    host = urlsplit(url).netloc
    if isinstance(error, httpx.TimeoutException):
        return f"no answer from {host} within {timeout or 0:g} s (timed out)"
    cause = _root(error)
    if isinstance(cause, socket.gaierror):
        return f"the host {urlsplit(url).hostname} was not found (DNS: {cause.strerror or cause})"
    if isinstance(cause, ConnectionRefusedError):
        return f"the connection to {host} was refused; is a web server running there?"
    if isinstance(error, httpx.RemoteProtocolError):
        return f"{host} broke off the answer ({error})"
    if isinstance(error, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"not an address polycast can fetch ({error})"
    return f"cannot fetch from {host}: {error or type(error).__name__}"


def unreachable(error: httpx.HTTPError) -> str | None:
    """Say in a few words why the site could not be reached; None when it answered, if badly.

    A connection that timed out, was refused or found no host (or no route) never reached the
    site; one it broke off, or answered wrongly, did.
    """
    if isinstance(error, httpx.TimeoutException):
        return "timed out"
    if not isinstance(error, httpx.ConnectError):
        return None
    cause = _root(error)
    if isinstance(cause, socket.gaierror):
        return "host not found"
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror.lower()
    return "cannot connect"


def _root(error: BaseException) -> BaseException:
    """Return the first cause of ``error`` that is an OS-level one, else ``error`` itself."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, OSError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return error
