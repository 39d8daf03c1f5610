"""The giftshop's product taxonomy, derived from product descriptions.

UCI Online Retail has no categories, so each product is placed by the first
rule whose keywords appear in its description. Order matters: specific rules
(e.g. "christmas") come before generic ones (e.g. "decoration").
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CategoryRule:
    category: str
    keywords: tuple[str, ...]


GIFTSHOP_RULES: tuple[CategoryRule, ...] = (
    CategoryRule("christmas", ("CHRISTMAS", "XMAS", "ADVENT", "SANTA", "REINDEER", "SNOWFLAKE", "NATIVITY", "BAUBLE")),
    CategoryRule("easter", ("EASTER", "CHICK", "EGG HUNT", "BUNNY")),
    CategoryRule("jewellery & accessories", (
        "NECKLACE", "BRACELET", "EARRINGS", "RING", "BROOCH", "HAIR", "PENDANT", "CHARM", "BEAD", "DIAMANTE",
        "PURSE", "WALLET", "HANDBAG", "UMBRELLA", "SCARF", "GLOVES", "COMPACT MIRROR", "JEWEL",
    )),
    CategoryRule("bags", ("BAG", "TOTE", "SHOPPER", "RUCKSACK", "BACKPACK")),
    CategoryRule("candles & lighting", (
        "CANDLE", "T-LIGHT", "TLIGHT", "LANTERN", "LIGHTS", "LAMP", "NIGHT LIGHT", "INCENSE", "OIL BURNER",
        "LIGHT HOLDER", "FAIRY LIGHT", "WARMER",
    )),
    CategoryRule("party", (
        "PARTY", "BALLOON", "BUNTING", "NAPKIN", "PAPER CUP", "PAPER PLATE", "CAKE CASES", "CAKE CASE", "PARTY BAG",
        "STRAWS", "BIRTHDAY", "GARLAND", "CONFETTI", "BANNER",
    )),
    CategoryRule("kitchen & baking", (
        "CAKE", "MUG", "CUP", "SAUCER", "TEAPOT", "TEA ", "TEACUP", "COFFEE", "PLATE", "BOWL", "JUG", "JAR", "TIN",
        "BAKING", "KITCHEN", "CUTLERY", "SPOON", "LUNCH BOX", "LUNCHBOX", "APRON", "OVEN", "TEA TOWEL", "PANTRY",
        "RECIPE", "JAM", "MILK", "BOTTLE", "TRAY", "DISH", "EGG CUP", "BREAD", "CHOPPING", "COASTER", "BISCUIT",
        "SUGAR", "CAKESTAND", "GLASS", "TUMBLER", "PICNIC", "DOILY", "DOILIES", "FOOD", "PAN",
    )),
    CategoryRule("garden & outdoor", (
        "GARDEN", "PLANT", "FLOWER POT", "PLANTER", "BIRD", "WATERING", "PARASOL", "HEN HOUSE", "BIRDHOUSE",
        "FEEDER", "SEED", "TRUG", "ZINC", "HERB",
    )),
    CategoryRule("toys & games", (
        "TOY", "GAME", "JIGSAW", "PUZZLE", "DOLL", "DOLLY", "SPACEBOY", "SOLDIER", "SKIPPING", "TEDDY", "PLAYHOUSE",
        "SKITTLES", "DOMINOES", "CHILDRENS", "CHILDS", "KIDS", "MAGIC", "BALL", "RABBIT", "MONKEY", "CIRCUS",
        "FELTCRAFT", "KNITTING", "SEWING", "CRAFT", "PAINTING SET", "COLOURING",
    )),
    CategoryRule("stationery & cards", (
        "CARD", "PAPER", "NOTEBOOK", "PENCIL", "PEN ", "PENS", "WRAP", "STICKER", "TAPE", "ENVELOPE", "NOTE",
        "DIARY", "CALENDAR", "ERASER", "RUBBER", "RULER", "BOOK", "LETTER", "JOURNAL", "GIFT TAG", "RIBBON",
        "TISSUE", "CHALK", "STAMP", "ORGANISER",
    )),
    CategoryRule("signs & wall art", (
        "SIGN", "PLAQUE", "WALL ART", "METAL SIGN", "PICTURE", "POSTER", "PRINT", "FRAME", "CLOCK", "MIRROR",
        "WALL", "CHALKBOARD", "BLACKBOARD", "MAGNET", "KEY", "HOOK", "DOORMAT", "DOOR",
    )),
    CategoryRule("storage", (
        "BOX", "BOXES", "BASKET", "STORAGE", "DRAWER", "CABINET", "CRATE", "HOLDER", "RACK", "CASE", "TIDY",
        "HAMPER", "TRUNK",
    )),
    CategoryRule("home decor", (
        "CUSHION", "THROW", "BLANKET", "VASE", "DECORATION", "HEART", "ORNAMENT", "HANGING", "WREATH", "FLOWER",
        "ROSE", "FEATHER", "DOORSTOP", "BATHROOM", "TOWEL", "WASHBAG", "SOAP", "CHANDELIER", "LACE", "QUILT",
        "HOT WATER BOTTLE", "STAR", "BELL", "TILE", "SHELF",
    )),
)

DEFAULT_CATEGORY = "gifts & novelties"

GIFTSHOP_CATEGORIES: tuple[str, ...] = (*(rule.category for rule in GIFTSHOP_RULES), DEFAULT_CATEGORY)


def _pattern(keyword: str) -> re.Pattern[str]:
    # Word-start match so "RING" doesn't fire inside "STRING" and "TIN" not in "VINTAGE".
    return re.compile(r"(?<![A-Z])" + re.escape(keyword.strip()) + (r"(?![A-Z])" if keyword.endswith(" ") else ""))


class GiftshopCategoriser:
    """Maps an Online Retail description to one giftshop category."""

    def __init__(self, rules: tuple[CategoryRule, ...] = GIFTSHOP_RULES, default: str = DEFAULT_CATEGORY) -> None:
        self.rules = rules
        self.default = default
        self._compiled = [(rule.category, [_pattern(k) for k in rule.keywords]) for rule in rules]

    def categorise(self, description: str) -> str:
        text = description.upper()
        for category, patterns in self._compiled:
            if any(p.search(text) for p in patterns):
                return category
        return self.default
