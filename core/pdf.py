"""Active content in uploaded PDFs, found by parsing the document (pypdf), not by searching its bytes:
JavaScript, launch and other scripted actions, embedded or attached files, rich media and XFA forms.
Such a PDF is refused with a message saying what was found."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from core.errors import ValidationFailed

# Action types (/S) that run something or reach outside the document.
ACTIVE_ACTIONS = {"/JavaScript": "JavaScript", "/Launch": "a launch action", "/ImportData": "an import action",
                  "/SubmitForm": "a form-submission action", "/RichMediaExecute": "rich media",
                  "/Rendition": "a media rendition action", "/GoToE": "a link into an embedded file"}
# Keys whose mere presence means scripts, embedded files or interactive media.
ACTIVE_KEYS = {"/JS": "JavaScript", "/JavaScript": "JavaScript", "/EmbeddedFiles": "embedded files",
               "/EmbeddedFile": "embedded files", "/RichMedia": "rich media", "/XFA": "an XFA form"}
ACTIVE_TYPES = {"/EmbeddedFile": "embedded files", "/Filespec": "an attached file"}
ACTIVE_SUBTYPES = {"/FileAttachment": "an attached file", "/RichMedia": "rich media", "/Movie": "a movie",
                   "/Sound": "a sound", "/Screen": "a media screen"}
MAX_OBJECTS = 200_000  # a document with more objects than this is refused rather than walked


def active_content(data: bytes) -> list[str]:
    """What active content the PDF holds (empty when none); raises ValueError when it cannot be parsed."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return ["encryption (the content cannot be checked)"]
        return _walk(reader.trailer)
    except (PdfReadError, KeyError, TypeError, AttributeError, RecursionError, OSError) as exc:
        raise ValueError(str(exc)) from exc


def _walk(root: Any) -> list[str]:
    found: dict[str, None] = {}
    seen: set[tuple[int, int]] = set()
    stack = [root]
    visited = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if visited > MAX_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(node, DictionaryObject):
            for name, label in ACTIVE_KEYS.items():
                if name in node:
                    found[label] = None
            kind, subtype, action = node.get("/Type"), node.get("/Subtype"), node.get("/S")
            if isinstance(kind, NameObject) and kind in ACTIVE_TYPES:
                found[ACTIVE_TYPES[kind]] = None
            if isinstance(subtype, NameObject) and subtype in ACTIVE_SUBTYPES:
                found[ACTIVE_SUBTYPES[subtype]] = None
            if isinstance(action, NameObject) and action in ACTIVE_ACTIONS:
                found[ACTIVE_ACTIONS[action]] = None
            stack.extend(value for name, value in node.items() if name not in ("/Parent", "/P"))
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return list(found)


def refuse_active_pdf(data: bytes, *, field: str) -> None:
    """422 naming ``field`` when the PDF has active content or cannot be parsed."""
    try:
        found = active_content(data)
    except ValueError as exc:
        raise ValidationFailed("The PDF could not be read; save it again as a plain PDF and upload that.",
                               fields={field: ["Not a readable PDF."]}) from exc
    if found:
        message = (f"This PDF contains {', '.join(found)}, which could run on a reader's computer. Save it as a "
                   "plain PDF (for example print it to PDF) and upload that.")
        raise ValidationFailed(message, fields={field: [f"PDF with active content: {', '.join(found)}."]})
