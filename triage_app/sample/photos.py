"""Photos of the sample: a plain picture with its caption, and the EXIF a phone camera writes.

Each photo carries `DateTimeOriginal` as the camera's wall clock in Libya (UTC+2) with
`OffsetTimeOriginal` "+02:00" (EXIF 2.31), so the app can state the time in UTC exactly; a
located photo also has the GPS IFD (latitude/longitude as degree-minute-second rationals,
GPSDateStamp/GPSTimeStamp in UTC) — what a trainer checks on the map.

Pillow writes the JPEG; the picture and its EXIF depend only on the `Photo`, so the bytes are
the same on every run with the same Pillow.
"""

from __future__ import annotations

import io
from datetime import timedelta
from fractions import Fraction

from PIL import Image, ImageDraw, ImageFont

from .scenario import Photo

SIZE = (480, 360)
LOCAL_OFFSET = timedelta(hours=2)  # Libya: Eastern European Time all year
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_MAKE, _MODEL, _SOFTWARE, _DATETIME = 0x010F, 0x0110, 0x0131, 0x0132
_ORIGINAL, _OFFSET_ORIGINAL = 0x9003, 0x9011


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    """Degrees, minutes and seconds (to 1/100 s) of an absolute coordinate."""
    total = round(abs(value) * 360_000)  # hundredths of a second
    degrees, rest = divmod(total, 360_000)
    minutes, hundredths = divmod(rest, 6_000)
    return Fraction(degrees), Fraction(minutes), Fraction(hundredths, 100)


def exif_for(photo: Photo, make: str, model: str) -> Image.Exif:
    exif = Image.Exif()
    local = (photo.when + LOCAL_OFFSET).strftime("%Y:%m:%d %H:%M:%S")
    exif[_MAKE], exif[_MODEL], exif[_SOFTWARE], exif[_DATETIME] = make, model, model, local
    ifd = exif.get_ifd(_EXIF_IFD)
    ifd[_ORIGINAL], ifd[_OFFSET_ORIGINAL] = local, "+02:00"
    if photo.lat is not None and photo.lon is not None:
        gps = exif.get_ifd(_GPS_IFD)
        gps[0] = b"\x02\x03\x00\x00"  # GPSVersionID 2.3
        gps[1], gps[2] = ("N" if photo.lat >= 0 else "S"), _dms(photo.lat)
        gps[3], gps[4] = ("E" if photo.lon >= 0 else "W"), _dms(photo.lon)
        moment = photo.when
        gps[7] = (Fraction(moment.hour), Fraction(moment.minute), Fraction(moment.second))
        gps[29] = moment.strftime("%Y:%m:%d")
    return exif


def make_photo(photo: Photo, *, make: str, model: str) -> bytes:
    """The JPEG bytes of `photo`, as the named camera would have stored it."""
    image = Image.new("RGB", SIZE, photo.colour)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    draw.rectangle((0, SIZE[1] - 60, SIZE[0], SIZE[1]), fill=(20, 20, 20))
    draw.text((14, SIZE[1] - 48), photo.caption, fill=(255, 255, 255), font=font)
    draw.text((14, SIZE[1] - 26), "Qarina workshop sample — fictional", fill=(200, 200, 200),
              font=font)  # fmt: skip
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif_for(photo, make, model))
    return out.getvalue()
