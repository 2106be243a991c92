"""The errors polycast raises on purpose.

Every expected failure is a ``PolycastError``: the CLI prints its message as one line and exits 1.
Subclasses also inherit a built-in where one fits, so library users can catch what they know.
"""


class PolycastError(Exception):
    """Base of every error polycast raises on purpose; its message is one line for a person."""


class InputError(PolycastError, ValueError):
    """An article or rundown that cannot be read: missing, empty, binary, badly encoded."""


class FetchError(InputError):
    """A web page that cannot be fetched: no answer, an error status, too large, not a page."""


class SiteUnreachable(FetchError):
    """No answer from the site at all (refused, no such host, timed out), not an error status.

    A page the cache keeps is built from then: the site may be back tomorrow, and its page was
    not said to be gone, as a 404 or a 500 says.
    """

    def __init__(self, message: str, reason: str = "unreachable") -> None:
        super().__init__(message)
        self.reason = reason
        """What kept the site out of reach, in a few words ("connection refused")."""


class UnsupportedLanguage(PolycastError, ValueError):
    """No installed voice speaks a language the article needs."""


class EngineError(PolycastError, RuntimeError):
    """A voice engine failed to produce audio (library missing, server unreachable, bad voice)."""


class OutputError(PolycastError, OSError):
    """An output file could not be written (folder missing or read-only, disk full)."""


class FeedError(PolycastError, ValueError):
    """A podcast feed could not be parsed or updated; the existing feed is left as it was."""


class ConfigError(PolycastError, ValueError):
    """A configuration file or option value is invalid."""


class UnknownVoice(ConfigError):
    """A voice named for a language (``--voice nl=NAME``) that no engine here has."""


class EncodeError(PolycastError, RuntimeError):
    """The audio encoder failed or produced something that is not the stream it should be."""


class JoinError(EncodeError):
    """Two MP3 stretches could not be joined (an encoder that is not deterministic, or a bug)."""


class Mp3FormatError(PolycastError, ValueError):
    """Bytes that should be an MPEG-1 Layer III frame are not one."""


class DownloadError(PolycastError, OSError):
    """A download failed (refused, 404, broken off, not as its catalogue says); none installed."""


class ClusterError(PolycastError, ConnectionError):
    """A Dask cluster cannot be used: unreachable, not Dask, no workers, or another polycast."""
