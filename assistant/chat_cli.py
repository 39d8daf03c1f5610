"""``cartwise chat``: talk to the assistant in the terminal (same interface as the UI)."""

from __future__ import annotations

import argparse
import uuid

from cartwise.settings import Settings


def _format(reply) -> str:  # type: ignore[no-untyped-def]
    lines = [reply.text]
    if reply.options:
        lines.append("  options: " + " | ".join(reply.options))
    lines.append(f"  [{reply.intent} {reply.confidence:.2f}{' handoff' if reply.handoff else ''}]")
    return "\n".join(lines)


def run_chat(args: argparse.Namespace, settings: Settings) -> int:
    bot = args.build_assistant(settings)
    session = args.session or f"cli-{uuid.uuid4().hex[:8]}"
    who = f"customer {args.user}" if args.user else "a guest"
    print(f"Cartwise ({settings.shop}) — chatting as {who}, session {session}. Empty line or Ctrl-D quits.")
    while True:
        try:
            message = input("you> ")
        except EOFError:
            break
        if not message.strip():
            break
        print("bot> " + _format(bot.respond(message, session_id=session, user_id=args.user)))
    return 0


def register_chat(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("chat", help="chat with the assistant in the terminal")
    p.add_argument("--user", help="sign in as this customer id (giftshop CustomerID)")
    p.add_argument("--session", help="continue this session id")
    p.set_defaults(func=run_chat)
