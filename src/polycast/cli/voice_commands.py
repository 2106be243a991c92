"""What ``polycast voices`` does besides listing: get, remove and list the catalogue's Piper voices.

The command itself lives with the other read-only commands (``article_commands``); these are the
parts that reach the network or change the data folder, imported only when asked for.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer

from polycast.config import Config

if TYPE_CHECKING:
    from polycast.speak.inventory import EngineVoices


class VoicesAction(StrEnum):
    """What ``polycast voices ACTION NAME`` does to a Piper voice."""

    GET = "get"
    REMOVE = "remove"


def run_action(action: VoicesAction, name: str | None, lang: str | None, settings: Config) -> None:
    """Get or remove a Piper voice, and say what was done.

    Raises:
        typer.BadParameter: neither a name nor (for get) a language was given.
        PolycastError: the download or removal failed (one line, nothing half-installed).
    """
    from polycast.speak import piper_store  # noqa: PLC0415

    if action is VoicesAction.REMOVE:
        if not name:
            raise typer.BadParameter("voices remove needs the NAME of an installed voice")
        where = piper_store.remove(name)
        typer.echo(f"removed Piper voice {name} from {where.parent}")
        return
    if not name and not lang:
        raise typer.BadParameter("voices get needs a NAME (nl_NL-mls-medium) or --lang")
    get_voice(name, lang, settings)


def get_voice(name: str | None, lang: str | None, settings: Config) -> None:
    """Download a voice by name, or the recommended one of a language, and install it."""
    from polycast.speak import piper_download  # noqa: PLC0415
    from polycast.speak.piper_catalogue import base_url  # noqa: PLC0415

    catalogue = piper_download.fetch_catalogue(base_url(settings.speak.piper_voices_url))
    voice = catalogue.voice(name) if name else catalogue.recommended(lang or "")
    with _bar(voice.size, f"downloading {voice.name}") as advance:
        folder = piper_download.get_voice(catalogue, voice, advance)
    typer.echo(
        f"installed Piper voice {voice.name} ({voice.language}, {voice.quality}, "
        f"{voice.size / 1_000_000:.0f} MB) in {folder}; --engine piper and auto now speak "
        f"{voice.language.split('_')[0]} with it"
    )


def list_available(lang: str | None, settings: Config) -> None:
    """Print what the catalogue offers (for ``--lang``, that language), marking installed voices."""
    from polycast.speak.piper_catalogue import base_url, format_catalogue  # noqa: PLC0415
    from polycast.speak.piper_download import fetch_catalogue  # noqa: PLC0415
    from polycast.speak.piper_store import installed_voices  # noqa: PLC0415

    catalogue = fetch_catalogue(base_url(settings.speak.piper_voices_url))
    installed = {voice.name for voice in installed_voices()}
    typer.echo(format_catalogue(catalogue, lang, installed))


@contextmanager
def _bar(total: int, label: str) -> Iterator[Any]:
    """Show a progress bar on a terminal's stderr; nothing at all on a file or a pipe.

    Click prints a bar's label once when not on a terminal; a script reading stderr wants only
    the error line, if any.
    """
    if not sys.stderr.isatty():
        yield None
        return
    with typer.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update


def check_options(action: VoicesAction | None, available: bool, name: str | None) -> None:
    """Refuse options that do not go together.

    Raises:
        typer.BadParameter: ``--available`` with an action, or a NAME without an action.
    """
    if action is not None and available:
        raise typer.BadParameter(f"--available lists the catalogue; it does not go with {action}")
    if action is None and name:
        raise typer.BadParameter(f"'{name}': say what to do with it: voices get {name}")


def shown_languages(lang: str | None, found: list[EngineVoices], settings: Config) -> list[str]:
    """Return the languages ``voices`` explains the choice for.

    ``--lang``, else the narration language, the languages ``[speak.languages]`` names and every
    language a Piper voice here speaks (where the choice is more than espeak alone), each once.
    """
    from polycast import langcodes  # noqa: PLC0415

    if lang is not None:
        return [lang]
    piper = next((e for e in found if e.name == "piper"), None)
    codes = [settings.plan.default_language, *settings.speak.languages]
    codes += piper.languages if piper else ()
    return sorted({langcodes.primary(code) for code in codes})
