"""Score what polycast speaks of 91 real web pages against the article body a person marked.

Usage: ``uv run python scripts/score_web.py [--pages N] [--worst K]``. The pages and their truth
are tests/data/web/ (``KEY.html.gz`` and ``ground-truth.json``), from the article-extraction
benchmark of Scrapinghub (now Zyte), MIT licence. The metric is the benchmark's own: 4-token
shingles of ``\\w+`` tokens, per-page tp/fp/fn normalised to sum to 1, precision averaged over pages
where something was read, recall over pages whose truth is not empty, F1 from the two means.

What is scored is what the listener hears: the text of every spoken segment except the title, as
``polycast segments`` plans it (the narrated attributions and intros are not the article's text).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from polycast.errors import PolycastError
from polycast.plan import segments_document
from polycast.read import read_article

PAGES = Path(__file__).resolve().parent.parent / "tests" / "data" / "web"
TRAFILATURA = (0.963, 0.940)
"""trafilatura 2.0's published F1 and precision on these 91 pages."""
_TOKEN = re.compile(r"\w+")
_SHINGLE = 4


@dataclass(frozen=True)
class Score:
    """Benchmark scores over a set of pages."""

    f1: float
    precision: float
    recall: float
    pages: int


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """Count every run of four consecutive ``\\w+`` tokens (a shorter text is one shingle)."""
    tokens = _TOKEN.findall(text)
    if len(tokens) < _SHINGLE:
        return Counter([tuple(tokens)] if tokens else [])
    return Counter(tuple(tokens[i : i + _SHINGLE]) for i in range(len(tokens) - _SHINGLE + 1))


def page_counts(predicted: str, truth: str) -> tuple[float, float, float]:
    """Return one page's (tp, fp, fn), normalised to sum to 1 (all zero if both are empty)."""
    pred, true = shingles(predicted), shingles(truth)
    tp = sum((pred & true).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def score(pairs: Iterable[tuple[str, str]]) -> Score:
    """Score (predicted, truth) text pairs with the benchmark's averaging."""
    precisions: list[float] = []
    recalls: list[float] = []
    count = 0
    for predicted, truth in pairs:
        count += 1
        tp, fp, fn = page_counts(predicted, truth)
        if tp + fp > 0:
            precisions.append(tp / (tp + fp))
        if tp + fn > 0:
            recalls.append(tp / (tp + fn))
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return Score(f1, p, r, count)


def spoken_text(data: bytes, name: str) -> str:
    """Return what polycast speaks of a page, title left out; empty if it cannot be read."""
    try:
        document = segments_document(read_article(data, name))
    except PolycastError:
        return ""
    said = [s["text"] for s in document["segments"] if s["spoken"] and s["kind"] != "title"]
    return "\n\n".join(said)


def truths(folder: Path = PAGES) -> dict[str, str]:
    """Return every page's marked article body by key."""
    data = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    return {key: item["articleBody"] for key, item in sorted(data.items())}


def read_page(key: str, folder: Path = PAGES) -> str:
    """Return what polycast speaks of the page ``key``."""
    data = gzip.decompress((folder / f"{key}.html.gz").read_bytes())
    return spoken_text(data, f"{key}.html")


def score_pages(folder: Path = PAGES, limit: int | None = None) -> tuple[Score, dict[str, str]]:
    """Read every page (or the first ``limit``) and score it; return the score and the texts."""
    bodies = dict(list(truths(folder).items())[:limit])
    spoken = {key: read_page(key, folder) for key in bodies}
    return score((spoken[key], bodies[key]) for key in bodies), spoken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=None, help="score only the first N pages")
    parser.add_argument("--worst", type=int, default=0, help="list the K pages with lowest F1")
    args = parser.parse_args()
    result, spoken = score_pages(limit=args.pages)
    f1, p = TRAFILATURA
    print(f"pages      {result.pages}")
    print(f"polycast   F1 {result.f1:.3f}  P {result.precision:.3f}  R {result.recall:.3f}")
    print(f"trafilatura F1 {f1:.3f}  P {p:.3f}  (published, same pages)")
    if args.worst:
        bodies = truths()
        rows = []
        for key, text in spoken.items():
            tp, fp, fn = page_counts(text, bodies[key])
            rows.append((tp / (tp + (fp + fn) / 2) if tp else 0.0, tp, fp, fn, key))
        for row in sorted(rows)[: args.worst]:
            print(f"{row[0]:.3f}  tp {row[1]:.2f} fp {row[2]:.2f} fn {row[3]:.2f}  {row[4]}")


if __name__ == "__main__":
    main()
