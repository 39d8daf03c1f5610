"""How many CPU cores the machine leaves this process right now (the build and training size torch's threads by it).

The 1-minute load average lags: it still counts a ``pip install`` that ended seconds ago and this process's
own previous build step, so on an idle 2-core box the build gave itself one thread (ingest 241 products/s
instead of 343/s with two, docs/benchmarks/install.md). Sampling ``/proc/stat`` for a moment and taking this
process's own CPU time out of it says what the *other* processes use now.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PROC_STAT = Path("/proc/stat")


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores together."""
    values = [int(v) for v in PROC_STAT.read_text().split("\n", 1)[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values) - idle) / tick, sum(values) / tick


def cores_left(cores: int, machine_busy_s: float, own_busy_s: float, machine_total_s: float) -> int:
    """Cores not used by other processes over a sample: ``machine_busy_s`` of ``machine_total_s`` CPU seconds
    (all cores) were busy, ``own_busy_s`` of them this process's. At least 1, at most ``cores``."""
    if machine_total_s <= 0:
        return cores
    others = max(0.0, machine_busy_s - own_busy_s) / machine_total_s * cores
    return max(1, min(cores, cores - int(others + 0.5)))


def free_cores(sample_s: float = 0.5) -> int:
    """CPU cores not busy with other processes' work, sampled over ``sample_s`` seconds (at least 1).

    Where ``/proc/stat`` is missing (not Linux), falls back to the CPU count minus the 1-minute load average.
    """
    cores = os.cpu_count() or 1
    try:
        busy_before, total_before = machine_cpu_seconds()
    except (OSError, ValueError, IndexError):
        try:
            busy = int(os.getloadavg()[0] + 0.5)
        except OSError:  # not available on this platform
            busy = 0
        return max(1, min(cores, cores - busy))
    own_before = time.process_time()
    time.sleep(sample_s)
    busy_after, total_after = machine_cpu_seconds()
    return cores_left(cores, busy_after - busy_before, time.process_time() - own_before, total_after - total_before)


class CoreWatch:
    """Free cores over the time since the last reading, without sleeping: for long work that resizes its thread
    pool as other processes come and go (a fine-tune started beside a busy test suite gets the second core once
    the suite's other work is done).

    Example:
        >>> watch = CoreWatch()  # doctest: +SKIP
        >>> ...  # minutes of work
        >>> watch.free()  # cores the other processes left free since the line above
    """

    def __init__(self) -> None:
        self._cores = os.cpu_count() or 1
        self._last = self._read()

    @staticmethod
    def _read() -> tuple[float, float, float] | None:
        try:
            busy, total = machine_cpu_seconds()
        except (OSError, ValueError, IndexError):  # no /proc/stat: nothing to follow
            return None
        return busy, total, time.process_time()

    def free(self) -> int | None:
        """Cores other processes left free since the last call (or since the watch was made); None where the
        machine's CPU time cannot be read."""
        now, last = self._read(), self._last
        self._last = now
        if now is None or last is None:
            return None
        return cores_left(self._cores, now[0] - last[0], now[2] - last[2], now[1] - last[1])
