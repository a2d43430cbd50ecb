"""Files for upload tests: a small PNG, a plain PDF, and PDFs with active content (JavaScript, a launch
action, an embedded file) that uploads must refuse; the PDFs are written by pypdf."""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject


def _bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def plain_pdf() -> bytes:
    """A one-page PDF with nothing active in it."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    return _bytes(writer)


def pdf_with(kind: str) -> bytes:
    """A one-page PDF with ``javascript``, ``launch`` or ``embedded`` content."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if kind == "javascript":
        action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                   NameObject("/JS"): TextStringObject("app.alert('hello');")})
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    elif kind == "launch":
        action = DictionaryObject({NameObject("/S"): NameObject("/Launch"),
                                   NameObject("/F"): TextStringObject("calc.exe")})
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    elif kind == "embedded":
        writer.add_attachment("payload.exe", b"MZ not really a program")
    else:
        raise ValueError(kind)
    return _bytes(writer)


def tiny_png(size: tuple[int, int] = (2, 2)) -> bytes:
    """A small, valid PNG."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


PLAIN_PDF = plain_pdf()
