"""The UI and the widget in a real (headless) Chromium, against the real app and assistant.

Screenshots go to ``artifacts/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cartwise.settings import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = REPO_ROOT / "artifacts" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1360, "height": 960})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def send(page: Any, text: str) -> None:
    box = page.locator("#cw-input textarea")
    box.fill(text)
    box.press("Enter")


def bot_messages(page: Any) -> Any:
    return page.locator("#cw-chat [data-testid='bot']")


def wait_for_answer(page: Any, count: int) -> str:
    """Wait until the ``count``-th bot message has finished streaming; return its text."""
    page.wait_for_function(
        "n => { const m = document.querySelectorAll(\"#cw-chat [data-testid='bot']\");"
        " return m.length >= n && m[n - 1].innerText.trim() !== '' && m[n - 1].innerText.trim() !== '…'; }",
        arg=count,
        timeout=60_000,
    )
    page.wait_for_timeout(800)  # the last streamed chunk and the side panels land together
    text: str = bot_messages(page).nth(count - 1).inner_text()
    return text


def test_ui_search_quick_reply_and_bundle(page: Any, live_url: str) -> None:
    page.goto(f"{live_url}/")
    send(page, "show me lunch bags")
    cards = page.locator("#cw-products .cw-card")
    cards.first.wait_for(timeout=60_000)
    assert wait_for_answer(page, 1)
    assert re.search(r"£\d+\.\d\d", cards.first.inner_text())
    assert "lunch bag" in page.locator("#cw-products").inner_text().lower()
    page.screenshot(path=str(SHOTS / "ui_search.png"), full_page=True)

    send(page, "make me a bundle with a lunch bag for under £10")
    total = page.locator("#cw-bundle .cw-total")
    total.wait_for(timeout=60_000)
    wait_for_answer(page, 2)
    assert re.search(r"Total\s+£\d+\.\d\d", total.inner_text())

    quick = page.locator("#cw-quick button:visible")
    quick.first.wait_for(timeout=10_000)
    label = quick.first.inner_text()
    quick.first.click()
    answer = wait_for_answer(page, 3)
    assert answer
    assert label in page.locator("#cw-chat [data-testid='user']").last.inner_text()
    # The side panel follows the new reply: a bundle (with its total) or product cards.
    # (Whether "Make it cheaper" keeps the bundle is the assistant's job: tests/dialogs checks it.)
    bundle_now = page.locator("#cw-bundle .cw-total")
    if bundle_now.count():
        assert re.search(r"Total\s+£\d+\.\d\d", bundle_now.inner_text())
    else:
        assert page.locator("#cw-products .cw-card").count() >= 1

    page.locator("#cw-understood").get_by_text("What the assistant understood").click()
    page.locator("#cw-understood").get_by_text("intent").first.wait_for(timeout=10_000)
    page.screenshot(path=str(SHOTS / "ui_bundle.png"), full_page=True)


def test_ui_sign_in_shows_own_order(page: Any, live_url: str, bot: Any) -> None:
    customer = bot.demo_customers(n=8)[0]
    order = bot.db.orders_for_customer(customer.id, limit=1)[0]
    page.goto(f"{live_url}/")
    page.locator("#cw-signin input").click()
    page.get_by_role("option", name=customer.name).first.click()
    page.wait_for_function(
        "name => document.querySelector('#cw-signin input').value.startsWith(name)", arg=customer.name
    )
    send(page, f"where is my order {order.id}?")
    answer = page.locator("#cw-chat [data-testid='bot']").filter(has_text=order.status.value)
    answer.first.wait_for(timeout=60_000)
    assert order.id in answer.first.inner_text()
    page.screenshot(path=str(SHOTS / "ui_order.png"), full_page=True)


def test_widget_on_the_demo_shop_page(page: Any, live_url: str) -> None:
    page.goto(f"{live_url}/examples/shop_page.html")
    page.screenshot(path=str(SHOTS / "shop_page_closed.png"))
    page.locator("#cartwise-widget .fab").click()
    panel = page.locator("#cartwise-widget .panel")
    assert panel.is_visible()
    panel.locator("input").fill("show me lunch bags")
    panel.locator("input").press("Enter")
    card = panel.locator(".card").first
    card.wait_for(timeout=60_000)
    assert "£" in card.inner_text()
    page.screenshot(path=str(SHOTS / "shop_page_widget.png"))

    # An "Ask about it" button on the page talks through the same widget.
    page.locator(".item button").first.click()
    page.wait_for_function(
        "() => document.querySelector('#cartwise-widget').shadowRoot.querySelectorAll('.msg.user').length >= 2",
        timeout=60_000,
    )
    # Markup in a message is shown as text, never executed or rendered. It is typed
    # while the previous answer may still be on its way: it waits its turn, not lost.
    panel.locator("input").fill("<img src=x onerror=\"document.title='pwned'\"> candles")
    panel.locator("input").press("Enter")
    assert panel.locator("input").input_value() == ""
    page.wait_for_function(
        "() => document.querySelector('#cartwise-widget').shadowRoot.querySelectorAll('.msg.user').length >= 3"
    )
    # Every message got its own answer: greeting + three replies, none still pending.
    page.wait_for_function(
        """() => {
            const bots = [...document.querySelector('#cartwise-widget').shadowRoot.querySelectorAll('.msg.bot')];
            return bots.length >= 4 && bots.every(b => b.textContent !== '…');
        }""",
        timeout=90_000,
    )
    # Two messages sent back to back (the page API, no waiting): both are shown and answered.
    page.evaluate("() => { window.Cartwise.send('tea towels'); window.Cartwise.send('cheaper'); }")
    page.wait_for_function(
        """() => {
            const root = document.querySelector('#cartwise-widget').shadowRoot;
            const bots = [...root.querySelectorAll('.msg.bot')];
            return root.querySelectorAll('.msg.user').length >= 5
                && bots.length >= 6 && bots.every(b => b.textContent !== '…');
        }""",
        timeout=90_000,
    )
    page.wait_for_timeout(1500)
    assert page.title() != "pwned"
    assert panel.locator("img").count() == 0
