"""Templates from a show's config: plain ``{name}`` placeholders and nothing else.

``str.format`` on text a user wrote is a small language: ``{author.__class__.__mro__}`` walks
Python's internals, ``{date[0]}`` indexes, ``{author!r}`` and ``{date:>9999999}`` change what is
said or how much memory it takes. A template may only name the documented placeholders; anything
else is a ``ConfigError`` when the config is loaded, before any work is done.
"""

from __future__ import annotations

import string
from collections.abc import Collection, Sequence

from polycast.errors import ConfigError


def check_placeholders(template: str, names: Sequence[str], where: str) -> None:
    """Raise ``ConfigError`` unless every field of ``template`` is a bare name from ``names``.

    Args:
        template: the text as the config holds it.
        names: the placeholders that may appear (``author``, ``date``, ...).
        where: the config field, named in the message (``plan.attribution.nl.date``).

    Raises:
        ConfigError: an unbalanced brace, a positional ``{}``, an unknown name, attribute access,
            indexing, a conversion (``!r``) or a format spec (``:>10``).
    """
    shown = [f"{{{n}}}" for n in names]
    allowed = " and ".join([", ".join(shown[:-1]), shown[-1]] if len(shown) > 1 else shown)
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(template)
            if name is not None
        ]
    except ValueError as e:
        raise ConfigError(
            f"{where}: {template!r} is not a valid template ({e}); use only {allowed}"
        ) from e
    for name, spec, conversion in fields:
        problem = _problem(name, spec, conversion, names)
        if problem:
            raise ConfigError(
                f"{where}: {template!r} is not a valid template: {problem}; use only {allowed}"
                " (write {{ and }} for a literal brace)"
            )


def _problem(name: str, spec: str | None, conversion: str | None, names: Collection[str]) -> str:
    """Say what is wrong with one ``{...}`` field, or return "" when it is a plain known name."""
    field = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
    field += "}"
    if not name:
        return f"{field} names no placeholder"
    if "." in name or "[" in name:
        return f"{field} reaches into a value (no attribute access or indexing)"
    if conversion:
        return f"{field} has a conversion"
    if spec:
        return f"{field} has a format spec"
    if name not in names:
        return f"{field} is not a placeholder"
    return ""
