"""Decompression with a bound: gzip, deflate and Brotli, never more than a cap of output.

A few kilobytes of gzip can hold gigabytes of zeros (a "zip bomb"); a decoder that inflates a
whole chunk before anyone counts has filled memory by the time the count says no. Each decoder
here is asked for at most one byte more than the room left, so an oversized stream is refused
after the cap and a byte, whatever its ratio.
"""

from __future__ import annotations

import zlib
from typing import Protocol

from polycast.errors import InputError
from polycast.inputs import MB, size_text

GZIP_MAGIC = b"\x1f\x8b"
"""The first two bytes of every gzip stream."""


class TooLarge(InputError):
    """The decompressed data would pass the cap; the caller says what and where."""


class Inflater(Protocol):
    """A streaming decoder that returns at most the room left, plus one byte."""

    def feed(self, data: bytes) -> bytes:
        """Decode ``data``, returning what it yields.

        Raises:
            TooLarge: the output so far passes the cap.
            InputError: the stream is damaged.
        """
        ...


class _Zlib:
    """gzip or zlib-wrapped deflate (raw deflate too, as some servers send), one or more members."""

    def __init__(self, cap: int, wbits: int) -> None:
        self.cap, self.wbits, self.total = cap, wbits, 0
        self.decoder = zlib.decompressobj(wbits)
        self.started = False

    def feed(self, data: bytes) -> bytes:
        out: list[bytes] = []
        while data:
            if self.decoder.eof:  # a further gzip member, or padding after the last
                if not data.strip(b"\0"):
                    break
                self.decoder = zlib.decompressobj(self.wbits)
            out.append(self._step(data))
            data = self.decoder.unconsumed_tail or (
                self.decoder.unused_data if self.decoder.eof else b""
            )
        return b"".join(out)

    @property
    def finished(self) -> bool:
        """Whether the last stream fed has ended (else the data stopped mid-stream)."""
        return self.decoder.eof

    def _step(self, data: bytes) -> bytes:
        """Inflate what ``data`` holds, up to the room left and a byte."""
        try:
            chunk = self.decoder.decompress(data, self.cap - self.total + 1)
        except zlib.error as e:
            if self.started or self.wbits != zlib.MAX_WBITS:
                raise InputError(f"the compressed data is damaged ({e})") from e
            self.wbits = -zlib.MAX_WBITS  # deflate sent raw, without its zlib wrapper
            self.decoder = zlib.decompressobj(self.wbits)
            return self._step(data)
        self.started = True
        self.total += len(chunk)
        if self.total > self.cap:
            raise TooLarge(f"it inflates past {size_text(self.cap)}")
        return chunk


class _Brotli:
    """Brotli, asked for no more output than the room left."""

    def __init__(self, cap: int) -> None:
        import brotli  # noqa: PLC0415 (only a Brotli answer needs it)

        self.cap, self.total, self.error = cap, 0, brotli.error
        self.decoder = brotli.Decompressor()

    def feed(self, data: bytes) -> bytes:
        try:
            chunk = self.decoder.process(data, output_buffer_limit=self.cap - self.total + 1)
        except self.error as e:
            raise InputError(f"the Brotli data is damaged ({e})") from e
        self.total += len(chunk)
        if self.total > self.cap:
            raise TooLarge(f"it inflates past {size_text(self.cap)}")
        return bytes(chunk)


class _Identity:
    """No encoding: the bytes as they came, counted."""

    def __init__(self, cap: int) -> None:
        self.cap, self.total = cap, 0

    def feed(self, data: bytes) -> bytes:
        self.total += len(data)
        if self.total > self.cap:
            raise TooLarge(f"it is over {size_text(self.cap)}")
        return data


ENCODINGS = ("gzip", "deflate", "br")
"""The content encodings polycast asks servers for, in its order of preference."""


def inflater(encoding: str, cap: int) -> Inflater:
    """Return a decoder for an HTTP ``Content-Encoding`` (``identity`` or empty: none).

    Raises:
        InputError: an encoding polycast did not ask for and cannot decode.
    """
    name = encoding.strip().lower()
    if name in ("", "identity"):
        return _Identity(cap)
    if name in ("gzip", "x-gzip"):
        return _Zlib(cap, 16 + zlib.MAX_WBITS)
    if name == "deflate":
        return _Zlib(cap, zlib.MAX_WBITS)
    if name == "br":
        return _Brotli(cap)
    raise InputError(f"the server sent it in an encoding polycast cannot decode ({encoding!r})")


def gunzip(data: bytes, cap: int, setting: str = "input.max_article_mb") -> bytes:
    """Decompress a whole gzip file (a saved ``.html.gz``) into at most ``cap`` bytes.

    Raises:
        InputError: it is damaged or truncated, or inflates past ``cap`` (a message without the
            file's name: the caller adds it).
    """
    decoder = _Zlib(cap, 16 + zlib.MAX_WBITS)
    try:
        out = decoder.feed(data)
    except TooLarge as e:
        raise InputError(
            f"the gzip file inflates past the {cap / MB:g} MB limit ({setting}); "
            "is it a compression bomb?"
        ) from e
    except InputError as e:
        raise InputError(f"the gzip file is damaged: {e}") from e
    if not decoder.finished:
        raise InputError("the gzip file is truncated (it ends mid-stream)")
    return out
