"""Every way polycast writes a time, from one rounding rule.

Times are exact sample counts until they are written. ``to_ms`` is the one place a sample count
becomes milliseconds (nearest, halves up); every written time (ID3 chapters, chapters JSON,
transcripts, show notes, the build summary) starts from those milliseconds, so two files never
disagree about where a chapter starts. Shown times (``clock``) cut to the whole second, as podcast
apps do: a chapter at 1:12.9 is shown at 1:12, the second a listener lands in when tapping it.
"""

from __future__ import annotations


def to_ms(sample: int, rate: int) -> int:
    """Round a sample index to the nearest millisecond, halves up, from the exact count.

    >>> to_ms(22050, 44100), to_ms(1, 2000), to_ms(44099, 44100)
    (500, 1, 1000)
    """
    return (2 * sample * 1000 + rate) // (2 * rate)


def seconds_to_ms(seconds: float) -> int:
    """Round seconds to the nearest millisecond (a time that is already in seconds).

    >>> seconds_to_ms(72.9996), seconds_to_ms(0.0)
    (73000, 0)
    """
    return round(seconds * 1000)


def stamp(millis: int, separator: str = ".") -> str:
    """Format milliseconds as ``HH:MM:SS.mmm`` (WebVTT), or with ``,`` before the ms (SRT).

    Hours are always written and may exceed 99, which both formats allow.

    >>> stamp(0)
    '00:00:00.000'
    >>> stamp(3_723_004)
    '01:02:03.004'
    >>> stamp(59_999, ",")
    '00:00:59,999'
    >>> stamp(360_000_000)
    '100:00:00.000'
    """
    seconds, rest = divmod(millis, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{rest:03d}"


def clock(millis: int) -> str:
    """Format milliseconds as ``m:ss`` or ``h:mm:ss``, cut to the second, as podcast apps show.

    >>> clock(3_725_400), clock(65_000), clock(72_999), clock(0)
    ('1:02:05', '1:05', '1:12', '0:00')
    """
    hours, rest = divmod(millis // 1000, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
