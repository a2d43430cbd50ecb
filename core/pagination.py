"""Pagination for lists: ``page``/``page_size`` (default 50, max 500), one COUNT and one page query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from marshmallow import Schema, fields, validate
from sqlalchemy import Select, func, select

from core.extensions import db

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# The largest page number an INTEGER holds (its offset, at most 500 times more, still fits OFFSET's BIGINT).
MAX_PAGE = 2**31 - 1


class PageArgsSchema(Schema):
    """Query arguments every list endpoint accepts."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    page_size = fields.Integer(load_default=DEFAULT_PAGE_SIZE,
                               validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class PageSchema(Schema):
    """The paging figures of every list response; subclasses add ``items``."""

    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()


@dataclass
class Page:
    """One page of results with what a pager needs."""

    items: list[Any]
    page: int
    page_size: int
    total: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, -(-self.total // self.page_size))

    @property
    def has_prev(self) -> bool:
        """Whether a previous page exists."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether a next page exists."""
        return self.page < self.pages

    def envelope(self, items: list[Any]) -> dict[str, Any]:
        """The JSON list shape: serialised ``items`` plus paging figures."""
        return {"items": items, "page": self.page, "page_size": self.page_size, "total": self.total,
                "pages": self.pages}


def paginate(query: Select, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, *,
             scalars: bool = True) -> Page:
    """Run ``query`` for one page and count all its rows."""
    page = min(MAX_PAGE, max(1, int(page)))
    page_size = min(MAX_PAGE_SIZE, max(1, int(page_size)))
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    paged = query.limit(page_size).offset((page - 1) * page_size)
    result = db.session.execute(paged)
    items = list(result.unique().scalars() if scalars else result)
    return Page(items=items, page=page, page_size=page_size, total=total)


def page_args_from_request() -> tuple[int, int]:
    """``page`` and ``page_size`` from a web request's query string, clamped to valid values."""
    try:
        page = min(MAX_PAGE, max(1, int(request.args.get("page", 1))))
    except ValueError:
        page = 1
    try:
        size = min(MAX_PAGE_SIZE, max(1, int(request.args.get("page_size", DEFAULT_PAGE_SIZE))))
    except ValueError:
        size = DEFAULT_PAGE_SIZE
    return page, size
