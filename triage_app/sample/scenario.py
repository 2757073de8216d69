"""The workshop story: a fictional smuggling network seen through three seized devices.

Everything here is invented for training. The names are common given names chosen for a
fictional story; the phone numbers sit in `000` blocks of real numbering plans (valid to
`phonenumbers`, so the app links them, but not assigned to anyone we know of); web addresses
use the reserved `.example` domain or are generic public sites; the wallet address is made
from a hash of a fixed phrase.

The network (May 2024): Abu Yasin organises crossings from Zuwara; Karim recruits in
Sabratha and collects passengers; Mansour steers the boats; Tarek, in Tunisia, keeps the
money (cash, hawala and USDT on TRON). Ibrahim (from Sudan) and Amina (from Côte d'Ivoire)
are migrants who pay for a crossing: victims, whose names a public report must redact.

Devices: (1) Karim's Android phone, a file-system extraction (zip); (2) Abu Yasin's iPhone,
an iTunes-style backup; (3) Tarek's laptop, an E01 image of a GPT disk with a FAT32 and an
ext4 partition. What links them: the phone numbers of Abu Yasin, Karim, Mansour and Tarek,
the wallet address (Telegram on the phone, the ledger on the laptop), the boat's departure.

Builders (`android.py`, `iphone.py`, `laptop.py`) turn this into each app's real database
schema; `answers.py` derives the answer key from it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import base58

SEED = "qarina-workshop-2024"


def t(day: int, hour: int, minute: int, second: int = 0) -> datetime:
    """A moment of May 2024, UTC (Libya is UTC+2: 10:00 UTC is noon in Zuwara)."""
    return datetime(2024, 5, day, hour, minute, second, tzinfo=UTC)


def _tron_address(phrase: str) -> str:
    """A TRON base58check address (version 0x41) derived from a phrase: valid, owned by nobody
    we know of."""
    payload = b"\x41" + hashlib.sha256(phrase.encode()).digest()[:20]
    return str(base58.b58encode_check(payload).decode("ascii"))


WALLET = _tron_address(SEED + "/usdt")


@dataclass(frozen=True)
class Person:
    key: str
    name: str  # as saved in the others' contacts
    name_ar: str
    phone: str  # E.164
    role: str
    email: str = ""


PEOPLE = {
    p.key: p
    for p in (
        Person("karim", "Karim Sabratha", "كريم صبراتة", "+218910001001", "recruiter",
               "karim.sabratha@mail.example"),
        Person("abuyasin", "Abu Yasin", "أبو ياسين", "+218920002002", "organiser"),
        Person("mansour", "Mansour Rais", "منصور الريس", "+218940003003", "boat captain"),
        Person("tarek", "Tarek Hawala", "طارق حوالة", "+21620000404", "money keeper",
               "tarek.change@mail.example"),
        Person("ibrahim", "Ibrahim", "إبراهيم", "+249910005005", "migrant (victim)"),
        Person("amina", "Amina", "أمينة", "+2250700000606", "migrant (victim)"),
    )
}  # fmt: skip


@dataclass(frozen=True)
class Message:
    when: datetime
    sender: str  # a person key; the device owner's own messages are outgoing
    text: str
    attachment: str = ""  # a photo name of the device (see Photo.name), sent with the text


@dataclass(frozen=True)
class Chat:
    app: str  # whatsapp | sms | telegram | imessage
    members: tuple[str, ...]  # person keys other than the owner (several: a group)
    messages: tuple[Message, ...]
    title: str = ""  # group name
    handle: str = ""  # a Telegram user without a phone number: its @username


@dataclass(frozen=True)
class Call:
    when: datetime
    peer: str
    direction: str  # incoming | outgoing | missed
    seconds: int
    app: str = "phone"  # phone | whatsapp


@dataclass(frozen=True)
class Visit:
    when: datetime
    url: str
    title: str


@dataclass(frozen=True)
class Photo:
    name: str
    when: datetime
    lat: float | None
    lon: float | None
    caption: str  # what the picture shows (drawn as text on a plain image)
    colour: tuple[int, int, int]


@dataclass(frozen=True)
class Device:
    key: str
    owner: str
    label: str
    contacts: tuple[str, ...]
    chats: tuple[Chat, ...]
    calls: tuple[Call, ...] = ()
    visits: tuple[Visit, ...] = ()
    photos: tuple[Photo, ...] = ()
    extra: dict[str, object] = field(default_factory=dict)


def _m(day: int, hour: int, minute: int, sender: str, text: str, attachment: str = "") -> Message:
    return Message(t(day, hour, minute), sender, text, attachment)


HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_TEXT = "<script>alert('qarina')</script> \u202eexe.gpj"

# ---------------------------------------------------------------------------------------------
# (1) Karim's Android phone
KARIM_WHATSAPP_ABUYASIN = Chat("whatsapp", ("abuyasin",), (
    _m(1, 8, 2, "abuyasin", "صباح الخير يا كريم، كم واحد عندك للجمعة؟"),
    _m(1, 8, 5, "karim", "عندي ٢٣ راكب، منهم ٤ نساء. الفلوس جاهزة كلها"),
    _m(1, 8, 7, "abuyasin", "باهي. القارب جاهز في زوارة، منصور يسوق"),
    _m(1, 8, 9, "karim", "و خفر السواحل؟ سمعت فيه دوريات"),
    _m(1, 8, 12, "abuyasin", "ما تخافش، الطريق مضمون. الدفع كامل قبل الطلعة"),
    _m(1, 9, 30, "abuyasin", "ابعث الباقي لطارق على المحفظة، USDT فقط"),
    _m(2, 18, 40, "karim", "الجماعة في المخزن قرب الشاطئ، ننتظروا الإشارة"),
    _m(2, 18, 44, "abuyasin", "الطلعة بكرة الساعة ٣ الصبح. سترات النجاة عند منصور"),
))  # fmt: skip
KARIM_WHATSAPP_IBRAHIM = Chat("whatsapp", ("ibrahim",), (
    _m(1, 11, 0, "ibrahim", "السلام عليكم أخي، كم سعر الرحلة لإيطاليا؟"),
    _m(1, 11, 4, "karim", "٤٥٠٠ دولار للراس، والمركب كبير و آمن"),
    _m(1, 11, 6, "ibrahim", "ما عندي غير ٣٠٠٠ الآن، الباقي أهلي يرسلوه"),
    _m(1, 11, 9, "karim", "لا، الدفع كامل قبل الطلعة. تعال صبراتة و نتفاهموا"),
    _m(2, 7, 15, "ibrahim", "وصلت صبراتة. وين المكان؟"),
        _m(2, 7, 20, "karim", "هذا المخزن، تعال بعد المغرب", "IMG_20240501_sabratha.jpg"),
))  # fmt: skip
KARIM_WHATSAPP_GROUP = Chat("whatsapp", ("abuyasin", "mansour"), (
    _m(2, 20, 0, "abuyasin", "الجمعة: ٢٣ راكب من عند كريم، ١٢ من عندي"),
    _m(2, 20, 3, "mansour", "Le moteur 40 chevaux est prêt, il faut 200 litres d'essence"),
    _m(2, 20, 5, "karim", "GPS و تلفون الثريا عندك؟"),
    _m(2, 20, 6, "mansour", "ey, kol chay jahez. el babour yokhrej m3a el fjer"),
    _m(3, 2, 55, "mansour", "On part maintenant. Direction Lampedusa"),
    _m(3, 9, 20, "mansour", "Position now 34.50 N 12.30 E, all good", "IMG_20240503_at-sea.jpg"),
), title="رحلة الجمعة")  # fmt: skip
KARIM_SMS_AMINA = Chat("sms", ("amina",), (
    _m(1, 14, 0, "amina", "Bonjour, c'est combien pour la traversée vers l'Italie ?"),
    _m(1, 14, 6, "karim", "Le passage coûte 4000 euros. Départ de Zouara vendredi."),
    _m(1, 14, 9, "amina", "Il faut un passeport ? J'ai seulement ma carte."),
    _m(1, 14, 12, "karim", "Pas besoin de papiers. Paiement complet avant le départ."),
    _m(2, 16, 30, "amina", HOSTILE_TEXT),
))  # fmt: skip
KARIM_SMS_TAREK = Chat("sms", ("tarek",), (
    _m(1, 10, 0, "karim", "salam khouya Tarek, el flous wselt? 23 ras"),
    _m(1, 10, 20, "tarek", "wselt 60000 dinar b 7wala, el ba9i 3la el wallet USDT"),
    _m(2, 12, 0, "tarek", "Wallet: " + WALLET),
))  # fmt: skip
KARIM_TELEGRAM = Chat("telegram", ("sarraf",), (
    _m(1, 19, 0, "karim", "Need to change 20000 USDT to cash in Zuwara"),
    _m(1, 19, 5, "sarraf", "Send to " + WALLET + " and I give cash tomorrow"),
    _m(1, 19, 8, "karim", "ok, fee?"),
    _m(1, 19, 9, "sarraf", "2% as usual"),
), handle="sarraf_usdt")  # fmt: skip

ROUTE_PHOTOS = (
    Photo("IMG_20240501_sabratha.jpg", t(1, 17, 12), 32.7930, 12.4880,
          "Sabratha — the warehouse", (38, 84, 160)),
    Photo("IMG_20240502_zuwara.jpg", t(2, 17, 40), 32.9312, 12.0819,
          "Zuwara beach — the boat", (90, 90, 128)),
    Photo("IMG_20240503_at-sea.jpg", t(3, 9, 18), 34.5000, 12.3000,
          "At sea", (140, 90, 100)),
    Photo("IMG_20240504_lampedusa.jpg", t(4, 6, 5), 35.5010, 12.6050,
          "Lampedusa — arrival", (190, 90, 70)),
)  # fmt: skip

ANDROID = Device(
    key="android",
    owner="karim",
    label="Karim's Android phone (file-system extraction)",
    contacts=("abuyasin", "mansour", "tarek", "ibrahim", "amina"),
    chats=(
        KARIM_WHATSAPP_ABUYASIN,
        KARIM_WHATSAPP_IBRAHIM,
        KARIM_WHATSAPP_GROUP,
        KARIM_SMS_AMINA,
        KARIM_SMS_TAREK,
        KARIM_TELEGRAM,
    ),
    calls=(
        Call(t(1, 7, 55), "abuyasin", "incoming", 184),
        Call(t(1, 13, 2), "mansour", "outgoing", 65),
        Call(t(2, 19, 10), "abuyasin", "missed", 0),
        Call(t(2, 19, 12), "abuyasin", "outgoing", 240),
        Call(t(3, 1, 30), "mansour", "incoming", 30, app="whatsapp"),
    ),
    visits=(
        Visit(
            t(1, 6, 30),
            "https://www.facebook.com/groups/harga.italia.2024.example",
            "Harga Italia 2024 | Facebook",
        ),
        Visit(
            t(1, 6, 41),
            "https://www.google.com/search?q=%D8%B4%D8%A7%D8%B7%D8%A6+%D8%B2%D9%88%D8%A7%D8%B1%D8%A9",
            "شاطئ زوارة - بحث Google",
        ),
        Visit(
            t(2, 21, 0),
            "https://weather.example/forecast/lampedusa?days=3",
            "Lampedusa — mer et vent, 3 jours",
        ),
        Visit(
            t(2, 21, 4),
            "https://souq-libya.example/ads/12345-boat-engine-40hp",
            "محرك ياماها 40 حصان للبيع - سوق ليبيا",
        ),
    ),
    photos=ROUTE_PHOTOS,
)

# ---------------------------------------------------------------------------------------------
# (2) Abu Yasin's iPhone: the same WhatsApp conversation with Karim, seen from his side.
ABU_WHATSAPP_KARIM = Chat("whatsapp", ("karim",), KARIM_WHATSAPP_ABUYASIN.messages)
ABU_WHATSAPP_TAREK = Chat("whatsapp", ("tarek",), (
    _m(1, 9, 35, "abuyasin", "Tarek, Karim yab3ath el ba9i 3la el wallet"),
    _m(1, 9, 50, "tarek", "ok. el 7sab: 35 ras x 4500 = 157500 dollar, el samsar ya5ou 10%"),
    _m(4, 8, 0, "tarek", "wselna. ba9i 12000 ma khalsouch"),
))  # fmt: skip
ABU_IMESSAGE_MANSOUR = Chat("imessage", ("mansour",), (
    _m(2, 10, 0, "abuyasin", "منصور، الزودياك جاهز؟ المحرك تبدل؟"),
    _m(2, 10, 8, "mansour", "جاهز. ركبت محرك جديد ٤٠ حصان"),
    _m(4, 6, 10, "mansour", "وصلنا لامبيدوزا الحمد لله، كلهم بخير", "IMG_0104.JPG"),
))  # fmt: skip
ABU_SMS_KARIM = Chat("sms", ("karim",), (
    _m(3, 2, 40, "karim", "كل الجماعة ركبوا. ٣٥ راكب"),
    _m(3, 2, 41, "abuyasin", "امسح الرسائل بعد ما يوصلوا"),
))  # fmt: skip
IPHONE = Device(
    key="iphone",
    owner="abuyasin",
    label="Abu Yasin's iPhone (iTunes backup)",
    contacts=("karim", "mansour", "tarek"),
    chats=(ABU_WHATSAPP_KARIM, ABU_WHATSAPP_TAREK, ABU_IMESSAGE_MANSOUR, ABU_SMS_KARIM),
    calls=(
        Call(t(1, 7, 55), "karim", "outgoing", 184),
        Call(t(2, 19, 10), "karim", "outgoing", 0),  # Karim missed it
        Call(t(3, 23, 0), "mansour", "incoming", 95),
    ),
    visits=(
        Visit(t(1, 20, 0), "https://weather.example/marine/zuwara", "Météo marine Zouara"),
        Visit(t(2, 8, 15), "https://tronscan.org/#/address/" + WALLET, "TRONSCAN | Address"),
        Visit(t(2, 8, 30), "https://bank.example/login", "Online banking"),
    ),
    photos=(
        Photo(
            "IMG_0101.JPG",
            t(2, 9, 50),
            32.9330,
            12.0790,
            "Zuwara — the new 40 hp engine",
            (60, 110, 70),
        ),
        Photo("IMG_0102.JPG", t(2, 11, 0), None, None, "Cash on the table", (170, 150, 60)),
        Photo("IMG_0104.JPG", t(4, 6, 8), 35.5000, 12.6000, "Lampedusa port", (70, 120, 170)),
    ),
)

# ---------------------------------------------------------------------------------------------
# (3) Tarek's laptop: the ledger, classifieds in the browser, an Arabic report in UTF-16,
# deleted files on both partitions.
LEDGER_ROWS = (
    ("2024-05-01", "Karim Sabratha", PEOPLE["karim"].phone, "60000", "LYD", "cash 23 ras"),
    ("2024-05-01", "Abu Yasin", PEOPLE["abuyasin"].phone, "20000", "USDT", WALLET),
    ("2024-05-02", "Mansour Rais", PEOPLE["mansour"].phone, "-5000", "LYD", "moteur 40cv"),
    ("2024-05-04", "Abu Yasin", PEOPLE["abuyasin"].phone, "-12000", "USDT", "reste"),
)  # fmt: skip
REPORT_AR = (
    "تقرير الرحلات — مايو ٢٠٢٤\n"
    "رحلة الجمعة من زوارة: ٣٥ راكب، القارب وصل لامبيدوزا يوم ٤ مايو.\n"
    "الدفع: ٢٠٠٠٠ USDT على المحفظة، والباقي نقداً عند كريم.\n"
    "الرحلة القادمة: تحتاج قارب ثاني ومهرب جديد.\n"
)
LAPTOP = Device(
    key="laptop",
    owner="tarek",
    label="Tarek's laptop (E01 image)",
    contacts=(),
    chats=(),
    visits=(
        Visit(
            t(1, 15, 0),
            "https://souq-libya.example/ads/55501-zodiac-boat-9m",
            "قارب زودياك ٩ متر للبيع - سوق ليبيا",
        ),
        Visit(
            t(1, 15, 5),
            "https://souq-libya.example/ads/55502-life-jackets-50",
            "سترات نجاة ٥٠ قطعة - سوق ليبيا",
        ),
        Visit(
            t(2, 9, 0),
            "https://annonces-tn.example/vente/moteur-yamaha-40cv",
            "Moteur Yamaha 40 CV - Annonces Tunisie",
        ),
        Visit(t(2, 9, 20), "https://tronscan.org/#/address/" + WALLET, "TRONSCAN | Address"),
    ),
    photos=(
        Photo(
            "receipt_2024-05-02.jpg",
            t(2, 13, 0),
            33.8815,
            10.0982,
            "Gabès — exchange receipt",
            (200, 200, 200),
        ),
    ),
)

DEVICES = (ANDROID, IPHONE, LAPTOP)
SARRAF = Person("sarraf", "Sarraf USDT", "صراف", "", "money changer (Telegram, no number)")


def person(key: str) -> Person:
    return SARRAF if key == "sarraf" else PEOPLE[key]


def shifted(moment: datetime, seconds: int) -> datetime:
    return moment + timedelta(seconds=seconds)
