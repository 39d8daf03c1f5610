"""The ``cartwise`` command line.

Each package contributes its own subcommands through a ``register(subparsers)``
function in its ``cli`` module, so this file only assembles them.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from cartwise.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    from assistant import cli as assistant_cli
    from cartwise import shop_cli
    from finetune import cli as finetune_cli
    from retrieval import cli as retrieval_cli
    from web import cli as web_cli

    parser = argparse.ArgumentParser(prog="cartwise", description="Cartwise conversational shopping assistant.")
    parser.add_argument("--shop", help="shop to use (default: CARTWISE_SHOP or giftshop)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (shop_cli, retrieval_cli, finetune_cli, assistant_cli, web_cli):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from assistant.logging_redaction import install_log_redaction

    install_log_redaction()  # personal data typed into chats never reaches the logs
    overrides = {"shop": args.shop} if args.shop else {}
    settings = Settings(**overrides)
    result: int = args.func(args, settings)
    return result


if __name__ == "__main__":
    sys.exit(main())
