"""The catalog's own vocabulary: which categories a message names, when they may filter, typo correction."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from assistant.understanding.catalog import CatalogVocabulary, edit_distance_within, is_a, prints_form, root, stem
from cartwise.models import Product

pytestmark = pytest.mark.no_shop  # reads no built shop: runs while a fresh clone builds them

REPO = Path(__file__).resolve().parents[3]


def _catalog(shop: str) -> CatalogVocabulary:
    with (REPO / "data" / "shops" / shop / "catalog.csv").open(encoding="utf-8") as fh:
        products = [Product(id=r["id"], title=r["title"], description=r["description"], category=r["category"],
                            price=r["price"], brand=r["brand"]) for r in csv.DictReader(fh)]
    return CatalogVocabulary.from_products(products, is_dictionary_word=lambda w: w in {"warm", "winter", "hands"})


@pytest.fixture(scope="module")
def gift() -> CatalogVocabulary:
    return _catalog("giftshop")


@pytest.fixture(scope="module")
def elec() -> CatalogVocabulary:
    return _catalog("electronics")


@pytest.mark.parametrize(
    ("words", "categories"),
    [
        (["laptop"], {"Laptops & Notebook Computers", "Gaming Laptops & Notebook Computers"}),  # the head names both
        (["tvs"], {"TVs"}),
        (["smart", "watches"], {"Smart Watches"}),
        (["camera"], {"Home Security Systems & Cameras", "Cameras & Camcorders"}),
        (["headphones", "for", "running"], {"Headphones & Earbuds"}),
        (["something", "for", "my", "dad"], set()),
    ],
)
def test_electronics_categories_are_named_by_their_own_words(
    elec: CatalogVocabulary, words: list[str], categories: set[str]
) -> None:
    assert set(elec.named_categories(words).categories) == categories


def test_a_category_filters_only_when_its_word_picks_it_out_of_the_catalog(
    gift: CatalogVocabulary, elec: CatalogVocabulary
) -> None:
    # Titles printing "laptop" are (nearly) all in the two laptop categories: a filter is safe.
    assert elec.named_categories(["laptop"]).filter
    # "gift" is printed across the gift shop's categories (gift bags, gift tags, gift wrap): only a lift.
    named = gift.named_categories(["gift"])
    assert named.categories == ("gifts & novelties",) and not named.filter
    # A category named by a word before the thing filters only where the thing's titles mostly are: two of the
    # three crackers are filed under storage (a lift), while every bauble is in the christmas range (a filter).
    assert gift.named_categories(["christmas"]).filter
    assert not gift.named_categories(["christmas", "cracker"]).filter
    assert gift.named_categories(["christmas", "bauble"]).filter


def test_no_word_list_is_involved(tmp_path: Path) -> None:
    # A new shop's categories are named from its catalog alone.
    products = [Product(id="1", title="Dog Bed Large", category="Pet Beds", price=20),
                Product(id="2", title="Cat Bed", category="Pet Beds", price=15),
                Product(id="3", title="Squeaky Bone", category="Dog Toys", price=3)]
    vocab = CatalogVocabulary.from_products(products)
    assert vocab.named_categories(["a", "bed", "for", "my", "dog"]).categories == ("Pet Beds",)
    assert vocab.named_categories(["toys"]).categories == ("Dog Toys",)


@pytest.mark.parametrize(
    ("word", "fixed"),
    [("teapott", "teapot"), ("doormatt", "doormat"), ("bunnting", "bunting"), ("cushon", "cushion"),
     ("teapot", None), ("warm", None), ("xyzzyq", None), ("mug", None),
     ("cushons", "cushion"),  # one edit from the singular the titles are indexed by
     ("wellies", None),  # "welly" is two edits from "wall": too many for a five-letter form
     ("chrismas", "christmas")],  # spelt as the titles print it, never the stem "christma" they are indexed by
)
def test_typos_are_corrected_to_catalog_words(gift: CatalogVocabulary, word: str, fixed: str | None) -> None:
    assert gift.correct(word) == fixed


def test_a_typo_that_looks_like_a_plural_is_compared_as_typed(elec: CatalogVocabulary) -> None:
    # "wireles" read as the plural of "wirele" was two letters short of "wireless", and was said not carried.
    assert elec.correct("wireles") == "wireless"
    assert elec.correct("headfones") == "headphones"  # compared in the singular first; spelt as titles print it


def test_a_first_f_written_by_ear_is_the_ph_a_title_prints(gift: CatalogVocabulary, elec: CatalogVocabulary) -> None:
    # "fone" kept its first letter, so no edit reached "phone": the one first letter a typist changes is by ear.
    assert elec.correct("fone") == "phone"
    assert gift.correct("foto") == "photo"
    assert elec.correct("fotoz") is None  # no title word is heard in it


def test_a_word_whose_titles_print_a_length_is_measured(gift: CatalogVocabulary, elec: CatalogVocabulary) -> None:
    # "a big tv" places a TV on the scale its titles print ('50" Class'); few mug or bag titles print a length.
    assert elec.measures("tv") and elec.measures("monitors")
    assert not gift.measures("mug") and not gift.measures("bag")


def test_helpers() -> None:
    assert [stem(w) for w in ("cameras", "batteries", "glasses", "tvs", "bus", "boxes")] == [
        "camera", "battery", "glass", "tv", "bus", "box"]
    assert edit_distance_within("teapott", "teapot", 1)
    assert edit_distance_within("taepot", "teapot", 1)  # a swap is one edit
    assert not edit_distance_within("kettle", "teapot", 2)


def test_a_brand_named_by_a_word_the_catalog_uses_for_other_things_is_no_brand_word() -> None:
    def product(pid: str, title: str, brand: str) -> Product:
        return Product(id=pid, title=title, description="", category="Speakers", price="10", brand=brand)

    vocab = CatalogVocabulary.from_products([
        product("1", "Glow Party Speaker", "Glow"),
        product("2", "Lamp With A Warm Glow", "Acme"),
        product("3", "Night Light, Soft Glow", "Acme"),
        product("4", "Sonic Boombox", "Sonic"),
        product("5", "Sonic Mini Speaker", "SONIC"),  # the same brand, spelled otherwise
        product("6", "Boombox For Sonic Fans", "Acme"),
        product("7", "Speaker Stand", "Stand Makers"),  # two words: a phrase is a name
    ])
    assert "Glow" in vocab.brands and "Glow" not in vocab.named_brands
    assert {"Sonic", "SONIC", "Acme", "Stand Makers"} <= set(vocab.named_brands)


def test_the_electronics_shop_keeps_its_real_brands(elec: CatalogVocabulary) -> None:
    assert {"Sony", "Apple", "Samsung", "Ring", "Beats"} <= set(elec.named_brands)
    assert not {"CHARGE", "Brilliant"} & set(elec.named_brands)


def test_a_title_prints_a_word_whole_compound_or_two_letters_whole() -> None:
    from assistant.understanding.catalog import prints

    assert prints("Doormat Welcome Sunrise", "mats")  # inside a compound
    assert prints("Regency Cakestand 3 Tier", "cake")  # its start
    assert not prints("Inflatable Political Globe", "flat")  # no part of a compound sits in its middle
    assert prints("Spaceboy Lunch Box", "lunchboxes")  # a compound the title prints apart
    assert not prints("Lunch Bag Red Retrospot", "lunchbox")
    assert prints('Samsung 65" Class - CU7000D Series - 4K UHD LED LCD TV', "tvs")  # two letters, a whole word
    assert prints("CyberPowerPC Gamer - Gaming PC Tower", "pc")
    assert not prints("Smart TVision Hub", "tv")  # two letters never inside another word
    assert not prints("A", "a")


def test_two_title_words_written_as_one_are_known(gift: CatalogVocabulary) -> None:
    # Titles print "Lunch Box" and "Key Ring": written as one word, either is the catalog's own.
    assert gift.knows("lunchbox") and gift.knows("lunchboxes") and gift.reads("keyrings")
    assert not gift.knows("lunchcake")  # no title prints "lunch cake"


def test_of_own_kind_goes_by_the_titles_own_order() -> None:
    from assistant.understanding.catalog import of_own_kind

    tvs = ["Handy Premier - TV Mounting Service", 'LG 43" Class - UR8000 Series - 4K UHD LED LCD TV',
           'TCL 50" Class - S470G Series - 4K UHD LED LCD TV', "Samsung Soundbar"]
    assert of_own_kind(tvs, "tv") == [1, 2]  # most that print "TV" end in it: the service is no TV
    stands = ["Regency Cakestand 3 Tier", "Red Retrospot Cake Stand", "Large Cake Stand Hanging Strawbery"]
    assert of_own_kind(stands, "stand") == [0, 1, 2]  # most name a motif last: every one is a stand


@pytest.mark.parametrize(("title", "word", "named"), [
    ("Apple Magic Mouse, Black", "mouse", True),
    # What a title says comes with the product is not what the product is.
    ('HP 14" Laptop - 13th Gen Intel Core i3-1315U - 1080p - Includes Wireless Mouse - Windows 11', "mouse", False),
    ('HP 14" Chromebook Laptop Bundle - Intel Celeron - 1080p - Bonus Sleeve & Wireless Mouse', "mouse", False),
    ("AirPods Pro (2nd generation) with MagSafe Case", "case", False),
    ("Apple Magic Keyboard for iPad Pro 12.9-inch", "keyboard", True),
])
def test_what_a_title_names_as_the_product_itself(title: str, word: str, named: bool) -> None:
    assert is_a(title, word) is named


@pytest.mark.parametrize(("word", "text", "printed"), [
    ("cancelling", "Active Noise Cancellation", True),
    ("cancelling", "Sony WH1000XM5 Wireless Noise-Canceling Headphones", True),
    ("cancel", "Beats Studio Pro Noise Cancelling Headphones", True),
    ("charging", "Fast charger included", True),
    ("rolling", "Rolling pin", True),
    ("cancelling", "Powerbeats Pro True Wireless Earbuds", False),
    ("dim", "Dimmer Switch", True),
    ("dimmer", "Dim the lights", False),  # a root under four letters stands for no other word
])
def test_a_word_is_printed_in_another_form_of_it(word: str, text: str, printed: bool) -> None:
    assert prints_form(text, word) is printed


def test_the_root_of_a_word_drops_the_ending_of_its_doing_or_doer() -> None:
    assert [root(w) for w in ("cancelling", "canceling", "charger", "stopping", "boxes", "noise")] == [
        "cancell", "cancel", "charg", "stop", "box", "noise"]


def test_a_kind_named_last_by_nearly_all_its_titles(gift: CatalogVocabulary, elec: CatalogVocabulary) -> None:
    # "4K UHD LED LCD TV": a TV is named last, so "TV Mounting Service" is another kind; the giftshop's titles put
    # a look after the kind ("Recipe Box Retrospot"), so its boxes are read no such way.
    assert elec.names_kind_last("tv") and elec.names_kind_last("laptops")
    assert not gift.names_kind_last("box") and not gift.names_kind_last("candles")
    assert not elec.names_kind_last("zzzz")


def test_a_word_made_from_a_dictionary_word_by_an_ending_is_read(elec: CatalogVocabulary) -> None:
    # The dictionary here knows "warm", "winter" and "hands" only: "warmer" is made from "warm"; "garmin" is no word.
    assert elec.reads("warmers") and elec.reads("warmer")
    assert not elec.reads("garmin") and not elec.reads("wintry")


def test_a_kind_is_named_by_two_words_only_where_enough_titles_print_them_together() -> None:
    vocab = CatalogVocabulary.from_products([
        Product(id=str(n), title=title, category="bags", price=1)
        for n, title in enumerate(["Red Picnic Bag", "Pink Paisley Picnic Bag", "Blue Picnic Bags",
                                   "Traditional Teapot", "Cosmetic Bag"])])
    assert vocab.names_by_pair("picnic", "bags")
    assert not vocab.names_by_pair("traditional", "teapot")  # one title: a describing word, no kind
    assert vocab.pairs[("cosmetic", "bag")] == 1


def test_an_adverb_made_from_a_dictionary_word_names_nothing() -> None:
    dictionary = {"specific", "ideal", "easy", "gentle", "week", "hands"}
    catalog = CatalogVocabulary.from_products(
        [Product(id="1", title="Weekly Planner", price="2"), Product(id="2", title="Lily Candle", price="3")],
        is_dictionary_word=lambda w: w in dictionary)
    for word in ("specifically", "ideally", "easily", "gently"):
        assert catalog.is_adverb(word), word
    # A title word ending so is printed: a word of the request. A word whose base is no word is no adverb.
    for word in ("weekly", "lily", "family", "napkins", "holly"):
        assert not catalog.is_adverb(word), word
