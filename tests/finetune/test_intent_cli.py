"""The finetune subcommands and the shared ``eval`` registry."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from cartwise.settings import Settings
from finetune import cli

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them


def _parser() -> tuple[argparse.ArgumentParser, argparse._SubParsersAction]:  # type: ignore[type-arg]
    parser = argparse.ArgumentParser(prog="cartwise")
    sub = parser.add_subparsers(dest="command", required=True)
    cli.register(sub)
    return parser, sub


def test_train_intent_arguments() -> None:
    parser, _ = _parser()
    args = parser.parse_args(["train-intent", "--data", "shop.csv", "--epochs", "2", "--max-per-intent", "50"])
    assert args.func is cli._run_train
    assert (str(args.data), args.epochs, args.max_per_intent) == ("shop.csv", 2, 50)


def test_eval_intent_and_other_targets() -> None:
    parser, sub = _parser()
    args = parser.parse_args(["eval", "intent", "--clinc"])
    assert (args.command, args.eval_target, args.clinc) == ("eval", "intent", True)
    # another package adds its own target through the documented registry
    recommend = sub.choices["eval"]._cartwise_targets.add_parser("recommend")
    recommend.set_defaults(func=lambda a, s: 0)
    assert parser.parse_args(["eval", "recommend"]).eval_target == "recommend"
    assert cli.eval_targets(sub) is sub.choices["eval"]._cartwise_targets


def test_full_cartwise_parser_has_the_commands() -> None:
    from app import build_parser

    parser = build_parser()
    assert parser.parse_args(["eval", "intent"]).eval_target == "intent"
    assert parser.parse_args(["train-intent"]).command == "train-intent"


def test_bad_shop_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "shop.csv"
    bad.write_text("text,label\nwhere is my parcel,track_order\nhello,\n", encoding="utf-8")
    parser, _ = _parser()
    args = parser.parse_args(["train-intent", "--data", str(bad), "--out", str(tmp_path / "model")])
    assert args.func(args, Settings()) == 2
    assert "shop.csv:3: empty or missing label" in capsys.readouterr().err
    assert not (tmp_path / "model").exists()
