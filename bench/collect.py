"""Assemble docs/benchmarks.md from the per-area pages in docs/benchmarks/ (run after any bench script)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["store", "intent", "recommend", "llm", "assistant", "understanding", "hardening", "install", "scaleout"]

HEADER = """# Cartwise benchmarks

Every figure below was produced by a script in `bench/` (or a `cartwise eval` command), named next to it
with its machine and date. Each area's page lives in `docs/benchmarks/<area>.md`; this file is assembled
from them by `python bench/collect.py`. Speed figures are compared with a baseline measured in the same run.
"""


def main() -> None:
    pages = {p.stem: p for p in (ROOT / "docs" / "benchmarks").glob("*.md")}
    names = [n for n in ORDER if n in pages] + sorted(set(pages) - set(ORDER))
    # Each page's headings go one level down so the pages become sections of one document.
    parts = [HEADER] + [re.sub(r"^(#+) ", r"#\1 ", pages[n].read_text(encoding="utf-8"), flags=re.M) for n in names]
    (ROOT / "docs" / "benchmarks.md").write_text("\n\n".join(p.strip() for p in parts) + "\n", encoding="utf-8")
    print(f"docs/benchmarks.md: {len(names)} sections ({', '.join(names)})")


if __name__ == "__main__":
    main()
