"""Which messages are read as another language (and get the English-only reply)."""

from __future__ import annotations

import pytest

from assistant.understanding.text import is_foreign_language

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them


@pytest.mark.parametrize(
    "text",
    ["necesito un regalo para mi madre", "je veux un cadeau pour ma mère", "ich suche ein Geschenk für meine Mutter",
     "dónde está mi pedido 536365", "quanto costa la teiera", "una tazza per mia madre", "esta bien gracias",
     "¿tienen tazas?", "¡hola!"],
)
def test_other_languages_are_recognised(text: str) -> None:
    assert is_foreign_language(text)


@pytest.mark.parametrize(
    "text",
    ["show me lunch bags", "a gift for my son under £20", "pour over coffee maker", "la la land poster",
     "I want a piñata for a fiesta", "bonjour", "merci beaucoup", "tea set for my mum",
     "compare EL0001 and EL0002", "tell me about EL0002 and EL0001 please", "el capitan poster"],
)
def test_english_shopping_messages_are_not(text: str) -> None:
    assert not is_foreign_language(text)


def test_a_word_is_read_by_its_stem_or_its_halves() -> None:
    from assistant.understanding.text import is_unreadable

    known = {"cheap", "tea", "pot", "the"}.__contains__
    # "cheapest teapot" in a shop with no teapot: words, whose vocabulary of whole words lacks both forms.
    assert not is_unreadable("cheapest teapot", known)
    assert is_unreadable("asdkjh qwe zxc", known)
