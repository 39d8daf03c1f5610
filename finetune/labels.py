"""The intent label set: 27 Bitext customer-service intents plus shopping, personal and conversation intents.

The order of :data:`INTENTS` is the class-index order of every model trained by
:mod:`finetune.train` (the saved ``label_map.json`` repeats it, so a model stays
readable if this list ever changes).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Intent(StrEnum):
    """One intent label: the label set *is* this enum, members in class-index order.

    A :class:`~enum.StrEnum`, so a member is the plain label wherever it goes: ``Intent.search_product ==
    "search_product"``, and ``str()``, f-strings and ``json.dumps`` all give ``"search_product"`` (a
    ``(str, Enum)`` would print ``Intent.search_product`` in Python 3.11), so replies, stored rows and
    ``label_map.json`` files read exactly as before.

    A shop's own model may carry labels of its own (``cartwise train --data shop.csv``): ``Intent("gift_wrap")``
    makes a pseudo-member for such a label, the way :class:`enum.Flag` makes members for combinations. Pseudo-
    members are not iterated (``list(Intent)`` is the 43 built-ins) and have no handler of their own.
    """

    # The 27 Bitext customer-support intents (Bitext taxonomy, ``check_invoice`` spelling).
    cancel_order = "cancel_order"
    change_order = "change_order"
    change_shipping_address = "change_shipping_address"
    check_cancellation_fee = "check_cancellation_fee"
    check_invoice = "check_invoice"
    check_payment_methods = "check_payment_methods"
    check_refund_policy = "check_refund_policy"
    complaint = "complaint"
    contact_customer_service = "contact_customer_service"
    contact_human_agent = "contact_human_agent"
    create_account = "create_account"
    delete_account = "delete_account"
    delivery_options = "delivery_options"
    delivery_period = "delivery_period"
    edit_account = "edit_account"
    get_invoice = "get_invoice"
    get_refund = "get_refund"
    newsletter_subscription = "newsletter_subscription"
    payment_issue = "payment_issue"
    place_order = "place_order"
    recover_password = "recover_password"
    registration_problems = "registration_problems"
    review = "review"
    set_up_shipping_address = "set_up_shipping_address"
    switch_account = "switch_account"
    track_order = "track_order"
    track_refund = "track_refund"
    # Product discovery.
    search_product = "search_product"
    build_bundle = "build_bundle"
    compare_products = "compare_products"
    product_info = "product_info"
    refine_search = "refine_search"
    edit_bundle = "edit_bundle"
    explain_choice = "explain_choice"
    recommend_for_me = "recommend_for_me"
    best_sellers = "best_sellers"
    # A signed-in shopper's own history.
    purchase_history = "purchase_history"
    reorder = "reorder"
    report_problem = "report_problem"
    # Social turns.
    greeting = "greeting"
    thanks = "thanks"
    goodbye = "goodbye"
    # Anything a shop assistant does not serve, and the low-confidence fallback.
    out_of_scope = "out_of_scope"

    @classmethod
    def _missing_(cls, value: object) -> Intent | None:
        """A pseudo-member for a shop's own label: any non-empty text, as a model's label map spells it (the
        intent models learn whatever labels their data holds, ``"label-0"`` included)."""
        if not isinstance(value, str) or not value:
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        # setdefault: two threads meeting the same new label agree on one member.
        return cls._value2member_map_.setdefault(value, member)  # type: ignore[return-value]

    @property
    def builtin(self) -> bool:
        """Whether this is one of the 43 shipped intents (not a shop's own label)."""
        return self._name_ in type(self).__members__


CUSTOMER_SERVICE_INTENTS: Final[tuple[Intent, ...]] = tuple(Intent)[:27]
"""The 27 Bitext customer-support intents (Bitext taxonomy, ``check_invoice`` spelling)."""

SHOPPING_INTENTS: Final[tuple[Intent, ...]] = (
    Intent.search_product,
    Intent.build_bundle,
    Intent.compare_products,
    Intent.product_info,
    Intent.refine_search,
    Intent.edit_bundle,
    Intent.explain_choice,
    Intent.recommend_for_me,
    Intent.best_sellers,
)
"""Product discovery: looking for items, bundles, comparisons, questions about one item, refinements,
changes to the bundle on screen, "why these?", personal picks without a query, and best sellers."""

PERSONAL_INTENTS: Final[tuple[Intent, ...]] = (Intent.purchase_history, Intent.reorder, Intent.report_problem)
"""A signed-in shopper's own history: what they bought, buying it again, and a problem with an order."""

CONTEXT_BOUND_INTENTS: Final[frozenset[Intent]] = frozenset(
    {Intent.refine_search, Intent.edit_bundle, Intent.explain_choice})
"""Intents that only exist as follow-ups: something must be on the screen to refine, edit or explain."""

CONVERSATION_INTENTS: Final[tuple[Intent, ...]] = (Intent.greeting, Intent.thanks, Intent.goodbye)
"""Social turns that need a polite reply but no shop action."""

OUT_OF_SCOPE: Final[Intent] = Intent.out_of_scope
"""Anything a shop assistant does not serve (weather, banking, jokes...) and the low-confidence fallback."""

INTENTS: Final[tuple[Intent, ...]] = tuple(Intent)
"""All 43 labels, in class-index order."""

IN_SCOPE_INTENTS: Final[tuple[Intent, ...]] = tuple(label for label in INTENTS if label != OUT_OF_SCOPE)
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
