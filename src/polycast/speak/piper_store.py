"""Where downloaded Piper voices live: one folder per voice in the user's data folder.

``<data>/piper/<name>/<name>.onnx`` and ``<name>.onnx.json``, where ``<data>`` is
``$POLYCAST_DATA`` or the user data folder (platformdirs: ``~/.local/share/polycast`` on Linux).
A voice appears there by one rename of a complete, checked folder, and leaves by one rename
before its files are deleted, so a build never sees half a voice. Downloads in progress wait in
``<data>/piper/.downloads/<name>/``, where a rerun resumes them. What a killed process left
between its renames (a voice renamed away to be deleted, an older copy set aside) is finished by
the next process that looks at the folder, so a voice is there whole or gone.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
from pathlib import Path

from polycast.errors import ConfigError, EngineError, OutputError
from polycast.files import alive
from polycast.speak.held_signals import held
from polycast.speak.piper import PiperVoiceFile, read_voice_file

log = logging.getLogger(__name__)

DATA_VARIABLE = "POLYCAST_DATA"
"""The environment variable that moves the data folder (tests, a shared install)."""
DOWNLOADS = ".downloads"
"""The folder under the voices' folder where unfinished downloads wait to be resumed."""
_SET_ASIDE = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)\.(?P<why>removing|old)")
"""A voice folder renamed out of sight by process ``pid``: to be deleted, or replaced."""


def data_dir() -> Path:
    """Return polycast's data folder: ``$POLYCAST_DATA``, else the user's data folder."""
    explicit = os.environ.get(DATA_VARIABLE)
    if explicit:
        return Path(explicit).expanduser()
    import platformdirs  # noqa: PLC0415 -- only voice commands and auto builds need it

    return platformdirs.user_data_path("polycast", appauthor=False)


def voices_dir() -> Path:
    """Return the folder the Piper voices are installed in."""
    return data_dir() / "piper"


def installed_voices(folder: Path | None = None) -> tuple[PiperVoiceFile, ...]:
    """List the installed voices, by name; a broken one is left out with a warning."""
    folder = folder or voices_dir()
    finish_leftovers(folder)
    try:
        names = sorted(p.name for p in folder.iterdir() if p.is_dir())
    except OSError:
        return ()
    found = []
    for name in names:
        model = folder / name / f"{name}.onnx"
        if name.startswith(".") or not model.is_file():
            continue
        try:
            found.append(read_voice_file(model))
        except EngineError as e:
            log.warning("installed Piper voice %s is left out: %s", name, e)
    return tuple(found)


def finish_leftovers(folder: Path) -> None:
    """Finish the removals and replacements that processes killed outright left half done.

    ``install`` and ``remove`` hold stop signals across their renames and deletes, but SIGKILL
    or a power cut cannot be held: a voice set aside to be deleted (``.NAME.PID.removing``),
    perhaps half deleted, is deleted now; an older copy set aside for a new one
    (``.NAME.PID.old``, whole: it was renamed, never written) is deleted when the new copy is in
    place, else put back. Folders of processes still running are theirs to finish. Best effort:
    what cannot be removed stays for the next time.
    """
    try:
        found = [(p, _SET_ASIDE.fullmatch(p.name)) for p in folder.iterdir()]
    except OSError:
        return
    for path, match in found:
        if match is None or alive(int(match["pid"])):
            continue
        target = folder / match["name"]
        if match["why"] == "old" and not target.exists():
            with contextlib.suppress(OSError):  # else left whole for the next time
                path.rename(target)
            continue
        shutil.rmtree(path, ignore_errors=True)


def install(ready: Path, name: str, folder: Path | None = None) -> Path:
    """Move a complete, checked voice folder into place, replacing an older copy; return it.

    Stop signals wait until both renames are done: a Ctrl-C between them would leave no voice
    where the older copy was, and that copy hidden under a dotted name.

    Raises:
        OutputError: the folder cannot be renamed into place.
    """
    target = (folder or voices_dir()) / name
    old = target.with_name(f".{name}.{os.getpid()}.old")
    finish_leftovers(target.parent)
    with held():
        try:
            if target.exists():
                target.rename(old)
            ready.rename(target)
        except OSError as e:
            with contextlib.suppress(OSError):
                if old.exists() and not target.exists():
                    old.rename(target)
            raise OutputError(f"cannot install Piper voice {name} in {target}: {e.strerror}") from e
        shutil.rmtree(old, ignore_errors=True)
    return target


def remove(name: str, folder: Path | None = None) -> Path:
    """Uninstall voice ``name``: renamed out of sight first, then deleted; return where it was.

    Stop signals wait until the folder is deleted: a Ctrl-C between the rename and the delete
    would leave the voice's files hidden under a dotted name (a later run deletes what a kill
    leaves, see ``finish_leftovers``).

    Raises:
        ConfigError: no voice of that name is installed (the message lists those that are).
        OutputError: it cannot be removed.
    """
    folder = folder or voices_dir()
    finish_leftovers(folder)
    target = folder / name
    if name.startswith(".") or "/" in name or not (target / f"{name}.onnx").is_file():
        have = ", ".join(v.name for v in installed_voices(folder)) or "none"
        raise ConfigError(f"no Piper voice '{name}' is installed in {folder}; installed: {have}")
    gone = folder / f".{name}.{os.getpid()}.removing"
    with held():
        try:
            target.rename(gone)
        except OSError as e:
            raise OutputError(f"cannot remove Piper voice {name}: {e.strerror}") from e
        shutil.rmtree(gone, ignore_errors=True)
    return target
