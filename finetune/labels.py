"""The intent label set: 27 Bitext customer-service intents plus shopping, personal and conversation intents.

The order of :data:`INTENTS` is the class-index order of every model trained by
:mod:`finetune.train` (the saved ``label_map.json`` repeats it, so a model stays
readable if this list ever changes).
"""

from __future__ import annotations

from typing import Final

CUSTOMER_SERVICE_INTENTS: Final[tuple[str, ...]] = (
    "cancel_order",
    "change_order",
    "change_shipping_address",
    "check_cancellation_fee",
    "check_invoice",
    "check_payment_methods",
    "check_refund_policy",
    "complaint",
    "contact_customer_service",
    "contact_human_agent",
    "create_account",
    "delete_account",
    "delivery_options",
    "delivery_period",
    "edit_account",
    "get_invoice",
    "get_refund",
    "newsletter_subscription",
    "payment_issue",
    "place_order",
    "recover_password",
    "registration_problems",
    "review",
    "set_up_shipping_address",
    "switch_account",
    "track_order",
    "track_refund",
)
"""The 27 Bitext customer-support intents (Bitext taxonomy, ``check_invoice`` spelling)."""

SHOPPING_INTENTS: Final[tuple[str, ...]] = (
    "search_product",
    "build_bundle",
    "compare_products",
    "product_info",
    "refine_search",
    "edit_bundle",
    "explain_choice",
    "recommend_for_me",
    "best_sellers",
)
"""Product discovery: looking for items, bundles, comparisons, questions about one item, refinements,
changes to the bundle on screen, "why these?", personal picks without a query, and best sellers."""

PERSONAL_INTENTS: Final[tuple[str, ...]] = ("purchase_history", "reorder", "report_problem")
"""A signed-in shopper's own history: what they bought, buying it again, and a problem with an order."""

CONTEXT_BOUND_INTENTS: Final[frozenset[str]] = frozenset({"refine_search", "edit_bundle", "explain_choice"})
"""Intents that only exist as follow-ups: something must be on the screen to refine, edit or explain."""

CONVERSATION_INTENTS: Final[tuple[str, ...]] = ("greeting", "thanks", "goodbye")
"""Social turns that need a polite reply but no shop action."""

OUT_OF_SCOPE: Final[str] = "out_of_scope"
"""Anything a shop assistant does not serve (weather, banking, jokes...) and the low-confidence fallback."""

INTENTS: Final[tuple[str, ...]] = (
    *CUSTOMER_SERVICE_INTENTS,
    *SHOPPING_INTENTS,
    *PERSONAL_INTENTS,
    *CONVERSATION_INTENTS,
    OUT_OF_SCOPE,
)
"""All 43 labels, in class-index order."""

IN_SCOPE_INTENTS: Final[tuple[str, ...]] = tuple(label for label in INTENTS if label != OUT_OF_SCOPE)
"""The 42 labels that are not :data:`OUT_OF_SCOPE` (the CLINC150 "in-scope" set for our metrics)."""

BITEXT_LABEL_ALIASES: Final[dict[str, str]] = {"check_invoices": "check_invoice"}
"""Spellings used by older Bitext releases, mapped to ours."""


def normalise_label(label: str) -> str:
    """Map a raw label to the canonical spelling (trimmed, lower case, Bitext aliases resolved).

    Args:
        label: A label as found in a data file, e.g. ``" Check_Invoices "``.

    Returns:
        The canonical label, e.g. ``"check_invoice"``. It is not checked against
        :data:`INTENTS` because a shop's own data may use its own labels.

    Example:
        >>> normalise_label(" Check_Invoices ")
        'check_invoice'
    """
    key = label.strip().lower().replace("-", "_").replace(" ", "_")
    return BITEXT_LABEL_ALIASES.get(key, key)
