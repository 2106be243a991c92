"""The ``[batch]`` table of ``podcast.toml``: where many builds run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from polycast.errors import ConfigError

_KEYS = ("cluster", "worker_cache", "connect_timeout")


@dataclass(frozen=True)
class BatchSettings:
    """How ``polycast batch`` and ``polycast follow`` run their builds."""

    cluster: str | None = None
    """A Dask scheduler's address (``tcp://host:8786``) to build on; None for local processes."""
    worker_cache: Path | None = None
    """A cache folder every worker of the cluster can reach; None for each worker's own."""
    connect_timeout: float = 10.0
    """Seconds to wait for the cluster's scheduler and its first worker."""

    @classmethod
    def from_toml(cls, table: Mapping[str, Any], base: Path | None = None) -> BatchSettings:
        """Read the ``[batch]`` table; a relative ``worker_cache`` starts at ``base``.

        Raises:
            ConfigError: an unknown key, or a value of the wrong kind.
        """
        unknown = sorted(set(table) - set(_KEYS))
        if unknown:
            raise ConfigError(f"batch.{unknown[0]}: unknown key (known: {', '.join(_KEYS)})")
        cluster = table.get("cluster")
        if cluster is not None and (not isinstance(cluster, str) or not cluster.strip()):
            raise ConfigError("batch.cluster must be a scheduler address such as tcp://host:8786")
        cache = table.get("worker_cache")
        if cache is not None and not isinstance(cache, str):
            raise ConfigError("batch.worker_cache must be a folder's path")
        timeout = table.get("connect_timeout", 10.0)
        number = isinstance(timeout, int | float) and not isinstance(timeout, bool)
        if not number or not 0.1 <= timeout <= 3600:
            raise ConfigError(f"batch.connect_timeout must be 0.1 to 3600 s, not {timeout!r}")
        folder = None if cache is None else (base or Path()) / cache
        return cls(cluster=cluster, worker_cache=folder, connect_timeout=float(timeout))
