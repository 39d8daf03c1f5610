"""The default reply generator: one template per act, deterministic and fast.

Phrasing varies between turns (a seeded choice keyed on the act and the
shopper's message), so replies don't all read the same, while a given seed and
message always produce the same text, which keeps tests stable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from assistant.facts import Act, ReplyFacts
from assistant.nlg import templates_service as svc
from assistant.nlg import templates_shop as shop

if TYPE_CHECKING:
    from cartwise.settings import Settings

Template = Callable[[ReplyFacts, int], str]

TEMPLATES: dict[Act, Template] = {
    Act.greet: svc.greet,
    Act.thank: svc.thank,
    Act.goodbye: svc.goodbye,
    Act.show_products: shop.show_products,
    Act.no_results: shop.no_results,
    Act.compare: shop.compare,
    Act.product_info: shop.product_info,
    Act.show_bundle: shop.show_bundle,
    Act.clarify: shop.clarify,
    Act.explain: shop.explain,
    Act.did_you_mean: shop.did_you_mean,
    Act.order_status: svc.order_status,
    Act.order_list: svc.order_list,
    Act.sign_in_required: lambda facts, seed: svc.SIGN_IN_REQUIRED,
    Act.order_not_found: lambda facts, seed: svc.ORDER_NOT_FOUND,
    Act.order_action: svc.order_action,
    Act.order_problem: svc.order_problem,
    Act.policy_answer: svc.policy_answer,
    Act.policy_unknown: svc.policy_unknown,
    Act.handoff: svc.handoff,
    Act.out_of_scope: svc.out_of_scope,
    Act.input_rejected: svc.input_rejected,
    Act.account_deleted: svc.account_deleted,
}


class TemplateGenerator:
    """Renders :class:`ReplyFacts` with hand-written templates.

    Args:
        seed: changes which phrasing variant each (act, message) pair gets.

    Example:
        >>> from assistant.facts import Act, ReplyFacts
        >>> TemplateGenerator().generate(ReplyFacts(act=Act.sign_in_required))[:31]
        'Please sign in to see your orde'
    """

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    @classmethod
    def from_settings(cls, settings: Settings) -> TemplateGenerator:
        """A generator seeded with ``settings.nlg_seed``."""
        return cls(seed=settings.nlg_seed)

    def generate(self, facts: ReplyFacts) -> str:
        """The whole reply for ``facts``.

        Args:
            facts: everything the reply may mention.

        Returns:
            Plain text with light Markdown (lists, a ``>`` quote for policy text).
        """
        return TEMPLATES[facts.act](facts, self.seed).strip()

    def stream(self, facts: ReplyFacts) -> Iterator[str]:
        """The reply line by line (newlines kept, so the chunks join back to ``generate``'s text).

        Args:
            facts: everything the reply may mention.

        Yields:
            One line of the reply at a time.
        """
        yield from self.generate(facts).splitlines(keepends=True)
