"""Fine-tune the intent model in a child process and swap it into serving when it is saved.

The child (``python -m finetune.background``) runs :func:`finetune.train.ensure_intent_model`
at a lower CPU priority (``CARTWISE_INTENT_TRAIN_NICE``, default 10) on **one** torch thread:
serving also runs torch on one thread (``CARTWISE_TORCH_THREADS``), so on a 2-core machine each gets
a core and a shopper's turn does not wait behind a training step. Its output (Hugging Face loading
reports, warnings, the Trainer's epoch logs) goes to ``var/logs/intent-train.log``, never to the
shopper-facing console.

Only one child trains a model directory at a time: it holds an exclusive ``flock`` on
``<model dir>.lock``. Another serving process that finds the lock taken starts no child and only
watches for the model; a child that finds it taken (two serving processes starting at the same moment)
waits for it, then finds the model trained and exits. The watcher thread in the serving process polls
for the saved model, loads it and calls :meth:`~finetune.serving.SwappingIntentModel.swap`.
"""

from __future__ import annotations

import argparse
import atexit
import fcntl
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

from finetune.metadata import fine_tuned_ready
from finetune.train import TrainConfig
from finetune.types import FINE_TUNED

if TYPE_CHECKING:
    from cartwise.settings import Settings
    from finetune.serving import SwappingIntentModel

logger = logging.getLogger(__name__)

LOG_FILE = "intent-train.log"
NICE = 10


class BackgroundFineTune:
    """Runs one background fine-tune for a :class:`~finetune.serving.SwappingIntentModel`.

    Args:
        settings: Model paths, data directory and log directory.
        target: Receives the fine-tuned model when it is saved.
        config: Training hyperparameters (``num_threads`` is forced to 1, progress bars off).
        poll_s: Seconds between checks for the saved model.
    """

    def __init__(
        self, settings: Settings, target: SwappingIntentModel, config: TrainConfig | None = None, poll_s: float = 2.0
    ) -> None:
        self.settings = settings
        self.target = target
        self.config = config
        self.poll_s = poll_s
        self.process: subprocess.Popen[bytes] | None = None
        self.failed = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def log_path(self) -> Path:
        """The child's log file."""
        return self.settings.log_dir / LOG_FILE

    def start(self) -> BackgroundFineTune:
        """Start the child process (unless another process already trains) and the watcher; returns ``self``."""
        self._thread = threading.Thread(target=self._watch, name="intent-fine-tune-watcher", daemon=True)
        if not _lock_is_free(lock_path(self.settings.intent_model_path)):
            logger.info("another process is fine-tuning %s; waiting for its model", self.settings.intent_model_path)
            self._thread.start()
            return self
        config = (self.config or TrainConfig()).model_copy(update={"num_threads": 1, "show_progress": False})
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "finetune.background",
            "--model-dir", str(self.settings.intent_model_path),
            "--data-dir", str(self.settings.data_dir),
            "--base-model", str(self.settings.intent_base_model_path),
            "--config", config.model_dump_json(),
            "--nice", str(self.settings.intent_train_nice),
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        logger.info("fine-tuning the intent model in the background (pid %d, log %s)", self.process.pid, self.log_path)
        atexit.register(self.stop)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop watching and end the child if it still runs (serving is shutting down)."""
        self._stop.set()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the watcher thread to finish (the model swapped in, failed or stopped)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _watch(self) -> None:
        from finetune.classifier import IntentClassifier

        path = self.settings.intent_model_path
        while not self._stop.is_set():
            if fine_tuned_ready(path):
                try:
                    model = IntentClassifier.from_settings(self.settings)
                except Exception:  # a model replaced while loading, a broken file: keep serving the head
                    logger.exception("could not load the fine-tuned intent model at %s; retrying", path)
                else:
                    self.target.swap(model, FINE_TUNED)
                    return
            process = self.process
            if process is not None and process.poll() not in (None, 0):
                self.failed = True
                self.target.detail = f"background fine-tune failed (exit {process.returncode}); see {self.log_path}"
                logger.error("the background intent fine-tune failed (exit %d); see %s",
                             process.returncode, self.log_path)
                return
            self._stop.wait(self.poll_s)


def lock_path(model_dir: Path) -> Path:
    """The lock file a training child holds for ``model_dir``."""
    return model_dir.with_name(f"{model_dir.name}.lock")


def _lock_is_free(path: Path) -> bool:
    handle = _try_lock(path)
    if handle is None:
        return False
    handle.close()  # closing the file releases the lock
    return True


def _wait_for_lock(path: Path) -> IO[str]:
    handle = path.open("w")
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


@contextmanager
def training_lock(model_dir: Path) -> Iterator[None]:
    """Hold the lock that lets one process at a time train ``model_dir``, waiting while another holds it.

    Whoever trains the model takes it (the background child, and a build that fine-tunes in the foreground), so a
    build started beside a training child waits for that child's model instead of training a second copy into the
    same directory."""
    lock = _try_lock(lock_path(model_dir))
    if lock is None:
        # Wait rather than give up: the holder may be a serving process only probing the lock.
        logger.info("another process is training %s; waiting for it", model_dir)
        lock = _wait_for_lock(lock_path(model_dir))
    try:
        yield
    finally:
        lock.close()  # closing the file releases the lock


def _try_lock(path: Path) -> IO[str] | None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def main(argv: Sequence[str] | None = None) -> int:
    """The child process: fine-tune the intent model unless it exists or another process trains it."""
    parser = argparse.ArgumentParser(description="Fine-tune the intent model (started by serving; see module doc).")
    parser.add_argument("--model-dir", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--base-model", required=True)
    parser.add_argument("--config", required=True, help="TrainConfig as JSON")
    parser.add_argument("--nice", type=int, default=NICE, help="CPU priority increment (default %(default)s)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.captureWarnings(True)
    os.nice(args.nice)
    with training_lock(args.model_dir):
        from cartwise.settings import Settings
        from finetune.train import ensure_intent_model

        if fine_tuned_ready(args.model_dir):
            logger.info("%s is trained; nothing to do", args.model_dir)
            return 0
        settings = Settings(data_dir=args.data_dir, intent_model_dir=args.model_dir, intent_base_model=args.base_model)
        started = time.perf_counter()
        ensure_intent_model(settings, TrainConfig.model_validate_json(args.config))
        logger.info("background fine-tune done in %.0f s", time.perf_counter() - started)
        return 0


if __name__ == "__main__":
    sys.exit(main())
