"""What kind of thing a product is, read from its title ("Lunch Bag Red Retrospot" -> "lunch bag").

Catalog titles put the product type anywhere ("Jumbo Bag Red Retrospot",
"White Hanging Heart T-Light Holder", "Pack Of 72 Retrospot Cake Cases"), so the
type is found as the right-most known type noun plus the word before it when
that word narrows the type ("lunch", "t-light", "cake") rather than describing
the look (colours, patterns, materials, sizes). Used for bundle roles, for
telling near-duplicates apart from complements, and for the evaluation queries.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[a-z][a-z'\-]*")

# Nouns that name what a product *is* in the two demo shops (singular and plural).
TYPE_NOUNS = frozenset(
    """
    bag bags holder holders box boxes cover covers decoration decorations necklace sign signs mug mugs bracelet
    bowl bowls ring rings candle candles earrings charm charms card cards clock clocks frame frames cases case
    bottle bottles mirror garland tray trays hook hooks kit stickers sticker notebook plate plates tissues wrap
    wraps purse cup cups cabinet magnets magnet stand cakestand jar jars basket baskets dish hanger bunting doily
    doilies tape tin tins toy pot pots letters t-lights lights bells bell parasol handbag tag tags cutlery beaker
    beakers saucer saucers rack curtain sketchbook ball washbag napkins napkin lamp lampshade candleholder ribbons
    ribbon tube umbrella book apron doorstop coaster coasters wreath bucket organiser container thermometer pen pens
    pencils fan incense mobile journal candlestick teapot teacup jug matches knob sheet towel cushion ornament
    ornaments lantern doormat cushions teaspoons spoons cutters cutter tumbler tumblers glass glasses chopsticks
    invites crackers bauble baubles postcards wallet keyring calendar jigsaw puzzle game dominoes skittles
    stationery pencil eraser rubber ruler sharpener balloons balloon hat hats cake cakes tablecloth placemats
    placemat trinket storage drawer drawers shelf hanger hangers planter watering-can colander tea-towel
    headphones earbuds earphones monitor monitors laptop notebook tv television soundbar speaker speakers router
    camera drone ssd drive console controller watch smartwatch tablet ipad keyboard piano guitar karaoke printer
    mouse phone thermostat bulbs plug lock projector batteries receiver subwoofer
    stocking stockings slate cosy keyrings comb fob lightbulb art hldr
    """.split()
)

# Words that describe the look or size of a product rather than what it is.
DESCRIPTORS = frozenset(
    """
    red pink blue white green black ivory cream purple gold silver yellow brown orange grey gray multicolour
    pastel clear turquoise turq lilac fuschia amber natural small large mini medium big giant tall tiny
    retrospot polkadot polka dot dots spot spotty paisley spaceboy vintage regency woodland gingham floral doily
    baroque botanical london strawberry cherry rose roses heart hearts star stars skull skulls love flower flowers
    stripe stripes stripy glass metal zinc wooden wood ceramic enamel paper felt wicker crystal acrylic diamante
    antique painted french english assorted asstd set of pack and with in the a w s for new classic retro style
    design christmas easter party birthday hanging
    """.split()
)


def title_words(title: str) -> list[str]:
    """Lower-case word tokens of ``title`` (digits dropped)."""
    return _TOKEN.findall(title.lower())


def product_type(title: str, fallback: str = "") -> str:
    """The product type phrase of ``title``, or ``fallback`` when no type noun is found.

    Args:
        title: the product title.
        fallback: returned when the title holds no known type noun (e.g. the category).

    Returns:
        One or two lower-case words.

    Example:
        >>> product_type("Lunch Bag Red Retrospot")
        'lunch bag'
        >>> product_type("White Hanging Heart T-Light Holder")
        't-light holder'
    """
    words = title_words(title)
    # Nouns that double as looks ("doily", "glass", "heart") name the type only when nothing else does.
    for allow_descriptors in (False, True):
        for i in range(len(words) - 1, -1, -1):
            if words[i] in TYPE_NOUNS and (allow_descriptors or words[i] not in DESCRIPTORS):
                noun = _singular(words[i])
                if i > 0 and words[i - 1] not in DESCRIPTORS and words[i - 1] not in TYPE_NOUNS:
                    return f"{words[i - 1]} {noun}"
                return noun
    return fallback


def query_words(title: str, category: str = "") -> str:
    """A short shopper-style query for a product: its type, else its last two plain words, else its category.

    Example:
        >>> query_words("Jumbo Bag Red Retrospot")
        'jumbo bag'
    """
    kind = product_type(title)
    if kind:
        return kind
    plain = [w for w in title_words(title) if w not in DESCRIPTORS and len(w) > 1]
    return " ".join(plain[-2:]) if plain else category.lower()


def title_stem(title: str) -> str:
    """The title without its descriptive words: equal stems mean "the same thing in another colour/pattern"."""
    return " ".join(_singular(w) for w in title_words(title) if w not in DESCRIPTORS)


def _singular(word: str) -> str:
    if len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("xes", "ches", "shes", "sses")):
        return word[:-2]
    return word[:-1]


_PACK = re.compile(
    r"\b(?:set|pack|box|bag|tub|tin|roll)s?\s*(?:of\s*|/\s*)?(\d{1,3})\b|\bs/(\d{1,3})\b|^(\d{1,3})\s+[a-z]|\b(\d{1,3})\s*-?\s*(?:pack|count|pcs|pieces)\b",
    re.IGNORECASE,
)


def pack_size(title: str) -> int:
    """How many pieces one unit of the product holds, read from its title (1 when it does not say).

    Example:
        >>> pack_size("Set Of 6 Spice Tins Pantry Design"), pack_size("Pack Of 72 Retrospot Cake Cases")
        (6, 72)
    """
    match = _PACK.search(title)
    if not match:
        return 1
    number = next(int(g) for g in match.groups() if g)
    return number if 1 <= number <= 500 else 1
