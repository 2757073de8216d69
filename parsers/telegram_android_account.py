"""Telegram for Android: the logged-in account (the device owner's Telegram identity).

App: Telegram for Android. `shared_prefs/userconfing.xml` (first account; the misspelling is
the app's) and `shared_prefs/userconfig<N>.xml` (further accounts) are Android
SharedPreferences XML files; the `user` entry is the account's own User object, TL-serialised
and base64-encoded (`triage_app.core.tlwire`, decoded like the `users` table of `cache4.db`
in `parsers.telegram_android`). Checked against IPED's `test_telegramUserConfing.xml`
(Telegram 7.7, constructor user#938458c1 of layer 12x with a 32-bit id) and generated files
with the 64-bit id layouts. A file without a `user` entry belongs to an account that was not
logged in (no record).

Record: one `contact` with `account_owner` true, `user_id`, `username` and `account` (0 for
`userconfing.xml`, N for `userconfig<N>.xml`). No timestamps are read.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from triage_app.core.errors import ParserError
from triage_app.core.models import Artifact
from triage_app.core.parsing import FileInfo, NotApplicable, ParseContext, Parser

from .telegram_android import decode_user

MAX_PREFS_BYTES = 4 << 20  # SharedPreferences files are a few KB
_ACCOUNT = re.compile(r"userconfig(\d+)\.xml$", re.IGNORECASE)


class TelegramAndroidAccount(Parser):
    name = "telegram_android_account"
    version = "1.0"
    kinds = ("contact",)
    path_globs = ("*userconfing.xml", "*/shared_prefs/userconfig*.xml")

    def parse(self, file: FileInfo, ctx: ParseContext) -> Iterator[Artifact]:
        data = ctx.read_capped(MAX_PREFS_BYTES, "a preferences file")
        try:
            root = fromstring(data)
        except (ParseError, DefusedXmlException, LookupError, ValueError) as exc:
            # LookupError: an XML declaration naming an unknown encoding
            raise NotApplicable(f"not a SharedPreferences XML file: {exc}") from exc
        if root.tag != "map":
            raise NotApplicable("not a SharedPreferences XML file (no <map>)")
        entry = root.find("string[@name='user']")
        if entry is None or not (entry.text or "").strip():
            return
        try:
            blob = base64.b64decode("".join((entry.text or "").split()), validate=True)
        except binascii.Error as exc:
            raise ParserError(f"the user entry is not base64: {exc}") from exc
        user = decode_user(blob)
        if user is None:
            raise ParserError(f"user object not decoded (constructor {blob[:4][::-1].hex()})")
        match = _ACCOUNT.search(file.name)
        fields = {
            "app": "telegram",
            "name": user.name,
            "phones": [f"+{user.phone}"] if user.phone else [],
            "emails": [],
            "user_id": user.id,
            "username": user.username,
            "account_owner": True,
            "account": int(match.group(1)) if match else 0,
        }
        yield Artifact("contact", fields)
