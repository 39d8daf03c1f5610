"""Start Cartwise: ``python app.py [--host H] [--port P] [--shop S] [--workers N]`` (= ``cartwise serve``).

Builds whatever is missing on first start (shop database, search index, intent model), then serves the
Gradio UI at ``/``, the widget at ``/widget.js`` and the JSON API under ``/api/`` from one process.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


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

    from web.serve import serve_command

    return serve_command(settings, build=not args.no_build)


if __name__ == "__main__":
    sys.exit(main())
