"""The UI's chat is a named Gradio API that scripts can call with ``gradio_client``."""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_chat_endpoint_with_gradio_client(live_url: str) -> None:
    from gradio_client import Client

    client = Client(f"{live_url}/", verbose=False)
    assert "/chat" in client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    history, textbox, cards, _bundle, understood = client.predict(
        "do you sell lunch bags?", [], "guest", api_name="/chat"
    )
    assert textbox == ""
    assert [m["role"] for m in history] == ["user", "assistant"]
    answer = history[-1]["content"]
    text = answer if isinstance(answer, str) else " ".join(block.get("text", "") for block in answer)
    assert text.strip() and text != "…"
    assert 'class="cw-card"' in cards and "Lunch Bag" in cards
    assert understood["intent"] == "search_product"

    # The dropdown only accepts offered choices: the API is no way to claim an arbitrary customer.
    with pytest.raises(Exception, match=r"(?i)not in the list of choices|value"):
        client.predict("where is my order 536365?", [], "99999", api_name="/chat")
