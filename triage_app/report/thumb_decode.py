"""Decoding a photo into a thumbnail JPEG: the part of `thumbs.py` that runs in a worker
process (`jpeg`), because it is where hostile bytes meet native code (Pillow's and libheif's
decoders). The bounds are described in `thumbs.py`; this module only decodes bytes the caller
has already read and verified.
"""

from __future__ import annotations

import importlib
import io
import warnings

from PIL import Image, ImageFilter, UnidentifiedImageError

from ..core.errors import Cancelled

MAX_PIXELS = 50_000_000
BLUR_SIDE = 8
JPEG_QUALITY = 80
FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF", "AVIF")
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})
_ORIENTATION_TAG = 0x0112
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class ContentProblem(Exception):
    """The (verified) content gives no thumbnail: the same for every copy of it."""


def jpeg(data: bytes, max_side: int, blur: bool) -> bytes | str:
    """The thumbnail of `data` as JPEG bytes, or why there is none (a worker's task: the
    problem travels back as a value)."""
    try:
        return _encode(_decode(data, max_side, blur))
    except ContentProblem as exc:
        return str(exc)


def _decode(data: bytes, max_side: int, blur: bool) -> Image.Image:
    try:
        return _thumbnail(data, max_side, blur)
    except (ContentProblem, Cancelled):
        raise
    except Exception as exc:
        raise ContentProblem(_decode_problem(exc)) from exc


def _decode_problem(exc: Exception) -> str:
    if isinstance(exc, Image.DecompressionBombError | Image.DecompressionBombWarning):
        return "image too large to decode safely"
    if isinstance(exc, UnidentifiedImageError):
        return "not a readable image"
    if isinstance(exc, OSError | SyntaxError | EOFError):
        return "image data is damaged or truncated"
    if isinstance(exc, MemoryError):
        return "image too large to decode"
    return f"image could not be decoded ({type(exc).__name__})"


def _thumbnail(data: bytes, max_side: int, blur: bool) -> Image.Image:
    formats = _formats(data)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data), formats=formats) as image:
            if image.format in ("JPEG", "MPO"):
                image.draft("RGB", (2 * max_side, 2 * max_side))
            width, height = image.size
            if width < 1 or height < 1 or width * height > MAX_PIXELS:
                raise ContentProblem(
                    f"image too large to decode safely ({width} × {height} pixels)"
                )
            orientation = _orientation(image)
            image.load()
            frame = _rgb(image)
    frame.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    if orientation in _TRANSPOSE:
        frame = frame.transpose(_TRANSPOSE[orientation])
    return _blurred(frame) if blur else frame


def _formats(data: bytes) -> list[str]:
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        if not _heif_available():
            raise ContentProblem("HEIC thumbnails need pillow-heif")
        return ["HEIF"]
    Image.init()  # loads the plugins once; a name Pillow does not know would raise KeyError
    return [name for name in FORMATS if name in Image.OPEN]


_heif_state: list[bool] = []


def _heif_available() -> bool:
    if not _heif_state:
        try:
            module = importlib.import_module("pillow_heif")
            module.register_heif_opener()
            _heif_state.append(True)
        except Exception:  # noqa: BLE001 - a broken optional plugin means "not available"
            _heif_state.append(False)
    return _heif_state[0]


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(_ORIENTATION_TAG)
    except Exception:  # noqa: BLE001 - unreadable EXIF: the image is shown as stored
        return 1
    return value if isinstance(value, int) else 1


def _rgb(image: Image.Image) -> Image.Image:
    transparent = image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info
    if image.mode.startswith("I;16"):  # 16-bit grey: scaled to 8 bits, not clipped
        return image.convert("I").point(lambda v: v * (1 / 256)).convert("RGB")
    if not transparent:
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    background.alpha_composite(rgba)
    return background.convert("RGB")


def _blurred(frame: Image.Image) -> Image.Image:
    width, height = frame.size
    scale = BLUR_SIDE / max(width, height)
    tiny_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    tiny = frame.resize(tiny_size, Image.Resampling.BOX)
    coarse = tiny.resize((width, height), Image.Resampling.BICUBIC)
    radius = max(2.0, max(width, height) / 32)
    return coarse.filter(ImageFilter.GaussianBlur(radius))


def _encode(frame: Image.Image) -> bytes:
    clean = Image.new("RGB", frame.size)  # no info: no EXIF, ICC, comment or DPI carried over
    clean.paste(frame)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=JPEG_QUALITY, subsampling=2, optimize=False, progressive=False)
    return out.getvalue()
