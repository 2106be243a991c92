"""Reading web pages: the benchmark score, and whether reading stays linear in a page's size.

Usage: ``uv run python scripts/bench_web.py``. A page of 1 MB and one of 5 MB are made by repeating
the parts of a real news page (a header with metadata and JSON-LD, menus, an article with
headings, lists, quotes, figures and an embedded post, a sidebar of teasers, comments), every
paragraph distinct. Both are read and planned as ``polycast segments`` does; the times are
compared with lxml parsing the same page (the floor: any reader has to parse it) and with each
other; lxml's own 5 MB / 1 MB ratio is shown beside, since memory caches make even it grow
faster than the size. Targets: 1 MB read / lxml parse <= 40, 5 MB read / 1 MB read <= 5.5.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import score_web
from polycast.plan import segments_document
from polycast.read import read_article

MB = 1_000_000
_PROSE = """
The river board opened a fish pass beside the old weir on Saturday morning, two hundred metres
of shallow steps where the current runs weak enough for eels and young salmon to climb.
Engineers spent a year and a half on the design, surveying the banks through a wet spring and a
summer of floods, while the village council argued over the budget and the province paid most of
the bill. Residents walked down to the water to watch, some with children, others with cameras
and old photographs of the meadow before the dam was built. The mayor said the project showed
what small communities can achieve when they work with scientists, farmers and anglers instead
of against them, and promised a report on water quality every season for the next ten years.
"""
_WORDS = _PROSE.split()
"""Real words, picked at random per sentence: four-word runs repeat about as rarely as in news."""


def _sentence(n: int, length: int = 14) -> str:
    """A distinct sentence for every ``n`` and length, always the same one."""
    picked = random.Random(n * 100 + length).choices(_WORDS, k=length)
    return f"{' '.join(picked).capitalize()} ({n})."


def _section(n: int) -> str:
    """One stretch of article: a heading, paragraphs, a list, a quote, a figure, a post."""
    paras = "".join(f"<p>{_sentence(n * 10 + i)} {_sentence(n * 10 + i + 5)}</p>" for i in range(4))
    items = "".join(f"<li>{_sentence(n * 10 + i, 6)}</li>" for i in range(3))
    return (
        f"<h2>Part {n}: {_sentence(n, 4)}</h2>{paras}<ul>{items}</ul>"
        f"<blockquote><p>{_sentence(n + 7)}</p><footer>— <cite>Speaker {n}</cite></footer>"
        f'</blockquote><figure><img src="/img/{n}.jpg" alt="Photo {n}"><figcaption>Photo '
        f"{n}, the weir.</figcaption></figure>"
        f'<blockquote class="twitter-tweet"><p lang="en">{_sentence(n + 3, 10)}</p>&mdash; '
        f'Poster {n} (@poster{n}) <a href="https://twitter.com/poster{n}/status/{10**15 + n}">'
        f"March {n % 28 + 1}, 2022</a></blockquote>"
    )


def _chrome(n: int) -> str:
    """Menus and teasers as sites write them: every link with classes, data and tracking."""
    links = "".join(
        f'<li class="menu__item menu__item--level-2 js-track" data-section="s{n}-{i}">'
        f'<a class="menu__link link--plain" href="/section/{n}/{i}?utm_source=menu&amp;'
        f'utm_medium=web" data-analytics=\'{{"event":"click","label":"menu-{n}-{i}"}}\'>'
        f"Section {i}</a></li>"
        for i in range(14)
    )
    teasers = "".join(
        f'<div class="teaser teaser--small" data-id="{n}-{i}"><a href="/n/{n}/{i}">'
        f'<img class="lazy" data-src="/i/{n}/{i}.jpg" width="120" height="80" alt="">'
        f'<span class="teaser__title">{_sentence(n + i, 8)}</span></a></div>'
        for i in range(3)
    )
    return f'<nav class="menu menu--main" aria-label="Sections"><ul>{links}</ul></nav>{teasers}'


def _inert(n: int) -> str:
    """What real pages carry most of their bytes in: inline styles and scripts (61% here)."""
    rules = "".join(
        f".c{n}-{i}{{margin:0 {i}px;padding:{i % 7}px;color:#{i * 4111 % 0xFFFFFF:06x}}}"
        for i in range(90)
    )
    calls = "".join(
        f'window.__data["k{n}_{i}"]={{"id":{i},"tags":["a","b"],"html":"<div class=\\"x\\">'
        f'{_sentence(i, 3)}</div>"}};'
        for i in range(40)
    )
    return f"<style>{rules}</style><script>{calls}</script>"


def make_page(size: int) -> bytes:
    """Return a full news page of about ``size`` bytes, made as real pages are.

    Per 1 MB, about 60% inline styles and scripts, most of the rest menus and teasers, and some
    30 KB of article text (real pages hold 2.4% of their bytes as article text).
    """
    head = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Fish pass | Daily'
        '</title><meta property="og:title" content="Fish pass opens">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Fish pass '
        'opens", "datePublished": "2022-03-12", "author": {"name": "Anne"}}</script>'
    )
    inert: list[str] = []
    article: list[str] = []
    chrome: list[str] = []
    total, n = len(head), 0
    while total < size:
        parts = (_inert(n), _section(n) if n % 4 == 0 else "", _chrome(n))
        for into, part in zip((inert, article, chrome), parts, strict=True):
            into.append(part)
            total += len(part)
        n += 1
    body = (
        f'</head><body><header>{chrome[0]}</header><div class="layout"><article>'
        f"<h1>Fish pass opens</h1>{''.join(article)}</article><aside>{''.join(chrome[1:])}"
        "</aside></div><footer>© Daily</footer>"
    )
    return (head + "".join(inert) + body + "</body></html>").encode()


def _cpu(run: Callable[[], object]) -> float:
    start = time.process_time()
    run()
    return time.process_time() - start


def bench_linearity(rounds: int = 3) -> dict[str, float]:
    """Time lxml's parse of a 1 MB and a 5 MB page, and reading and planning both.

    The machine is shared and its speed drifts, so each round times all four in a row (lxml as
    the fastest of three, it takes milliseconds) and the ratios are the medians of the rounds'.
    """
    import lxml.html

    small, large = make_page(MB), make_page(5 * MB)

    def read(page: bytes) -> Callable[[], object]:
        return lambda: segments_document(read_article(page, "page.html"))

    def parse(page: bytes) -> float:
        return min(_cpu(lambda: lxml.html.document_fromstring(page)) for _ in range(3))

    read(small)()  # imports, models and caches warmed once
    names = ("web_lxml_1mb_s", "web_lxml_5mb_s", "web_read_1mb_s", "web_read_5mb_s")
    taken: dict[str, list[float]] = {name: [] for name in names}
    ratios: dict[str, list[float]] = {"over_lxml": [], "5_over_1": [], "lxml_5_over_1": []}
    for _ in range(rounds):
        times = (parse(small), parse(large), _cpu(read(small)), _cpu(read(large)))
        for name, value in zip(names, times, strict=True):
            taken[name].append(value)
        ratios["over_lxml"].append(times[2] / times[0])
        ratios["5_over_1"].append(times[3] / times[2])
        ratios["lxml_5_over_1"].append(times[1] / times[0])
    numbers = {name: statistics.median(values) for name, values in taken.items()}
    numbers["web_1mb_over_lxml"] = statistics.median(ratios["over_lxml"])
    numbers["web_5mb_over_1mb"] = statistics.median(ratios["5_over_1"])
    # The floor's own growth: on a shared machine even lxml's 5 MB parse is not 5x its 1 MB one.
    numbers["web_lxml_5mb_over_1mb"] = statistics.median(ratios["lxml_5_over_1"])
    return numbers


def bench_score() -> dict[str, float]:
    """Score what polycast speaks of the 91 benchmark pages."""
    result, _ = score_web.score_pages()
    return {"web_f1": result.f1, "web_precision": result.precision, "web_recall": result.recall}


def main() -> None:
    for name, value in {**bench_score(), **bench_linearity()}.items():
        print(f"{name:24} {value:10.3f}")


if __name__ == "__main__":
    main()
