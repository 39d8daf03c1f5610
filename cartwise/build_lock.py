"""The build lock of an artefact folder: one process builds a shop's parts at a time."""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from cartwise.settings import Settings

logger = logging.getLogger(__name__)


@contextmanager
def one_build_at_a_time(settings: Settings) -> Iterator[None]:
    """Hold the artefact folder's build lock: two processes starting on a fresh install (two servers, or the test
    suite's background build and a test) would otherwise both ingest into one Chroma and train one model. The
    second waits, then finds the parts built. A folder it may not write (built artefacts served read-only) needs
    no lock: nothing will be built there."""
    try:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        handle = (settings.var_dir / ".build.lock").open("a")
    except OSError:
        yield
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logger.info("another process is building in %s; waiting for it to finish", settings.var_dir)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
