"""Build the demo shops the suite's assistants serve: ``python scripts/build_demo_shops.py giftshop electronics``.

Started by ``tests/conftest.py`` in a process of its own while the ``no_shop`` tests run. The fine-tuned intent
model is the longest part (minutes of CPU, one model for every shop), so it starts first, in a child of its own,
and the shops' data (orders, product indexes, policies) is built beside it; each shop's build waits for that
model at its intent stage (``finetune.background.training_lock``) instead of training a second copy.
"""

from __future__ import annotations

import signal
import subprocess
import sys

from cartwise.settings import Settings
from composition import ensure_built
from finetune.metadata import fine_tuned_ready
from finetune.train import TrainConfig


def start_fine_tune(settings: Settings) -> subprocess.Popen[bytes] | None:
    """The intent model's fine-tune in a child process, unless the model is trained or served another way."""
    if settings.intent_serving != "fine-tuned" or fine_tuned_ready(settings.intent_model_path):
        return None
    # Its torch threads follow the free cores (finetune/train.py): the shops' build and the no_shop tests share
    # the machine with it at first, then leave it alone.
    config = TrainConfig(show_progress=False)
    return subprocess.Popen([
        sys.executable, "-m", "finetune.background",
        "--model-dir", str(settings.intent_model_path),
        "--data-dir", str(settings.data_dir),
        "--base-model", str(settings.intent_base_model_path),
        "--config", config.model_dump_json(),
        "--nice", "0",
    ])  # fmt: skip


def main(shops: list[str]) -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a stopped run stops the fine-tune too (below)
    fine_tune = start_fine_tune(Settings())
    try:
        for shop in shops:
            ensure_built(Settings(shop=shop))
    except BaseException:
        if fine_tune is not None:
            fine_tune.terminate()
            fine_tune.wait()
        raise
    if fine_tune is not None and fine_tune.wait() != 0:  # the shops' build then trained the model itself
        print(f"note: the intent model's fine-tune child failed (exit {fine_tune.returncode})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
