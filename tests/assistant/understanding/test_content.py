"""The words of a message searched for: politeness at the edges only, an age's number and who-verbs left out."""

from __future__ import annotations

import pytest

from assistant.understanding.content import content_words, describing_thanks, doing_words, search_query

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them


@pytest.mark.parametrize(("text", "query"), [
    ("thanks , show me mugs", "show me mugs"),
    ("mugs please", "mugs"),
    ("ok thanks but do you have teapots", "ok but do you have teapots"),
    # Between the words that say what is wanted, or before the thing they describe, thanks are part of it.
    ("something small to say thank you to a teacher", "something small to say thank you to a teacher"),
    ("a thank you card please", "a thank you card"),
    # What a person likes is searched, not the verb saying so; nor the number of an age.
    ("for my sister she loves baking", "for my sister she baking"),
    ("a brother who loves cooking", "a brother who cooking"),
    ("for a 10 year old boy", "for a year old boy"),
    ("a set of 10 cards", "a set of 10 cards"),
    ("for his sister who is 3", "for his sister who is"),
    ("my niece aged 6 , she loves unicorns", "my niece aged she unicorns"),
    ("a boy turning 7", "a boy turning"),
    ("for my 4yo", "for my"),
    # A number after "who is" that something follows is no age.
    ("someone who is 6 foot tall", "someone who is 6 foot tall"),
    # A number that counts the people something is for, or how many are wanted, is no count a title prints.
    ("party favours for 20 kids", "party favours for kids"),
    ("a picnic set for 6", "a picnic set for"),
    ("i need 20 of something cheap", "i need of something cheap"),
    # Before a thing's name, or after "of", it may be the thing's own count.
    ("a pack of 20 napkins", "a pack of 20 napkins"),
    ("batteries for 2 remotes", "batteries for 2 remotes"),
    # A modal after its subject is grammar ("can" finds watering cans); a can named is a thing.
    ("something she can use when its raining", "something she use when its raining"),
    ("a watering can for my mum", "a watering can for my mum"),
])
def test_search_query(text: str, query: str) -> None:
    assert search_query(text.split()) == query


def test_describing_thanks() -> None:
    assert describing_thanks("a thank you card".split()) == {1, 2}
    assert describing_thanks("thanks , show me mugs".split()) == set()
    assert describing_thanks("thank you".split()) == set()


def test_the_verb_after_the_person_named_is_no_search_word() -> None:
    assert search_query("my wife loves gardening".split(), people=("wife",)) == "my wife gardening"
    assert search_query("my son collects stamps".split(), people=("son",)) == "my son stamps"
    # Not a verb (no -s), or the person not named as the one it is for: the words stay.
    assert search_query("a mum birthday card".split(), people=("mum",)) == "a mum birthday card"
    assert search_query("my wife loves gardening".split()) == "my wife loves gardening"


def test_top_and_a_count_rank_a_list_and_are_not_searched() -> None:
    from assistant.understanding.content import search_query

    assert search_query("what are your top 3 best sellers".split()) == "what are your best sellers"
    assert search_query("a crop top".split()) == "a crop top"


def test_a_pronoun_with_its_verb_run_together_is_no_thing() -> None:
    # "she's not into pink stuff": normalising reads "she's" as "shes", which names nothing the shop sells.
    assert content_words("shes not into pink stuff".split()) == ["pink"]
    assert content_words("theyre too big , thats a shame".split()) == ["big", "shame"]


def test_when_it_is_wanted_names_no_thing() -> None:
    assert content_words("need a new one asap".split()) == []
    assert content_words("a baby next month".split()) == ["baby"]


def test_a_verb_of_the_question_names_no_thing() -> None:
    # "what do they come to altogether": a doormat printing "Come In" is no thing the question names.
    assert content_words("what do they come to altogether".split()) == []
    assert content_words("does it come in silver".split()) == ["silver"]


def test_in_stock_is_no_search_word() -> None:
    # "only the ones in stock": every search is of products in stock; "stock" names nothing to find.
    assert search_query("only the ones in stock".split()) == "only the ones"
    assert search_query("a stock pot".split()) == "a stock pot"


@pytest.mark.parametrize(
    ("text", "liked"),
    [
        ("hes into golf", ["golf"]),
        ("she is really into knitting and baking", ["knitting", "baking"]),
        ("a present for my sister, she likes tea", ["tea"]),
        ("someone who loves music , about 100", ["music"]),
        ("who is it for", []),  # no verb of liking
        ("she can use it at work", []),
    ],
)
def test_what_a_person_likes_is_the_object_of_their_liking(text: str, liked: list[str]) -> None:
    from assistant.understanding.content import liked_words

    assert liked_words(text.replace(",", " ,").split()) == liked


@pytest.mark.parametrize(("words", "doing"), [
    ("one i can take to the beach", ("take",)),
    ("one my kid can use", ("use",)),
    ("ones that work with alexa", ("work",)),
    ("any that wont fall out when im at the gym", ("fall",)),
    ("something thatll fit in my bag", ("fit",)),
    ("ones that are good for running", ("running",)),
    # A modal after an article is a noun ("a can opener"); a describing word is no verb ("a small one for the beach").
    ("a can opener", ()),
    ("a small one for the beach", ()),
])
def test_what_a_thing_must_do_is_read_from_where_its_clause_puts_the_verb(words: str, doing: tuple[str, ...]) -> None:
    assert doing_words(words.split()) == doing


@pytest.mark.parametrize("words", ["which tv is the biggest", "which laptops have the longest battery life",
                                   "is that laptop any good", "a brother who loves cooking"])
def test_a_question_word_or_a_pointer_starts_no_clause_of_what_the_thing_does(words: str) -> None:
    assert doing_words(words.split()) == ()


def test_a_word_setting_something_apart_is_no_content() -> None:
    # "what else would i need apart from the mic": "apart" is how the mic is set aside, nothing to search for.
    assert content_words("what else would i need apart from the mic".split()) == ["mic"]
    assert content_words("anything except candles".split()) == ["candles"]
