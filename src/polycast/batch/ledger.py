"""What a batch has done, so a rerun does only what is new, changed or failed.

One JSON line per finished article, appended to ``.polycast-batch.jsonl`` in the output folder:
its key (a file's path, a URL, a feed item's GUID), a digest of what was built (the article and
the settings), the episode's file name, and whether it was published. A rerun skips an article
whose digest is the same and whose episode is still there (and published, when it publishes).

Appending one short line is the whole write, so the file is never rewritten and stays small per
article; the last line for a key wins. A line cut short by a crash is ignored when read, which
only means that article is built again.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from polycast import __version__
from polycast.config import Config
from polycast.errors import OutputError
from polycast.inputs import MB, read_bounded

LEDGER_NAME = ".polycast-batch.jsonl"
"""The ledger's file name in the output folder (hidden: it is not an output to publish)."""

LEDGER_CAP = 256 * MB
"""The largest ledger read: a million articles' lines."""


@dataclass(frozen=True)
class Entry:
    """One finished article, as the ledger keeps it."""

    digest: str
    """Of the article's bytes (or its feed stamp) and the settings it was built with."""
    episode: str
    """The episode's file name in the output folder."""
    published: bool
    """Whether it went into the show's feed."""


def settings_digest(config: Config) -> str:
    """Digest the settings a build depends on, and polycast's version, by their named fields.

    How many syntheses run at once changes how fast an episode is made, never the episode: it is
    left out, so a batch's ``--jobs`` (which decides it) or a new ``[speak] workers`` builds
    nothing again.
    """
    fields = asdict(config)
    del fields["read_from"]  # where the config lies: a moved podcast.toml rebuilds nothing
    del fields["speak"]["workers"]
    text = json.dumps(fields, default=str, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{__version__}\n{text}".encode()).hexdigest()


def article_digest(settings: str, data: bytes) -> str:
    """Digest an article's bytes (or stamp) together with the settings digest."""
    return hashlib.sha256(settings.encode() + b"\n" + data).hexdigest()


class Ledger:
    """The output folder's record of finished articles; only the batch's client writes it."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LEDGER_NAME
        """The ledger file."""
        self.entries: dict[str, Entry] = self._read()
        """The latest entry per key."""

    def _read(self) -> dict[str, Entry]:
        if not self.path.exists():
            return {}
        text = read_bounded(self.path, LEDGER_CAP, "batch ledger", OutputError, None)
        entries: dict[str, Entry] = {}
        for line in text.decode("utf-8", "replace").splitlines():
            try:
                row = json.loads(line)
                entries[str(row["key"])] = Entry(
                    str(row["digest"]), str(row["episode"]), bool(row["published"])
                )
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a crash: that article is built again
        return entries

    def done(self, key: str, digest: str, folder: Path, publish: bool) -> bool:
        """Say whether ``key`` was built from the same ``digest``, is there, and is published."""
        entry = self.entries.get(key)
        if (
            entry is None
            or not digest
            or entry.digest != digest
            or (publish and not entry.published)
        ):
            return False
        return (folder / entry.episode).is_file()

    def digest_of(self, key: str, folder: Path, publish: bool) -> str:
        """Return the digest ``key`` was last built from, if that build is done; else ""."""
        entry = self.entries.get(key)
        return entry.digest if entry and self.done(key, entry.digest, folder, publish) else ""

    def record(self, key: str, entry: Entry) -> None:
        """Append ``entry`` for ``key``.

        Raises:
            OutputError: the ledger cannot be written.
        """
        line = json.dumps({"key": key, **asdict(entry)}, ensure_ascii=False) + "\n"
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)
        except OSError as e:
            raise OutputError(f"cannot record the batch in {self.path}: {e.strerror or e}") from e
        self.entries[key] = entry
