"""Artifact parsers, registered by an explicit import list (no discovery at run time).

A test checks that every module in this package is listed here, so a parser cannot be
written and silently left out of a scan (or out of a PyInstaller build).
"""

from __future__ import annotations

from triage_app.core.parsing import Parser

from .android_calls import AndroidCalls
from .android_contacts import AndroidContacts
from .android_sms import AndroidSms
from .android_webview import AndroidWebview
from .burner_ios import BurnerIos
from .chromium_autofill import ChromiumAutofill
from .chromium_cookies import ChromiumCookies
from .chromium_history import ChromiumHistory
from .discord_ios import DiscordIos
from .exif_media import ExifMedia
from .firefox_cookies import FirefoxCookies
from .firefox_formhistory import FirefoxFormHistory
from .firefox_history import FirefoxHistory
from .hangouts import Hangouts
from .imessage import IMessage
from .imo_ios import ImoIos
from .instagram_ios import InstagramIos
from .ios_calls import IosCalls
from .ios_contacts import IosContacts
from .kik import Kik
from .messenger_android import MessengerAndroid
from .mewe_ios import MeweIos
from .safari_cache import SafariCache
from .safari_cookies import SafariCookies
from .safari_history import SafariHistory
from .skype import Skype
from .tango_android import TangoAndroid
from .teams_ios import TeamsIos
from .telegram_android import TelegramAndroid
from .telegram_android_account import TelegramAndroidAccount
from .twitter_ios import TwitterIos
from .viber import Viber
from .whatsapp_android import WhatsappAndroid
from .whatsapp_android_contacts import WhatsappAndroidContacts
from .whatsapp_ios import WhatsappIos

PARSERS: tuple[type[Parser], ...] = (
    AndroidCalls,
    AndroidContacts,
    AndroidSms,
    AndroidWebview,
    BurnerIos,
    ChromiumAutofill,
    ChromiumCookies,
    ChromiumHistory,
    DiscordIos,
    ExifMedia,
    FirefoxCookies,
    FirefoxFormHistory,
    FirefoxHistory,
    Hangouts,
    IMessage,
    ImoIos,
    InstagramIos,
    IosCalls,
    IosContacts,
    Kik,
    MessengerAndroid,
    MeweIos,
    SafariCache,
    SafariCookies,
    SafariHistory,
    Skype,
    TangoAndroid,
    TeamsIos,
    TelegramAndroid,
    TelegramAndroidAccount,
    TwitterIos,
    Viber,
    WhatsappAndroid,
    WhatsappAndroidContacts,
    WhatsappIos,
)


def all_parsers() -> list[Parser]:
    return [cls() for cls in PARSERS]
