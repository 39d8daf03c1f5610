"""Each demo shop's vocabulary for slot extraction: category synonyms, brands, currency.

The maps are plain data so they are easy to edit: ``canonical category -> words
a shopper uses for it``. Canonical names are the catalogue's own category names
(``cartwise/shops/taxonomy.py`` for the giftshop, the source sub-categories for
electronics), so an extracted category can be used as an exact search filter.
Write synonyms in the singular; plurals ("mugs", "batteries", "shelves") are
generated. A phrase listed under two categories belongs to the first one.
Single words that are also occasions ("christmas", "party", "easter") never
select a category on their own (see :mod:`assistant.slot_vocab`); list the
compound forms ("christmas decoration", "party supplies") instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from assistant.errors import VocabularyError

CategoryMap = Mapping[str, tuple[str, ...]]


def _words(text: str) -> tuple[str, ...]:
    # One synonym per line or separated by "|", so long lists stay readable.
    return tuple(w.strip() for w in text.replace("\n", "|").split("|") if w.strip())


# Aligned with the giftshop taxonomy's keyword rules: "party bag" is a bag there,
# "birthday card" a party item and "lunch box" kitchenware, so they are here too.
GIFTSHOP_CATEGORY_SYNONYMS: CategoryMap = MappingProxyType(
    {
        "christmas": _words("""
        christmas decoration | xmas decoration | christmas ornament | christmas tree | tree decoration | tree topper
        bauble | advent calendar | advent | christmas stocking | stocking | nativity | nativity set | christmas wreath
        christmas lights | christmas card | xmas card | christmas cracker | christmas garland | christmas tree light
        santa | reindeer | snowflake | christmas jumper | christmas gift tag | christmas mug | christmas candle
        圣诞装饰 | 圣诞树"""),
        "easter": _words("""
        easter egg | easter decoration | easter bunny | easter basket | easter card | easter chick | chick
        egg hunt | bunny | hanging egg"""),
        "jewellery & accessories": _words("""
        jewellery | jewelry | necklace | bracelet | earring | ring | brooch | pendant | charm | charm bracelet
        bead | bangle | anklet | diamante | hair clip | hair slide | hair band | hairband | hair bobble
        hair accessory | scrunchie | hair comb | tiara | purse | wallet | coin purse | handbag | umbrella | scarf
        glove | compact mirror | jewellery box | jewelry box | jewellery stand | cufflinks | key ring
        首饰 | 项链 | 手链 | 耳环"""),
        "bags": _words("""
        bag | tote | tote bag | shopper | shopping bag | jumbo bag | jumbo shopper | lunch bag | party bag
        gift bag | charlotte bag | beach bag | shoulder bag | drawstring bag | backpack | rucksack | school bag
        cool bag | washing bag | laundry bag | bag for life | 包包 | 手提袋"""),
        "candles & lighting": _words("""
        candle | scented candle | pillar candle | tealight | tea light | t-light | t-light holder | tealight holder
        tea light holder | candle holder | candleholder | candlestick | lantern | night light
        fairy lights | string lights | led lights | lights | lighting | lamp | table lamp | lampshade | lamp shade
        light bulb | incense | incense stick | incense holder | oil burner | wax melt | warmer | votive | 蜡烛 | 灯"""),
        "party": _words("""
        party supplies | party decoration | party pack | bunting | balloon | banner | garland
        paper plate | paper cup | napkin | paper napkin | party napkin | party hat
        party favour | party favor | confetti | streamer | straw | paper straw | cake case | cupcake case
        muffin case | cake topper | birthday candle | birthday card | birthday banner | birthday decoration
        派对用品 | 气球"""),
        "kitchen & baking": _words("""
        kitchen | kitchenware | baking | bakeware | cake stand | cakestand | cake tin | baking tin | baking set
        baking mould | cookie cutter | biscuit cutter | cake mould | mug | coffee mug | travel mug | cup | teacup
        tea cup | cup and saucer | saucer | teapot | tea pot | tea set | tea cosy | tea towel | egg cup | plate
        side plate | dinner plate | bowl | dish | jug | milk jug | cutlery | spoon | teaspoon | apron
        oven glove | chopping board | cutting board | coaster | placemat | tray | serving tray | glass | tumbler
        beaker | water bottle | bottle | hot water bottle | lunch box | lunchbox | bread bin | jar | jam jar
        storage jar | tin | biscuit tin | storage tin | container | towel | soap dish | recipe book | recipe box
        pantry | jam making set | picnic set | picnic basket | picnic hamper | tableware | crockery
        dinnerware | glassware | doily | sugar bowl
        杯子 | 马克杯 | 茶壶 | 盘子"""),
        "garden & outdoor": _words("""
        garden | gardening | outdoor | plant pot | flower pot | planter | plant | watering can | bird feeder
        bird house | birdhouse | bird table | bird bath | garden ornament | garden sign | gnome | garden gnome
        wind chime | windchime | parasol | hen house | trug | gardening gloves | trowel | herb pot | herb garden
        seed packet | hanging basket | garden lights | solar light | thermometer | 花盆"""),
        "toys & games": _words("""
        toy | game | board game | card game | jigsaw | jigsaw puzzle | puzzle | doll | dolly | rag doll
        teddy | teddy bear | soft toy | plush | plush toy | stuffed animal | dominoes | skittles
        spinning top | yo yo | marbles | building blocks | toy car | train set | rocking horse | puppet
        finger puppet | skipping rope | playhouse | ball | magic set | knitting kit | sewing kit | craft kit
        colouring book | coloring book | colouring set | painting set | 玩具 | 拼图"""),
        "stationery & cards": _words("""
        stationery | card | greeting card | greetings card | notebook | notepad | note book | note pad | journal
        diary | planner | calendar | pen | pencil | pencil case | eraser | rubber | ruler | sharpener | sticker
        wrapping paper | gift wrap | wrap | gift tag | ribbon | playing cards | paper chain | chalkboard
        blackboard | envelope | postcard | bookmark | address book | sketchbook | sketch book | crayon
        writing set | writing paper | tissue paper | washi tape | memo pad
        sticky notes | stamp | chalk | organiser | organizer | 笔记本 | 贺卡 | 文具"""),
        "signs & wall art": _words("""
        sign | wall art | metal sign | wooden sign | hanging sign | door sign | plaque | poster | art print
        wall print
        picture | canvas | wall hanging | wall decoration | wall sticker | wall decal | picture frame | photo frame
        frame | clock | wall clock | alarm clock | mirror | memo board | magnet | fridge magnet | key hook
        coat hook | hook | key cabinet | keyring | key ring | key chain | keychain | doormat | door mat | door knob
        doorstop | door stop | coat hanger | hanger | 挂画"""),
        "storage": _words("""
        storage | storage box | box | trinket box | keepsake box | keepsake | snack box | basket | wicker basket
        storage basket | crate | drawer | chest of drawers | cabinet | rack | magazine rack | shoe rack | hamper
        trunk | desk tidy | tidy | storage bag | 收纳盒"""),
        "home decor": _words("""
        home decor | decor | home accessory | cushion | cushion cover | throw | blanket | rug | vase | ornament
        figurine | hanging heart | heart decoration | decoration | wreath | artificial flower | feather
        hand towel | washbag | wash bag | soap | chandelier | quilt | tile | 抱枕 | 花瓶"""),
        "gifts & novelties": _words("""
        novelty | novelty gift | gadget | souvenir | inflatable | stocking filler"""),
    }
)


# The electronics catalogue keeps its source sub-category names. "Printers &
# Scanners" and "Accessories" are not sold in the demo catalogue; knowing the
# shopper asked for one still beats matching a laptop.
ELECTRONICS_CATEGORY_SYNONYMS: CategoryMap = MappingProxyType(
    {
        "Gaming Laptops & Notebook Computers": _words("gaming laptop | gaming notebook | 游戏本"),
        "Laptops & Notebook Computers": _words("""
        laptop | notebook | notebook computer | macbook | macbook air | macbook pro | chromebook | ultrabook
        2 in 1 laptop | two in one laptop | thinkpad | surface laptop | surface pro | 笔记本电脑"""),
        "Desktop Computers & PCs": _words("""
        desktop | desktop computer | desktop pc | pc | computer | all in one | all in one computer | imac | mac mini
        mini pc | tower | gaming pc | gaming desktop | gaming computer | workstation | 电脑 | 台式机"""),
        "TVs": _words(
            "tv | television | telly | smart tv | oled tv | qled tv | led tv | 4k tv | tv set | 电视 | 电视机"
        ),
        "Headphones & Earbuds": _words("""
        headphones | headphone | headset | gaming headset | earbuds | earbud | earphones | earphone | airpods
        in ear headphones | over ear headphones | noise cancelling headphones | 耳机"""),
        "Monitors": _words("monitor | computer monitor | gaming monitor | pc monitor | external display | 显示器"),
        "Home Security Systems & Cameras": _words("""
        security camera | security system | home security | cctv | doorbell | video doorbell | doorbell camera
        floodlight camera | outdoor camera | indoor camera | ip camera | nvr | alarm system | 监控 | 摄像头"""),
        "Cameras & Camcorders": _words("""
        camera | digital camera | dslr | mirrorless camera | camcorder | action camera | action cam | gopro
        instant camera | drone | 360 camera | lens | 相机 | 摄像机 | 无人机"""),
        "iPad & Tablets": _words("""
        tablet | ipad | ipad pro | ipad air | ipad mini | android tablet | e reader | ereader | kindle
        galaxy tab | drawing tablet | 平板 | 平板电脑"""),
        "Phones & Two-way Radios": _words("""
        phone | smartphone | mobile | mobile phone | cell phone | cellphone | iphone | android phone | flip phone
        two way radio | walkie talkie | home phone | cordless phone | landline phone | 手机"""),
        "Smart Watches": _words("""
        smartwatch | smart watch | apple watch | galaxy watch | fitness tracker | activity tracker | watch
        智能手表 | 手表"""),
        "Soundbars & Home Theater": _words("""
        soundbar | sound bar | home theater | home theatre | home cinema | subwoofer | av receiver | receiver
        surround sound | 回音壁"""),
        "Speakers & Voice Assistants": _words("""
        speaker | bluetooth speaker | wireless speaker | portable speaker | smart speaker | voice assistant
        smart display | echo dot | homepod | 音箱 | 音响"""),
        "Video Games & Consoles": _words("""
        console | games console | game console | video game | playstation | ps5 | ps4 | xbox
        xbox series x | nintendo switch | controller | game controller | gamepad | joystick | vr headset
        arcade | arcade cabinet | game table | gaming chair | 游戏机"""),
        "Routers, Wifi Extenders & Modems": _words("""
        router | wifi router | wireless router | mesh wifi | mesh system | mesh router | modem | wifi extender
        range extender | extender | access point | networking | network switch | 路由器"""),
        "Smart Home & Safety": _words("""
        smart home | smart plug | smart bulb | smart light | smart lock | smart switch | thermostat
        smart thermostat | smoke detector | smoke alarm | carbon monoxide detector | baby monitor | 智能家居"""),
        "Hard Drives, SSD & Storage": _words("""
        hard drive | external hard drive | hdd | ssd | external ssd | external drive | portable drive
        usb stick | usb drive | flash drive | thumb drive | memory card | sd card | micro sd | nas
        硬盘 | 固态硬盘"""),
        "Musical Instruments": _words("""
        digital piano | piano | keyboard piano | electric guitar | acoustic guitar | guitar | drum kit
        electronic drums | drums | synthesizer | synth | midi keyboard | karaoke machine | karaoke | ukulele
        amplifier | guitar amp | 钢琴 | 吉他"""),
        "Batteries": _words("""
        battery | aa battery | aaa battery | rechargeable battery | power bank | portable charger | power station
        portable power station | solar generator | generator | 电池 | 充电宝"""),
        "Projectors": _words("projector | home cinema projector | mini projector | 投影仪"),
        "Streaming Devices": _words("""
        streaming device | streaming stick | streaming box | media player | fire stick | firestick | roku
        chromecast | apple tv"""),
        "Printers & Scanners": _words("""
        printer | inkjet printer | laser printer | all in one printer | photo printer | 3d printer | scanner
        ink cartridge | ink | toner | 打印机"""),
        "Accessories": _words("""
        accessory | charger | charging cable | cable | usb cable | hdmi cable | usb c cable | lightning cable
        adapter | adaptor | dock | docking station | usb hub | hub | mouse | mice | wireless mouse | gaming mouse
        computer keyboard | keyboard | wireless keyboard | gaming keyboard | mouse pad | mousepad | laptop bag
        laptop sleeve | phone case | tablet case | screen protector | tv mount | wall mount | tv stand | stylus
        apple pencil | tripod | selfie stick | webcam | car charger | wireless charger | charging pad
        surge protector
        充电器 | 鼠标 | 键盘"""),
    }
)

# The giftshop catalogue names no makers (its ranges such as "Retrospot" are design
# names, found by text search), so it has no brands to filter on.
GIFTSHOP_BRANDS: tuple[str, ...] = ()

# Catalogue brands (with the catalogue's spelling) plus a few well-known ones
# shoppers ask for. Words that are also ordinary English ("Handy", "Brilliant",
# "Brother", "Sharp") are left out: they would fire on every other sentence.
ELECTRONICS_BRANDS: tuple[str, ...] = _words("""
    Apple | Samsung | LG | HP | Lenovo | Sony | Dell | Acer | MSI | Microsoft | Hisense | Ring | Swann | Roland
    TP-Link | ASUS | Arlo | Lorex | Duracell | Sonos | TCL | iBUYPOWER | Skytech | Reolink | Klipsch | Google
    Blink | Feit | Artesia | SANUS | Beats | Defender | SimpliSafe | AvertX | Casio | Ooma | NETGEAR | Bose
    Roblox | Arcade1Up | Jackery | GoPro | Insta360 | DJI | CyberPowerPC | SanDisk | Wyze | ADT | Masingo | Atomi
    Philips | Denon | JBL | Nintendo | Autel | Lexar | Bowers & Wilkins | Skullcandy | Singing Machine | Washburn
    EFNOTE | Panasonic | AT&T | Yamaha | eero | ecobee | Canon | Nikon | Logitech | Razer | Garmin | Fitbit
    Epson | Vizio | Roku | Sennheiser | Jabra | Anker | Corsair | Motorola""")

# Product lines that name their maker only implicitly (as in cartwise/shops/electronics.py).
ELECTRONICS_BRAND_ALIASES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "Apple": _words("macbook | ipad | iphone | imac | airpods | apple watch | mac mini | homepod | apple tv"),
        "Microsoft": _words("xbox | surface"),
        "Sony": _words("playstation | ps5 | ps4"),
        "Samsung": _words("galaxy"),
        "Google": _words("google pixel | pixel phone | chromecast | nest"),
        "Beats": _words("powerbeats"),
        "Lenovo": _words("thinkpad | legion | ideapad"),
        "Dell": _words("alienware | inspiron | xps"),
        "Bowers & Wilkins": _words("bowers and wilkins | b&w"),
    }
)


@dataclass(frozen=True)
class ShopLexicon:
    """The vocabulary one shop's slot extractor is configured with.

    Attributes:
        categories: canonical category -> synonyms.
        brands: brand names as the catalogue spells them.
        brand_aliases: brand -> product-line names that imply it ("macbook" -> Apple).
        currency_symbol: the shop's currency, used when a budget names none.
    """

    categories: CategoryMap
    brands: tuple[str, ...] = ()
    brand_aliases: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    currency_symbol: str = "£"


GIFTSHOP_LEXICON = ShopLexicon(GIFTSHOP_CATEGORY_SYNONYMS, GIFTSHOP_BRANDS, currency_symbol="£")
ELECTRONICS_LEXICON = ShopLexicon(
    ELECTRONICS_CATEGORY_SYNONYMS, ELECTRONICS_BRANDS, ELECTRONICS_BRAND_ALIASES, currency_symbol="$"
)
SHOP_LEXICONS: Mapping[str, ShopLexicon] = MappingProxyType(
    {"giftshop": GIFTSHOP_LEXICON, "electronics": ELECTRONICS_LEXICON}
)


def lexicon_for_shop(shop: str) -> ShopLexicon:
    """The built-in vocabulary of a demo shop.

    Args:
        shop: shop name ("giftshop" or "electronics").

    Returns:
        The shop's :class:`ShopLexicon`.

    Raises:
        VocabularyError: for a shop without a built-in vocabulary.
    """
    try:
        return SHOP_LEXICONS[shop]
    except KeyError:
        raise VocabularyError(
            f"no built-in vocabulary for shop {shop!r}; built-in shops: {sorted(SHOP_LEXICONS)}. "
            f"Add data/shops/{shop}/lexicon.yaml (keys: categories, brands, brand_aliases, currency_symbol) "
            "or pass categories=... and brands=... to SlotExtractor."
        ) from None
