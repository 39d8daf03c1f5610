"""The YAML dialog format, the reply checks and ``cartwise test`` itself."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.reply import BundleItem, Reply, ShownBundle, ShownProduct
from assistant.testing.runner import (
    DialogFileError,
    DialogRunner,
    Expect,
    check_reply,
    find_dialogs,
    load_dialog,
)
from cartwise.settings import REPO_ROOT

DIALOGS = REPO_ROOT / "tests" / "dialogs"


def write(tmp_path: Path, text: str, name: str = "d.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- loading ---------------------------------------------------------------------------------------


def test_shipped_dialogs_all_load_and_cover_both_shops() -> None:
    files = find_dialogs([DIALOGS])
    assert len(files) >= 25
    dialogs = [load_dialog(f) for f in files]
    shops = {d.shop for d in dialogs}
    assert {"giftshop", "electronics"} <= shops
    assert len({d.name for d in dialogs}) == len(dialogs), "dialog names must be unique (they name JUnit cases)"


def test_unknown_key_names_file_line_and_allowed_keys(tmp_path: Path) -> None:
    path = write(tmp_path, 'name: x\nsteps:\n  - user: "hi"\n    expect:\n      txt_contains: ["a"]\n')
    with pytest.raises(DialogFileError) as info:
        load_dialog(path)
    message = str(info.value)
    assert f"{path}, line 5" in message
    assert "unknown key 'txt_contains'" in message
    assert "allowed keys: intent, text_contains" in message


def test_wrong_type_names_the_line_and_value(tmp_path: Path) -> None:
    path = write(tmp_path, 'name: x\nsteps:\n  - user: "hi"\n    expect:\n      handoff: "yes"\n')
    with pytest.raises(DialogFileError, match=r"line 5: steps\[0\]\.expect\.handoff: .*boolean.*'yes'"):
        load_dialog(path)


def test_missing_steps_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(DialogFileError, match=r"line 1: steps is required"):
        load_dialog(write(tmp_path, "name: only a name\n"))
    with pytest.raises(DialogFileError, match=r"line 4: not valid YAML: .*quoted scalar started on line 3"):
        load_dialog(write(tmp_path, 'name: x\nsteps:\n  - user: "unterminated\n', "b.yaml"))
    with pytest.raises(DialogFileError, match="must be a mapping"):
        load_dialog(write(tmp_path, "- just\n- a list\n", "c.yaml"))
    with pytest.raises(DialogFileError, match="no such file"):
        find_dialogs([tmp_path / "missing"])


def test_numbers_are_read_as_ids_and_as_user_inherits(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "name: x\nas_user: 17850\nsteps:\n  - user: hi\n  - user: bye\n    as_user: null\n"
        "    expect: {slots: {order_id: 536365}, intent: greeting}\n",
    )
    dialog = load_dialog(path)
    assert dialog.customer_for(0) == "17850"
    assert dialog.customer_for(1) is None
    assert dialog.steps[1].expect.slots == {"order_id": "536365"}
    assert dialog.steps[1].expect.intent == ["greeting"]


# --- checks ----------------------------------------------------------------------------------------


def product(pid: str, title: str, price: str) -> ShownProduct:
    return ShownProduct(id=pid, title=title, price=Decimal(price), category="bags")


REPLY = Reply(
    text="Order 536365 was delivered.",
    intent="track_order",
    confidence=0.9,
    products=[product("20725", "Lunch Bag Red Retrospot", "1.65"), product("22382", "Lunch Bag Spaceboy", "1.65")],
    bundle=ShownBundle(
        items=[BundleItem(id="1", title="Tea Towels", price=Decimal("3.25"), quantity=2)],
        total=Decimal("6.50"),
        budget=Decimal("10"),
    ),
    options=["Cheaper", "In blue"],
    slots={"order_id": "536365", "budget_max": "20.00"},
)


def failed(expect: dict[str, object], reply: Reply = REPLY, previous: Reply | None = None) -> list[str]:
    return [c.check for c in check_reply(Expect.model_validate(expect), reply, previous) if not c.passed]


def test_checks_pass_when_met() -> None:
    expect = {
        "intent": ["track_order", "check_invoice"],
        "text_contains": ["536365", "DELIVERED"],
        "text_not_contains": ["sign in"],
        "products_include": ["20725", "spaceboy"],
        "products_exclude": ["doormat"],
        "products_first": "20725",
        "products_all_contain": ["lunch bag"],
        "products_price_max": 2,
        "bundle": True,
        "bundle_include": ["tea towel"],
        "bundle_total_max": 6.5,
        "bundle_within_budget": True,
        "handoff": False,
        "slots": {"order_id": 536365, "budget_max": 20},
        "options_include": ["cheaper"],
    }
    assert failed(expect) == []


@pytest.mark.parametrize(
    ("expect", "check"),
    [
        ({"intent": "search_product"}, "intent"),
        ({"text_contains": ["refunded"]}, "text_contains"),
        ({"text_not_contains": ["delivered"]}, "text_not_contains"),
        ({"products_include": ["doormat"]}, "products_include"),
        ({"products_exclude": ["20725"]}, "products_exclude"),
        ({"products_first": "spaceboy"}, "products_first"),  # it is shown, but not first
        ({"products_price_max": 1}, "products_price_max"),
        ({"bundle_total_max": 5}, "bundle_total_max"),
        ({"handoff": True}, "handoff"),
        ({"slots": {"order_id": "536366"}}, "slots"),
        ({"slots": {"colour": "blue"}}, "slots"),
        ({"options_include": ["human"]}, "options_include"),
        ({"products_min": 3}, "products_min"),
        ({"bundle": False}, "bundle"),
    ],
)
def test_each_check_can_fail(expect: dict[str, object], check: str) -> None:
    assert failed(expect) == [check]


def test_checks_against_the_previous_reply() -> None:
    before = REPLY.model_copy(update={"products": [product("a", "A", "5"), product("b", "B", "9")]})
    cheaper = REPLY.model_copy(update={"products": [product("c", "C", "2")]})
    assert failed({"products_cheaper_than_before": True}, cheaper, before) == []
    assert failed({"products_cheaper_than_before": True}, before, cheaper) == ["products_cheaper_than_before"]
    second = REPLY.model_copy(update={"products": [product("b", "B", "9")]})
    assert failed({"products_first_is_previous": 2}, second, before) == []
    assert failed({"products_first_is_previous": 1}, second, before) == ["products_first_is_previous"]
    assert failed({"products_first_is_previous": 2}, second, None) == ["products_first_is_previous"]
    cheapest = REPLY.model_copy(update={"products": [product("a", "A", "5"), product("b", "B", "9")]})
    assert failed({"products_first_is_cheapest_of_previous": True}, cheapest, before) == []
    assert failed({"products_first_is_cheapest_of_previous": True}, second, before) == [
        "products_first_is_cheapest_of_previous"]
    assert failed({"products_first_is_cheapest_of_previous": True}, cheapest, None) == [
        "products_first_is_cheapest_of_previous"]
    assert failed({"products_new": True}, cheaper, before) == []
    assert failed({"products_new": True}, second, before) == ["products_new"]
    assert failed({"products_new": False}, second, before) == []


def test_failure_says_expected_and_got() -> None:
    (result,) = check_reply(Expect(intent=["search_product"]), REPLY)
    assert (result.expected, result.got) == ("search_product", "track_order (0.90)")


# --- the runner with the real assistant -----------------------------------------------------------


@pytest.mark.slow
def test_cartwise_test_command_reports_failures_and_writes_junit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app import cli as main

    good = DIALOGS / "giftshop_handoff.yaml"
    bad = write(
        tmp_path,
        "name: deliberately wrong\nshop: giftshop\nsteps:\n  - user: hello\n    expect: {handoff: true, "
        "intent: track_order}\n",
        "wrong.yaml",
    )
    junit = tmp_path / "out" / "dialogs.xml"
    code = main(["test", str(good), str(bad), "--junit", str(junit)])
    out = capsys.readouterr().out
    assert code == 1
    assert "ok   asks for a human" in out
    assert "FAIL deliberately wrong" in out and "expected: True" in out and "got:      False" in out
    suite = ET.parse(junit).getroot()
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    failure = suite.find("testcase[@name='deliberately wrong']/failure")
    assert failure is not None and "handoff" in (failure.text or "")

    assert main(["test", str(good)]) == 0


def test_runner_records_a_crash_as_a_failed_step(tmp_path: Path) -> None:
    class Broken:
        """A real (if tiny) Responder: the runner must survive an assistant that raises."""

        def __init__(self) -> None:
            self.deleted: list[str] = []

        def respond(self, message: str, session_id: str, user_id: str | None = None) -> Reply:
            raise RuntimeError("model not loaded")

        def delete_history(self, session_id: str) -> None:
            self.deleted.append(session_id)

    bot = Broken()
    dialog = load_dialog(write(tmp_path, "name: x\nsteps:\n  - user: hi\n  - user: again\n"))
    result = DialogRunner(lambda _shop: bot, "giftshop").run(dialog)
    assert not result.passed
    assert [s.error for s in result.steps] == ["RuntimeError: model not loaded"]
    assert bot.deleted and bot.deleted[0].startswith("dialogtest-")
