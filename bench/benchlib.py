"""What every bench script shares: the result line it prints (and optionally saves) and percentiles."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def emit(summary: dict[str, Any], json_out: Path | None) -> None:
    """Print ``summary`` as the script's one JSON line and, with ``json_out``, save it there too."""
    line = json.dumps(summary)
    print(line)
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(line + "\n")


def shown_items(reply: Any) -> list[Any]:
    """What a reply shows: its products, or the items of the set it built (each has ``id`` and ``title``)."""
    return list(reply.products) or list(reply.bundle.items if reply.bundle else [])


def nearest_rank(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0-1) of ``values`` by nearest rank: always one of the measured values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
