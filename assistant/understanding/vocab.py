"""Shop-independent words the slot extractor knows: colours, sizes, people, occasions, numbers.

Every table maps what a shopper may write to one canonical value. Keys are
written naturally ("mother's day", "t-shirt"); the extractor normalises them the
same way as messages (lower case, apostrophes dropped, hyphens between letters
read as spaces), so "Mothers Day" and "mother's day" both match.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType


def wordset(spec: str) -> frozenset[str]:
    """Words separated by spaces, or phrases separated by "|" when there are any."""
    return frozenset(w.strip() for w in spec.split("|" if "|" in spec else None) if w.strip())


def phrases(spec: str) -> tuple[str, ...]:
    """Phrases separated by "|", in order."""
    return tuple(w.strip() for w in spec.split("|") if w.strip())


def pairs(spec: str) -> Mapping[str, str]:
    """ "key=value | key=value" as a read-only mapping."""
    return MappingProxyType(dict(tuple(p.split("=", 1)) for p in phrases(spec)))  # type: ignore[misc]


def int_pairs(spec: str) -> Mapping[str, int]:
    """ "key=1 | key=2" as a read-only mapping to ints."""
    return MappingProxyType({k: int(v) for k, v in pairs(spec).items()})


def _table(spec: str) -> Mapping[str, str]:
    # "canonical: variant | variant" per line; the canonical form matches itself.
    table: dict[str, str] = {}
    for line in spec.strip().splitlines():
        canonical, _, variants = line.partition(":")
        canonical = canonical.strip()
        table[canonical] = canonical
        for variant in variants.split("|"):
            if variant.strip():
                table[variant.strip()] = canonical
    return MappingProxyType(table)


# Canonical colours use British spelling ("grey", "multicolour").
COLOURS = _table("""
red: scarlet | crimson | cherry red | 红色 | 红
blue: navy | navy blue | royal blue | sky blue | light blue | dark blue | baby blue | cobalt | 蓝色 | 蓝
pink: hot pink | baby pink | pale pink | light pink | blush | fuchsia | fuschia | 粉色 | 粉红色
green: dark green | light green | sage green | olive green | lime green | forest green | emerald | 绿色
white: off white | snow white | 白色
black: jet black | matte black | 黑色
silver: 银色
gold: golden | 金色
rose gold: 玫瑰金
grey: gray | charcoal | slate grey | space grey | space gray | light grey | dark grey | 灰色
ivory:
mint: mint green
cream: off cream
beige: taupe | oatmeal
brown: chocolate brown | tan | 棕色
yellow: mustard yellow | lemon yellow | 黄色
orange: 橙色
purple: violet | lilac | plum | mauve | 紫色
turquoise: teal | aqua | duck egg | duck egg blue
copper: bronze
multicolour: multicolor | multi colour | multi color | multicoloured | multicolored | rainbow
pastel: pastels | pastel colours | pastel colors
clear: transparent
""")

# Colour words that are something else inside these phrases.
NOT_COLOUR_PHRASES: tuple[str, ...] = phrases(
    """
    black friday | red nose day | white christmas | ice cream | green tea | white wine | red wine | clear my |
    clear the | clear out | orange juice | gold account | gold member | gold membership | silver account |
    silver member | green light
"""
)

# Letter sizes only where they can't be a stray letter ("x's" -> "xs").
SIZES: Mapping[str, str] = pairs(
    """
    mini=mini | tiny=mini | miniature=mini | extra small=mini | small=small | petite=small | compact=small |
    medium=medium | regular size=medium | standard size=medium | mid size=medium | large=large | big=large |
    large size=large | extra large=extra large | oversized=extra large | jumbo=jumbo | giant=jumbo | size xs=XS |
    size s=S | size m=M | size l=L | xl=XL | size xl=XL | xxl=XXL | 2xl=XXL | xxxl=XXXL | 3xl=XXXL
"""
)

# Which end of the scale a size is at: a size word for a thing its titles measure picks that end ("a small tv"),
# and one ruled out asks for the other ("nothing too big").
SIZE_ENDS: Mapping[str, str] = MappingProxyType(
    {"mini": "small", "small": "small", "large": "large", "extra large": "large", "jumbo": "large"})
_SAID_AS: dict[str, frozenset[str]] = {
    size: frozenset(w for w, value in SIZES.items() if value == size) for size in set(SIZES.values())}


def size_words(size: str) -> frozenset[str]:
    """The words that say ``size`` (a value of :data:`SIZES`): "large" -> big, large, large size."""
    return _SAID_AS.get(size, frozenset())


# Nouns that stand for whichever product is meant: "the most expensive thing", "the first item".
ITEM_NOUNS = frozenset({"thing", "things", "item", "items"})

RECIPIENTS = _table("""
mum: mom | mommy | mummy | mother | mam | mama | 妈妈 | 母亲
dad: father | daddy | papa | pa | 爸爸 | 父亲
parents: mum and dad | mom and dad | my parents | 父母
grandma: gran | granny | nan | nana | nanna | grandmother | grandmom | 奶奶 | 外婆
grandad: granddad | grandpa | grandfather | gramps | 爷爷 | 外公
wife: missus | 老婆 | 妻子
husband: hubby | 老公 | 丈夫
partner: other half | significant other
girlfriend: gf | 女朋友
boyfriend: bf | 男朋友
fiance: fiancee | fiancé | fiancée
son: 儿子
daughter: 女儿
kids: children | kiddies | kiddos | 孩子
child: kid | toddler | little one
boy: lad | little boy | boys
girl: lass | little girl | girls
baby: newborn | infant | 宝宝
teen: teenager
sister: sis | 姐姐 | 妹妹
brother: bro | 哥哥 | 弟弟
aunt: auntie | aunty
uncle:
niece:
nephew:
cousin:
grandchild: grandson | granddaughter | grandkids | grandchildren
in laws: in law | mother in law | father in law | sister in law | brother in law
teacher: teachers
boss: manager
colleague: coworker | co worker | workmate | colleagues | coworkers | team
friend: best friend | bestie | mate | pal | bff | friends | 朋友
neighbour: neighbor | neighbours | neighbors
host: hostess | hosts
couple: newlyweds | bride and groom | happy couple
him:
her:
myself: me | self | 我自己
""")

# Recipients who are grown-ups (a son, a niece or a friend may be any age): a present for them lists the things
# made for children last.
ADULT_RECIPIENTS = wordset(
    """
    mum | dad | parents | grandma | grandad | wife | husband | partner | girlfriend | boyfriend | fiance | in laws |
    teacher | boss | colleague | neighbour | host | aunt | uncle | couple
"""
)

# Family words name a recipient even without "for"/"my" ("Mum loves candles");
# the rest ("friend", "boss", "me", "her") need that context.
BARE_RECIPIENTS = wordset(
    """
    mum | dad | parents | grandma | grandad | wife | husband | girlfriend | boyfriend | fiance | son | daughter |
    grandchild | in laws | myself
"""
)

OCCASIONS = _table("""
birthday: bday | b day | birthday party | 生日
christmas: xmas | x mas | christmas day | christmas eve | 圣诞 | 圣诞节
secret santa:
wedding: wedding day | wedding gift | wedding present | 婚礼
anniversary: wedding anniversary | 周年纪念
engagement: engagement party
mother's day: mothers day | mom's day | moms day | mothering sunday | 母亲节
father's day: fathers day | 父亲节
valentine's day: valentines | valentine | valentines day | 情人节
baby shower: new baby | gender reveal | had a baby | having a baby | newborn
christening: baptism
housewarming: house warming | new home | moving in
tea party: afternoon tea
party: parties | dinner party | garden party | leaving do | leaving party | 派对
hen party: hen do | hen night | bachelorette
stag do: stag party | bachelor party
halloween: 万圣节
easter: 复活节
retirement: retiring
graduation: graduating | 毕业
home office: work from home | working from home | wfh | office
back to school: school
new year: new years | new years eve | nye | 新年
chinese new year: lunar new year | 春节
thanksgiving:
black friday: cyber monday
diwali:
eid:
hanukkah: chanukah
get well soon: get well
thank you gift: thank you present | thanks gift
new job:
""")

# A bare "party"/"office"/"school" is weak evidence of an occasion; these need
# a preposition or "gift"/"present" around them, see the extractor.
WEAK_OCCASIONS = frozenset({"home office", "back to school"})

# Phrases that contain product words but are about the shop, not a product.
NON_PRODUCT_PHRASES: tuple[str, ...] = phrases(
    """
    sign in | sign up | sign out | sign into | sign me | credit card | debit card | bank card | gift card |
    card details | card payment | by card | my card | the card was | card number | phone number | by phone |
    over the phone | on the phone | phone call | call me | phone me | phone you | phone support | battery life |
    to watch | watch tv | watch films | watch movies | watch videos | watch netflix | out of the box |
    in the box | inbox | tracking number | order number | gift wrap it | case number | in case | just in case |
    lights out | game changer | storage space | wi fi password | my basket | the basket | your basket |
    to basket | in basket | shopping basket | basket total | to my bag | to bag | my shopping bag |
    shopping cart | secret santa | premium account | premium membership | premium delivery | premium shipping |
    discount code | discount codes | promo code | promo codes | voucher code | voucher codes | deal with |
    dealt with | dealing with
"""
)

NUMBER_WORDS: Mapping[str, int] = int_pairs(
    """
    one=1 | two=2 | three=3 | four=4 | five=5 | six=6 | seven=7 | eight=8 | nine=9 | ten=10 | eleven=11 |
    twelve=12 | thirteen=13 | fourteen=14 | fifteen=15 | sixteen=16 | seventeen=17 | eighteen=18 | nineteen=19 |
    twenty=20 | thirty=30 | forty=40 | fifty=50 | sixty=60 | seventy=70 | eighty=80 | ninety=90
"""
)

ORDINALS: Mapping[str, int] = MappingProxyType(
    {
        "first": 1,
        "1st": 1,
        "second": 2,
        "2nd": 2,
        "third": 3,
        "3rd": 3,
        "fourth": 4,
        "4th": 4,
        "fifth": 5,
        "5th": 5,
        "sixth": 6,
        "6th": 6,
        "seventh": 7,
        "7th": 7,
        "eighth": 8,
        "8th": 8,
        "ninth": 9,
        "9th": 9,
        "tenth": 10,
        "10th": 10,
        "top": 1,
        "last": -1,
        "final": -1,
        "bottom": -1,
        "penultimate": -2,
        "second to last": -2,
        "second last": -2,
        "latter": -1,
        "former": 1,
    }
)

# The units of a person's age ("a 10 year old", "my 18 month old").
AGE_UNITS = frozenset({"year", "years", "yr", "yrs", "month", "months", "week", "weeks"})

# Nouns that count people, and words a count of items may be followed by.
PEOPLE_NOUNS = wordset(
    """
    people | persons | person | guests | guest | adults | of us | kids | children | friends | players | diners |
    pax
"""
)
COUNT_NOUNS = wordset(
    """
    items | pieces | pcs | units | sets | packs | pairs | boxes | of them | of those | of these | of each | each
"""
)

# Words after a number that show it is not money or an item count.
UNIT_WORDS = wordset(
    """
    percent per days day weeks week months month years year yrs yr hours hour hrs minutes minute mins min
    seconds secs inch inches cm mm ft feet foot metres meters kg g lb lbs oz miles km stars star reviews times
    am pm oclock gb tb mb hz w watts mah mp working business digits characters letters degrees people persons
    guests kids children items pieces pcs units orders order old tier tiers layer layers sides sided ply way
    seater ounces grams pints litres liters ml
"""
)

# What price words ask of the products: a level ("cheap", "premium"), a move from what is on the screen
# ("cheaper", "pricier"), an order ("the cheapest", "the most expensive") or a discount ("on offer"; the bare
# "offer" is left out: "do you offer gift wrapping" asks about a service).
PRICE_WORDS = _table("""
low: cheap | inexpensive | affordable | budget | low cost | bargain | economical | cheapo | not expensive
low: not too expensive | not pricey | not too pricey | not too dear | value for money | reasonably priced
low: 便宜 | 实惠
low: wont break the bank | not break the bank | on a shoestring | moneys tight | money is tight | tight budget
low: not much more | not much dearer | not much extra | a bit more | little more
high: premium | luxury | luxurious | high end | top end | top of the range | expensive | pricey | fancy
high: splurge | designer | best money can buy | 高端
high: a fortune | loads of money | lots of money | a lot of money | spend much | spend a lot
cheaper: less expensive | lower price | lower priced | more affordable | less pricey | cheaper ones
pricier: more expensive | higher end | better quality | fancier | more premium | dearer | posher
cheapest: least expensive | lowest price | lowest priced | most affordable | cheapest ones
priciest: most expensive | dearest | highest price | highest priced | fanciest | most premium
discounted: on offer | on sale | deal | deals | discount | discounts | reduced | special offer | special offers
discounted: offers | promotion | promotions | clearance | money off | marked down | in the sale
""")

# Words that say "an order" or what happens to one, not what was in it ("the parcel with the cake tins").
# Words that ask for several things chosen together, as a set.
SET_WORDS = frozenset({"bundle", "bundles", "set", "kit", "hamper", "package", "combo"})
# Words that ask what the shopper spent ("how much have i spent this year").
SPENDING_WORDS = frozenset({"spend", "spent", "spending"})
ORDER_WORDS = frozenset("""order orders ordered parcel parcels package packages delivery deliveries purchase purchases
    shipment box placed bought buy arrive arrived arriving came come delivered shipped sent cancel change refund
    invoice status track""".split())
