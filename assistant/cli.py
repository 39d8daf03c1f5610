"""``cartwise`` subcommands contributed by the ``assistant`` package."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this package's subcommands to the ``cartwise`` parser."""
    from assistant.chat_cli import register_chat
    from assistant.testing.cli import register_test
    from assistant.understanding.calibration_cli import register_calibrate

    register_chat(sub)
    register_test(sub)
    register_calibrate(sub)
