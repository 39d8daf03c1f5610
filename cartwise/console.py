"""What the person who starts Cartwise sees: one build display, and every library's chatter in a log file.

:func:`log_to_file` sends all log records (ours at INFO, Python warnings, transformers' and
sentence-transformers' loading reports, Chroma's notes) to ``var/logs/cartwise.log`` and keeps
only our own warnings and errors on the console. :class:`BuildDisplay` shows a first start as one
``rich`` progress display: a line per stage with its count, elapsed time and time left.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from cartwise.settings import Settings

LOG_FILE: Final = "cartwise.log"
OUR_PACKAGES: Final = ("cartwise", "assistant", "retrieval", "finetune", "web", "__main__")
_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _OursOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.split(".", 1)[0] in OUR_PACKAGES


def log_to_file(settings: Settings, console_level: int = logging.WARNING) -> Path:
    """Route every log record to ``settings.log_dir / "cartwise.log"``; the console keeps our warnings only.

    Also captures Python warnings into the log and turns off the Hugging Face loading progress
    bars and their own stderr handler (their reports then reach the file through the root logger).

    Args:
        settings: Supplies ``log_dir``.
        console_level: The lowest level of our own records still shown on the console.

    Returns:
        The log file's path.
    """
    path = settings.log_dir / LOG_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    to_file = logging.FileHandler(path, encoding="utf-8")
    to_file.setFormatter(logging.Formatter(_FORMAT))
    to_console = logging.StreamHandler()
    to_console.setLevel(console_level)
    to_console.addFilter(_OursOnly())
    to_console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(to_file)
    root.addHandler(to_console)
    root.setLevel(logging.INFO)
    logging.captureWarnings(True)
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # pragma: no cover - transformers is a dependency
        return path
    hf_logging.disable_default_handler()
    hf_logging.enable_propagation()
    hf_logging.disable_progress_bar()
    return path


class BuildDisplay:
    """A first start's stages as one live display (use as a context manager).

    Args:
        console: Where to draw (default: standard error).
        enabled: False draws nothing (the stages still run and are logged).

    Example:
        >>> with BuildDisplay() as display:  # doctest: +SKIP
        ...     with display.stage("product index", total=3759, unit="products") as advance:
        ...         advance(256)
    """

    def __init__(self, console: Console | None = None, enabled: bool = True) -> None:
        self.console = console
        self.enabled = enabled
        self._progress: Progress | None = None

    def __enter__(self) -> BuildDisplay:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        if self.enabled:
            self._progress = Progress(
                SpinnerColumn(finished_text="[green]done"),
                TextColumn("{task.description}"),
                BarColumn(bar_width=20),
                TextColumn("{task.fields[count]}"),
                TimeElapsedColumn(),
                TextColumn("{task.fields[left]}"),
                console=self.console or Console(stderr=True),
            )
            self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def note(self, text: str) -> None:
        """Print one line above the live stages."""
        if self._progress is not None:
            self._progress.console.print(text)

    @contextmanager
    def stage(self, description: str, total: int | None = None, unit: str = "") -> Iterator[Stage]:
        """Show one stage while the block runs; the block reports progress through the yielded :class:`Stage`.

        Args:
            description: What the stage builds, e.g. ``"product index"``.
            total: How many items it handles, if known (an unknown total shows a pulsing bar).
            unit: What the items are, e.g. ``"products"``.

        Yields:
            The stage: ``advance(n)`` adds ``n`` handled items, ``describe(text)`` renames it.
        """
        logger = logging.getLogger(__name__)
        logger.info("build stage: %s%s", description, f" ({total} {unit})" if total is not None else "")
        started = time.perf_counter()
        stage = Stage(self._progress, description, total, unit)
        yield stage
        stage.finish()
        logger.info("build stage done: %s in %.1f s", stage.description, time.perf_counter() - started)


class Stage:
    """One line of a :class:`BuildDisplay` (made by :meth:`BuildDisplay.stage`)."""

    def __init__(self, progress: Progress | None, description: str, total: int | None, unit: str) -> None:
        self.progress = progress
        self.description = description
        self.total = total
        self.unit = unit
        self.done = 0
        self.task: TaskID | None = None
        if progress is not None:
            self.task = progress.add_task(description, total=total, count=self._count(), left="")

    def _count(self) -> str:
        return f"{self.done:,}/{self.total:,} {self.unit}" if self.total is not None else ""

    def advance(self, n: int) -> None:
        """Count ``n`` more handled items."""
        self.done += n
        if self.progress is not None and self.task is not None:
            self.progress.advance(self.task, n)
            task = next(t for t in self.progress.tasks if t.id == self.task)
            left = task.time_remaining
            shown = f"{int(left) // 60}:{int(left) % 60:02d} left" if left is not None and not task.finished else ""
            self.progress.update(self.task, count=self._count(), left=shown)

    def describe(self, description: str) -> None:
        """Change the stage's description (e.g. to add a count found on the way)."""
        self.description = description
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, description=description)

    def finish(self) -> None:
        """Mark the stage complete."""
        if self.progress is not None and self.task is not None:
            done = max(self.done, 1)
            self.progress.update(self.task, total=done, completed=done, count=self._count(), left="")
