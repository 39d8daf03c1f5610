"""Hostile dialog files for ``cartwise test``: a clear error naming the file, a non-zero exit, never a traceback;
and valid dialogs with hostile messages play to the end without the assistant raising."""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hostile_inputs import INJECTIONS, reply_problems

from app import cli as cartwise_main
from app import cli_command
from assistant.testing.runner import DialogRunner
from assistant.testing.spec import Dialog, Step
from cartwise.settings import REPO_ROOT

BOMB = "name: bomb\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefg", "bcdefgh", strict=True)
) + "steps: [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n"

MALFORMED: dict[str, bytes] = {
    "empty.yaml": b"",
    "only_comment.yaml": b"# nothing here\n",
    "not_yaml.yaml": b"name: x\nsteps:\n  - user: [unclosed\n",
    "tabs.yaml": b"name: x\nsteps:\n\t- user: hi\n",
    "top_level_list.yaml": b"- user: hi\n",
    "top_level_string.yaml": b"just a string\n",
    "no_steps.yaml": b"name: x\n",
    "empty_steps.yaml": b"name: x\nsteps: []\n",
    "steps_string.yaml": b"name: x\nsteps: hello\n",
    "unknown_key.yaml": b"name: x\nsteps:\n  - user: hi\n    expct: {intent: greeting}\n",
    "bad_expect_types.yaml": b"name: x\nsteps:\n  - user: hi\n    expect: {products_min: lots, confidence_min: 7}\n",
    "empty_user.yaml": b"name: x\nsteps:\n  - user: ''\n",
    "invalid_utf8.yaml": b"name: x\nsteps:\n  - user: \"\xff\xfe\xc0 hi\"\n",
    "nul_bytes.yaml": b"name: x\x00\nsteps:\n  - user: hi\n",
    "python_tag.yaml": b'name: !!python/object/apply:os.system ["echo pwned"]\nsteps: [{user: hi}]\n',
    "deep_nesting.yaml": b"name: deep\nsteps: " + b"[" * 5000 + b"]" * 5000 + b"\n",
    "alias_bomb.yaml": BOMB.encode(),
    "huge_key.yaml": b"name: x\n" + b"k" * 200_000 + b": 1\nsteps: [{user: hi}]\n",
    "binary.yaml": bytes(range(256)) * 4,
    "lone_surrogate.yaml": b'name: x\nsteps:\n  - user: "\\ud800 hi"\n',
    "utf16.yaml": "name: x\nsteps:\n  - user: hi\n".encode("utf-16"),
}


@pytest.fixture
def restore_logging() -> Any:
    # cartwise's main() installs log redaction for the process; give the rest of the test session its factory back.
    factory = logging.getLogRecordFactory()
    yield
    logging.setLogRecordFactory(factory)


@pytest.mark.usefixtures("restore_logging")
def test_each_malformed_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], tally: Any) -> None:
    failures = []
    for name, content in MALFORMED.items():
        path = tmp_path / name
        path.write_bytes(content)
        code = cartwise_main(["test", str(path)])
        out = capsys.readouterr()
        text = out.out + out.err
        if code == 0 or "ERROR" not in text or name not in text or "Traceback" in text:
            failures.append(f"{name}: exit {code}, output {text[-300:]!r}")
    tally.add("cartwise test/malformed files", len(MALFORMED), len(MALFORMED) - len(failures))
    assert not failures, "\n".join(failures)


def test_cli_subprocess_on_a_folder_of_bad_files(tmp_path: Path, tally: Any) -> None:
    for name, content in MALFORMED.items():
        (tmp_path / name).write_bytes(content)
    missing = tmp_path / "no_such_dir"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    run = subprocess.run([*cli_command(), "test", str(tmp_path)], capture_output=True,
                         text=True, timeout=300, env=env, cwd=REPO_ROOT)
    gone = subprocess.run([*cli_command(), "test", str(missing)], capture_output=True,
                          text=True, timeout=300, env=env, cwd=REPO_ROOT)
    output = run.stdout + run.stderr
    tally.add("cartwise test/subprocess", 2, int(run.returncode != 0) + int(gone.returncode != 0))
    assert run.returncode != 0 and "Traceback" not in output, output[-2000:]
    assert "0 dialogs run" in output and f"{len(MALFORMED)} unreadable" in output, output[-2000:]
    for name in MALFORMED:
        assert name in output
    assert gone.returncode == 2 and "no such file or directory" in gone.stderr and "Traceback" not in gone.stderr


def test_valid_dialogs_with_hostile_messages_play_through(giftshop_bot: Any, tally: Any) -> None:
    messages = ["x" * 1_000_000, "🎁" * 500, "\u202e\u0000\u200b mugs", "<script>alert(1)</script> mugs",
                "'; DROP TABLE orders; --", "the 999999th one", "bundle of 0 items", *INJECTIONS[:6]]
    dialog = Dialog(name="hostile", shop="giftshop", steps=[Step(user=m) for m in messages])
    result = DialogRunner(lambda shop: giftshop_bot, default_shop="giftshop").run(dialog, Path("hostile.yaml"))
    failures = [f"step {s.index}: {s.error}" for s in result.steps if s.error]
    failures += [f"step {s.index}: {reply_problems(s.reply, None, s.user)}" for s in result.steps
                 if s.reply is not None and reply_problems(s.reply, None, s.user)]
    tally.add("cartwise test/hostile steps", len(messages), len(messages) - len(failures))
    assert len(result.steps) == len(messages)
    assert not failures, failures
