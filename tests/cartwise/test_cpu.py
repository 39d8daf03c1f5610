"""Free cores: other processes' CPU counts against the build's threads, this process's own does not."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from cartwise.cpu import cores_left, free_cores


@pytest.mark.parametrize(
    ("cores", "machine_busy", "own_busy", "total", "expected"),
    [
        (2, 0.1, 0.0, 2.0, 2),  # idle machine
        (2, 1.0, 1.0, 2.0, 2),  # one core busy, all of it this process (the previous build step): still 2
        (2, 1.0, 0.0, 2.0, 1),  # one core busy with someone else's job
        (2, 2.0, 0.0, 2.0, 1),  # everything busy: never fewer than one
        (8, 6.0, 2.0, 16.0, 6),  # 8 cores over 2 s: others used 4 core-seconds = 2 cores
        (4, 0.0, 0.0, 0.0, 4),  # a sample too short to tell
    ],
)
def test_cores_left_counts_only_other_processes(
    cores: int, machine_busy: float, own_busy: float, total: float, expected: int
) -> None:
    assert cores_left(cores, machine_busy, own_busy, total) == expected


@pytest.mark.skipif((os.cpu_count() or 1) < 2 or not os.path.exists("/proc/stat"), reason="needs 2 cores and /proc")
def test_a_busy_process_elsewhere_takes_a_core() -> None:
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)  # let it get scheduled
        assert free_cores(sample_s=1.0) <= (os.cpu_count() or 1) - 1
    finally:
        burner.kill()
        burner.wait()


@pytest.mark.skipif((os.cpu_count() or 1) < 2 or not os.path.exists("/proc/stat"), reason="needs 2 cores and /proc")
def test_a_fine_tune_gives_up_a_core_a_busy_process_takes() -> None:
    """The threads of a fine-tune with no fixed count follow the free cores while it trains (here: down, when
    another process burns a core; up again works the same way once it stops)."""
    import torch

    from finetune.train import _following_free_cores

    before = torch.get_num_threads()
    torch.set_num_threads(os.cpu_count() or 2)
    follower = _following_free_cores(every_s=0.0)
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(1.5)  # the burner's CPU time piles up since the watch's first reading
        follower.on_step_end(None, None, None)
        assert torch.get_num_threads() <= (os.cpu_count() or 2) - 1
    finally:
        burner.kill()
        burner.wait()
        torch.set_num_threads(before)

