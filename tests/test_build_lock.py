"""One build at a time per artefact folder: a second process starting on a fresh install waits for the first."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from cartwise.settings import REPO_ROOT, Settings

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them

# Tries the build lock of a var folder and holds it until a release file exists, saying when it tried, got it and
# let go.
_HOLDER = """
import sys, time
from pathlib import Path
from cartwise.settings import Settings
from cartwise.build_lock import one_build_at_a_time
print("trying", time.time(), flush=True)
with one_build_at_a_time(Settings(var_dir=sys.argv[1])):
    print("in", time.time(), flush=True)
    while not Path(sys.argv[2]).exists():
        time.sleep(0.05)
    print("out", time.time(), flush=True)
"""


def _start(var: Path, release: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", _HOLDER, str(var), str(release)], cwd=REPO_ROOT,
                            stdout=subprocess.PIPE, text=True)


def _line(process: subprocess.Popen[str], word: str) -> float:
    assert process.stdout is not None
    line = process.stdout.readline().split()
    assert line and line[0] == word, line
    return float(line[1])


def _rest(process: subprocess.Popen[str]) -> dict[str, float]:
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0, out
    return {line.split()[0]: float(line.split()[1]) for line in out.splitlines()}


def test_a_second_build_waits_for_the_first_to_finish(tmp_path: Path) -> None:
    release = tmp_path / "release"
    first = _start(tmp_path / "var", release)
    _line(first, "trying"), _line(first, "in")
    second = _start(tmp_path / "var", release)
    _line(second, "trying")
    time.sleep(1.0)  # time for the second to reach the lock, and get in if nothing kept it out
    release.touch()
    held, waited = _rest(first), _rest(second)
    assert waited["in"] >= held["out"]


def test_builds_in_two_folders_do_not_wait_for_each_other(tmp_path: Path) -> None:
    first = _start(tmp_path / "a", tmp_path / "release a")
    _line(first, "trying"), _line(first, "in")
    (tmp_path / "release b").touch()
    other = _rest(_start(tmp_path / "b", tmp_path / "release b"))  # would time out waiting for the first
    (tmp_path / "release a").touch()
    assert other["in"] < _rest(first)["out"]


def test_a_folder_it_cannot_write_is_served_without_a_lock(tmp_path: Path) -> None:
    (tmp_path / "release").touch()
    (tmp_path / "a file").touch()  # no folder can be made under a file, whoever runs the test
    assert "in" in _rest(_start(tmp_path / "a file" / "var", tmp_path / "release"))


def test_a_fine_tuning_build_waits_for_the_trainer_and_takes_its_model(tmp_path: Path) -> None:
    """A build in "fine-tuned" mode started while another process trains the intent model (a serving process's
    background child, or the suite's fine-tune started ahead of the shops) waits for that model instead of
    training a second copy into the same folder."""
    import threading

    from cartwise.console import BuildDisplay
    from composition import _ensure_intent_model
    from finetune.background import training_lock
    from finetune.metadata import METADATA_FILE

    settings = Settings(var_dir=tmp_path / "var", intent_serving="fine-tuned")
    model = settings.intent_model_path
    with training_lock(model):  # "another process" is training
        build = threading.Thread(target=_ensure_intent_model, daemon=True,
                                 args=(settings, None, BuildDisplay(enabled=False)))
        build.start()
        time.sleep(1.0)
        assert build.is_alive()  # waiting for the trainer
        model.mkdir(parents=True)  # what the trainer leaves when it is done
        (model / "config.json").write_text("{}")
        (model / METADATA_FILE).write_text("{}")
    build.join(timeout=20)  # had it trained a model of its own, it would still be at it
    assert not build.is_alive()
    assert sorted(p.name for p in model.iterdir()) == sorted(["config.json", METADATA_FILE])
