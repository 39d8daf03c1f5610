"""The Gradio web UI: a streaming chat, product cards, the bundle, quick replies and a staff panel.

The chat event is a named API (``/chat``), so scripts can call it with ``gradio_client``:
``Client(url).predict("gift for mum", [], "guest", api_name="/chat")``.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any, Protocol

import gradio as gr

from assistant.reply import Reply
from cartwise.models import Customer
from cartwise.settings import Settings
from cartwise.shops.profile import shop_profile
from web.render import UI_CSS, bundle_html, chat_text, products_html

logger = logging.getLogger(__name__)

GUEST = "guest"
QUICK_REPLY_SLOTS = 4
_STREAM_CHUNKS = 12
_STREAM_DELAY_S = 0.02

class ChatBot(Protocol):
    """What the UI needs from the assistant (``assistant.Assistant`` provides it)."""

    def respond(self, text: str, session_id: str, user_id: str | None = None) -> Reply: ...

    def delete_history(self, session_id: str) -> None: ...


History = list[dict[str, Any]]


class ChatUI:
    """Builds the Blocks app around an assistant.

    Args:
        bot: the assistant.
        settings: shop name, message limit.
        customers: demo customers offered in "sign in as"; empty to offer guest only.
    """

    def __init__(self, bot: ChatBot, settings: Settings, customers: list[Customer]) -> None:
        self.bot = bot
        self.settings = settings
        self.customers = customers
        self.profile = shop_profile(settings)
        self.currency = self.profile.currency

    # --- event handlers --------------------------------------------------------
    def _customer_id(self, signed_in_as: str | None) -> str | None:
        # Only ids offered in the dropdown count: the /chat API must not become a way to claim any customer.
        allowed = {c.id for c in self.customers}
        return signed_in_as if signed_in_as in allowed else None

    def chat(
        self, message: str, history: History | None, signed_in_as: str | None, session_id: str | None
    ) -> Iterator[tuple[Any, ...]]:
        """Send ``message`` and stream the reply.

        Args:
            message: the shopper's text.
            history: the chat so far (Gradio messages).
            signed_in_as: a demo customer id, or "guest".
            session_id: the conversation id kept in browser state ("" starts one).

        Yields:
            (chat history, textbox, product cards, bundle, understood JSON, session id, *quick replies)
        """
        history = list(history or [])
        session_id = session_id or uuid.uuid4().hex
        message = (message or "").strip()
        if not message:
            yield (history, "", gr.skip(), gr.skip(), gr.skip(), session_id, *self._quick([]))
            return
        history.append({"role": "user", "content": chat_text(message)})
        if len(message) > self.settings.max_message_chars:
            note = f"That message is {len(message)} characters; please keep it under {self.settings.max_message_chars}."
            history.append({"role": "assistant", "content": chat_text(note)})
            yield (history, "", gr.skip(), gr.skip(), gr.skip(), session_id, *self._quick([]))
            return
        history.append({"role": "assistant", "content": "…"})
        yield (history, "", gr.skip(), gr.skip(), gr.skip(), session_id, *self._quick([]))

        reply = self.bot.respond(message, session_id=session_id, user_id=self._customer_id(signed_in_as))
        text = reply.text
        step = max(1, len(text) // _STREAM_CHUNKS)
        for end in range(step, len(text), step):
            history[-1] = {"role": "assistant", "content": chat_text(text[:end])}
            yield (history, "", gr.skip(), gr.skip(), gr.skip(), session_id, *self._quick([]))
            time.sleep(_STREAM_DELAY_S)
        history[-1] = {"role": "assistant", "content": chat_text(text)}
        yield (
            history,
            "",
            products_html(reply.products, self.currency),
            bundle_html(reply.bundle, self.currency),
            self.understood(reply),
            session_id,
            *self._quick(reply.options),
        )

    @staticmethod
    def understood(reply: Reply) -> dict[str, Any]:
        """What shop staff see in the side panel."""
        return {
            "intent": reply.intent,
            "confidence": round(reply.confidence, 3),
            "slots": reply.slots,
            "handoff": reply.handoff,
            "sources": reply.sources,
        }

    @staticmethod
    def _quick(options: list[str]) -> list[Any]:
        shown = options[:QUICK_REPLY_SLOTS]
        updates: list[Any] = [gr.update(value=o, visible=True) for o in shown]
        updates += [gr.update(value="", visible=False)] * (QUICK_REPLY_SLOTS - len(shown))
        return updates

    def model_status(self) -> str:
        """One line on which intent model answers (the fast head while the fine-tuned one trains)."""
        serving = getattr(self.bot, "intent_model", "fine-tuned")
        if serving == "embedding-head":
            return ("<small>Intent model: quick embedding head; the fine-tuned model is training in the background "
                    "and takes over when ready.</small>")
        return f"<small>Intent model: {serving}.</small>"

    def new_conversation(self, session_id: str | None) -> tuple[Any, ...]:
        """Forget the conversation server-side and start a fresh one."""
        if session_id:
            self.bot.delete_history(session_id)
        return ([], products_html([], self.currency), "", {}, "", *self._quick([]))

    # --- layout --------------------------------------------------------------
    def build(self) -> gr.Blocks:
        """Lay out the UI and wire its events."""
        name = self.profile.display_name
        choices: list[tuple[str, str]] = [("Guest (not signed in)", GUEST)]
        choices += [(f"{c.name} · {c.country}" if c.country else c.name, c.id) for c in self.customers]
        with gr.Blocks(title=name) as demo:
            session = gr.State("")
            gr.Markdown(f"## {name}\nAsk for products, gift ideas, bundles on a budget, or your orders.")
            with gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(
                        label="Chat",
                        show_label=False,
                        height=520,
                        sanitize_html=True,
                        render_markdown=False,
                        allow_tags=False,
                        elem_id="cw-chat",
                        placeholder="Hi! Tell me what you are looking for.",
                    )
                    with gr.Row():
                        msg = gr.Textbox(
                            placeholder="e.g. a gift for my mum under £20",
                            show_label=False,
                            scale=5,
                            max_lines=4,
                            elem_id="cw-input",
                            autofocus=True,
                        )
                        send = gr.Button("Send", variant="primary", scale=1, elem_id="cw-send")
                    with gr.Row(elem_id="cw-quick"):
                        quick = [
                            gr.Button("", visible=False, size="sm", elem_classes=["cw-quick-btn"])
                            for _ in range(QUICK_REPLY_SLOTS)
                        ]
                    if self.profile.examples:
                        gr.Examples(list(self.profile.examples), inputs=[msg], label="Try")
                with gr.Column(scale=2):
                    signin = gr.Dropdown(
                        choices, value=GUEST, label="Sign in as (demo)", elem_id="cw-signin", filterable=False
                    )
                    gr.Markdown("**Suggestions**")
                    cards = gr.HTML(products_html([], self.currency), elem_id="cw-products")
                    bundle = gr.HTML("", elem_id="cw-bundle")
                    with gr.Accordion("What the assistant understood", open=False, elem_id="cw-understood"):
                        understood = gr.JSON(value={}, label="intent · confidence · slots", open=True)
                    reset = gr.Button("New conversation", size="sm", elem_id="cw-reset")
                    status = gr.Markdown(self.model_status(), elem_id="cw-model")

            outputs = [chatbot, msg, cards, bundle, understood, session, *quick]
            inputs = [msg, chatbot, signin, session]
            # Minimal progress: the streaming bubble already shows work; no overlay over the side panels.
            msg.submit(self.chat, inputs, outputs, api_name="chat", show_progress="minimal").then(
                self.model_status, None, status, api_visibility="private", show_progress="hidden"
            )
            send.click(self.chat, inputs, outputs, api_visibility="private", show_progress="minimal").then(
                self.model_status, None, status, api_visibility="private", show_progress="hidden"
            )
            demo.load(self.model_status, None, status, api_visibility="private", show_progress="hidden")
            for button in quick:
                button.click(
                    self.chat, [button, chatbot, signin, session], outputs, api_visibility="private",
                    show_progress="minimal",
                )
            # The text box is left alone: whatever the shopper is typing survives a reset or a sign-in.
            reset_outputs = [chatbot, cards, bundle, understood, session, *quick]
            reset.click(self.new_conversation, [session], reset_outputs, api_visibility="private")
            # A different shopper must not inherit the previous one's conversation.
            signin.change(self.new_conversation, [session], reset_outputs, api_visibility="private")
        blocks: gr.Blocks = demo
        return blocks


def build_ui(bot: ChatBot, settings: Settings, customers: list[Customer]) -> gr.Blocks:
    """Build the Gradio Blocks app (see :class:`ChatUI`)."""
    return ChatUI(bot, settings, customers).build()


def theme() -> gr.themes.Base:
    """The UI theme (built in: nothing is fetched from the Hub)."""
    system = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"]
    # System fonts: the default theme fonts come from Google's CDN, which a shop page should not depend on.
    mono = ["ui-monospace", "monospace"]
    return gr.themes.Soft(primary_hue="indigo", secondary_hue="amber", font=system, font_mono=mono)


__all__ = ["GUEST", "UI_CSS", "ChatUI", "build_ui", "theme"]
