"""``cartwise`` subcommands contributed by the ``retrieval`` package."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this package's subcommands to the ``cartwise`` parser."""
