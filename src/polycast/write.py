"""Write an episode and its companion files to disk, all or nothing.

The MP3 is encoded into a temporary file beside its target, tagged there, and renamed into place
together with its companions only when every file is complete. An interrupted or failed build
leaves the previous episode (if any) exactly as it was and no partial file behind. The renames
happen under a lock on the output folder, so two builds into the same output name leave one
build's episode with that same build's companions, never a mix.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

from polycast import cores
from polycast.encode.mp3 import Mp3Settings, encode_mp3
from polycast.encode.opus import OpusSettings, encode_opus, tag_opus
from polycast.errors import OutputError
from polycast.files import remove_stale_parts, staged
from polycast.models import EpisodeInfo, RunStore, Timeline

log = logging.getLogger(__name__)


def encode_workers() -> int:
    """Return how many MP3 encoders to run side by side: one per core, up to four.

    LAME runs without the GIL, and the encode is most of a build's time; stretches are joined
    without a seam (``encode_parallel``), so this only changes how fast the episode is made.
    """
    return max(1, min(4, cores.available()))


def prepare_folder(folder: Path) -> None:
    """Create the output folder if needed and check it is writable.

    Raises:
        OutputError: it cannot be created, is not a folder, or is read-only.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as e:
        raise OutputError(f"{folder}: exists and is not a folder") from e
    except OSError as e:
        raise OutputError(f"cannot create output folder {folder}: {e.strerror or e}") from e
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"output folder {folder} is not writable")


def write_episode(
    timeline: Timeline,
    info: EpisodeInfo,
    mp3: Path,
    settings: Mp3Settings,
    texts: Mapping[Path, str],
    *,
    encoded: Path | None = None,
    on_encoded: Callable[[Path], None] | None = None,
    store: RunStore | None = None,
    tagged: Path | None = None,
    on_tagged: Callable[[Path], None] | None = None,
) -> None:
    """Encode and tag ``timeline`` into ``mp3`` and write ``texts`` beside it, atomically.

    Args:
        timeline: the episode.
        info: what the tags say.
        mp3: where the episode goes.
        settings: bitrate and quality.
        texts: companion files and their text.
        encoded: an untagged MP3 of ``timeline`` made before with ``settings``, copied
            instead of encoding again.
        on_encoded: called with the untagged MP3 before it is tagged (to keep a copy).
        store: where the frames of the timeline's runs are kept between builds.
        tagged: the MP3 of ``timeline`` with these very tags, made before: copied, and neither
            encoded nor tagged (mutagen is then not even imported).
        on_tagged: called with the tagged MP3 before it is synced (to keep a copy).

    Raises:
        OutputError: a file could not be written (folder read-only, disk full); nothing changed.
    """

    def encode(temp: Path) -> None:
        kept = tagged if tagged is not None else encoded
        if kept is not None:
            shutil.copyfile(kept, temp)
            return
        with temp.open("wb") as stream:
            report = encode_mp3(timeline, stream, settings, workers=encode_workers(), store=store)
        plural = "" if report.workers == 1 else "s"
        log.info("encoded %.1f s of MP3 on %d encoder%s", report.duration, report.workers, plural)
        if on_encoded is not None:
            on_encoded(temp)

    def tag(temp: Path) -> None:
        if tagged is not None:
            return
        from polycast.encode.tag import tag_mp3  # noqa: PLC0415 (see ``tagged``)

        tag_mp3(temp, info, timeline.chapters, timeline.rate)
        if on_tagged is not None:
            on_tagged(temp)

    _write_all(mp3, texts, encode, tag)


def write_opus_episode(
    timeline: Timeline,
    info: EpisodeInfo,
    path: Path,
    settings: OpusSettings,
    texts: Mapping[Path, str],
) -> None:
    """Encode and tag ``timeline`` as Ogg Opus into ``path``, ``texts`` beside it, atomically.

    Raises:
        OutputError: a file could not be written (folder read-only, disk full); nothing changed.
    """

    def encode(temp: Path) -> None:
        with temp.open("wb") as stream:
            encode_opus(timeline, stream, settings)

    def tag(temp: Path) -> None:
        tag_opus(temp, info, timeline.chapters, timeline.rate)

    _write_all(path, texts, encode, tag)


def _write_all(
    audio: Path,
    texts: Mapping[Path, str],
    encode: Callable[[Path], None],
    tag: Callable[[Path], None],
) -> None:
    """Stage the audio and its companions, encode, tag and sync, then rename them all at once.

    One sync, after the tag is written, makes both the audio and its tag durable: a sync before
    tagging as well would cost a second wait on the disk (a preview's milliseconds) for nothing.
    """
    prepare_folder(audio.parent)
    targets = [audio, *texts]
    remove_stale_parts(targets)  # what a killed build of these outputs left behind
    with staged(targets, lock=audio.parent) as temps:
        encode(temps[audio])
        tag(temps[audio])
        with temps[audio].open("rb") as stream:
            os.fsync(stream.fileno())  # the episode survives a power cut once renamed
        for target, text in texts.items():
            temps[target].write_text(text, encoding="utf-8")
