"""Start Cartwise.

- ``python app.py [--host H] [--port P] [--shop S] [--workers N]`` (= ``cartwise serve``): build whatever is
  missing on first start (shop database, search index, intent model), then serve the Gradio UI at ``/``, the
  widget at ``/widget.js`` and the JSON API under ``/api/``.
- ``cartwise COMMAND`` (:func:`cli`): every command line tool; each package contributes its own subcommands
  through a ``register(subparsers)`` function in its ``cli`` module, and this module only assembles them.

What a command needs built (an assistant, a bundle builder, a server) it receives from :mod:`composition`
through the parsed arguments (``args.build_assistant(settings)``...), so no package builds its own parts.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cartwise.settings import Settings


def main(argv: Sequence[str] | None = None) -> int:
    """Parse flags, build what is missing, and serve until interrupted."""
    parser = argparse.ArgumentParser(description="Serve the Cartwise shopping assistant.")
    parser.add_argument("--host", help="interface to listen on (default 127.0.0.1 / CARTWISE_HOST)")
    parser.add_argument("--port", type=int, help="port (default 7860 / CARTWISE_PORT)")
    parser.add_argument("--shop", help="giftshop, electronics or a custom shop (default CARTWISE_SHOP)")
    parser.add_argument("--workers", type=int, help="app processes (default 1 / CARTWISE_WORKERS); several need "
                        "PostgreSQL, a Chroma server and Redis: see docs/deploy.md")
    parser.add_argument("--no-build", action="store_true", help="do not build missing artefacts first")
    args = parser.parse_args(argv)
    from cartwise.console import log_to_file
    from cartwise.settings import Settings

    overrides = {k: v for k, v in {"host": args.host, "port": args.port, "shop": args.shop,
                                   "workers": args.workers}.items() if v is not None}
    settings = Settings(**overrides)
    # Library warnings and model-loading reports go to the log file; the console shows the build display.
    log_file = log_to_file(settings)
    from assistant.logging_redaction import install_log_redaction

    install_log_redaction()  # shoppers' e-mails, phones, cards and addresses never reach the logs
    print(f"Cartwise ({settings.shop}): starting; details in {log_file}", flush=True)

    from composition import serve_command

    return serve_command(settings, build=not args.no_build)


# The parts a command may ask for, built by the composition root on first use (importing it loads the models'
# libraries, which ``cartwise --help`` or ``cartwise build-shop`` should not wait for).
def _build_assistant(settings: Settings, build: bool = True) -> Any:
    from composition import build_assistant

    return build_assistant(settings, build=build)


def _build_bundle_builder(settings: Settings) -> Any:
    from composition import bundle_builder_for

    return bundle_builder_for(settings)


def _out_of_scope_messages(settings: Settings) -> Any:
    from finetune.sources import clinc_out_of_scope

    return clinc_out_of_scope(settings.data_dir / "intents" / "clinc150")


def _serve(settings: Settings, build: bool) -> int:
    from composition import serve_command

    return serve_command(settings, build)


def build_parser() -> argparse.ArgumentParser:
    """The ``cartwise`` parser with every package's subcommands."""
    from assistant import cli as assistant_cli
    from cartwise import shop_cli
    from finetune import cli as finetune_cli
    from retrieval import cli as retrieval_cli
    from web import cli as web_cli

    parser = argparse.ArgumentParser(prog="cartwise", description="Cartwise conversational shopping assistant.")
    parser.add_argument("--shop", help="shop to use (default: CARTWISE_SHOP or giftshop)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.set_defaults(build_assistant=_build_assistant, build_bundle_builder=_build_bundle_builder, serve=_serve,
                        out_of_scope_messages=_out_of_scope_messages)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (shop_cli, retrieval_cli, finetune_cli, assistant_cli, web_cli):
        module.register(sub)
    return parser


def cli_command(*args: str) -> list[str]:
    """``cartwise ARGS`` run by this interpreter (a subprocess sees the same environment and installed code)."""
    return [sys.executable, "-c", "import sys, app; sys.exit(app.cli())", *args]


def cli(argv: Sequence[str] | None = None) -> int:
    """The ``cartwise`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from assistant.logging_redaction import install_log_redaction
    from cartwise.settings import Settings

    install_log_redaction()  # personal data typed into chats never reaches the logs
    overrides = {"shop": args.shop} if args.shop else {}
    settings = Settings(**overrides)
    result: int = args.func(args, settings)
    return result


if __name__ == "__main__":
    sys.exit(main())
