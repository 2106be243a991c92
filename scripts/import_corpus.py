"""Copy the shared article corpus into tests/data/articles/, where tests can read it.

The project never reads the shared folder at run time or in tests; this script makes the
committed copies once. The example and the Markdown posts are copied byte for byte; each news
article of the JSONL sample becomes ``dpg-<id>.md`` with YAML front matter (title, date, lang).
Articles whose text is empty are skipped: there is nothing to read in them.

    uv run python scripts/import_corpus.py [SHARED_ARTICLES_DIR]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

from polycast.files import write_bytes_atomic, write_text_atomic

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "tests" / "data" / "articles"
DEFAULT_SOURCE = Path("/work/shared/articles")


def dpg_markdown(record: dict[str, object]) -> str:
    """Render one JSONL news record as Markdown with YAML front matter."""
    front = {"title": record["title"], "date": record["published_at"], "lang": "nl"}
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{header}---\n\n{str(record['text']).strip()}\n"


def main(source: Path) -> int:
    TARGET.mkdir(parents=True, exist_ok=True)
    copied = []
    for path in [*source.glob("*.txt"), *(source / "corpus").glob("*.md")]:
        write_bytes_atomic(TARGET / path.name, path.read_bytes())
        copied.append(path.name)
    skipped = []
    with (source / "corpus" / "dpgmedia2019-sample.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if not str(record.get("text") or "").strip():
                skipped.append(str(record["id"]))
                continue
            write_text_atomic(TARGET / f"dpg-{record['id']}.md", dpg_markdown(record))
            copied.append(f"dpg-{record['id']}.md")
    print(f"copied {len(copied)} articles to {TARGET}")
    if skipped:
        print(f"skipped {len(skipped)} with empty text: {', '.join(skipped)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE))
