"""``cartwise serve``: the web app from one process or several (see :mod:`web.serve`)."""

from __future__ import annotations

import argparse

from cartwise.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``serve`` to the ``cartwise`` parser."""
    serve = sub.add_parser("serve", help="serve the UI, widget and JSON API (--workers N: N processes)")
    serve.add_argument("--host", help="interface to listen on (default CARTWISE_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default CARTWISE_PORT, 7860)")
    serve.add_argument("--workers", type=int, help="app processes (default CARTWISE_WORKERS, 1); more than one "
                       "needs CARTWISE_DATABASE_URL (PostgreSQL), CARTWISE_CHROMA_URL and CARTWISE_REDIS_URL")
    serve.add_argument("--no-build", action="store_true", help="do not build missing artefacts first")
    serve.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until interrupted; exit 2 with the reason when the layout is unsafe or Redis does not answer."""
    overrides = {k: v for k, v in {"host": args.host, "port": args.port, "workers": args.workers}.items()
                 if v is not None}
    result: int = args.serve(settings.model_copy(update=overrides), not args.no_build)
    return result
