"""The body every ``flask --app app … import FILE.csv`` command shares: all rows or none, each bad row told."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from core.csvio import ImportFailed
from core.extensions import db


def run_import(path: str, load: Callable[[str], list[Any]], counted: Callable[[int], str]) -> None:
    """Read ``path`` (UTF-8, a byte-order mark allowed) and ``load(text)`` it in one transaction: on
    :class:`~core.csvio.ImportFailed` print each problem (``row N: field: message``) and a total to stderr, roll
    back and exit 1; else commit and print ``imported <counted(n)> from <path>``."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        text = handle.read()
    try:
        loaded = load(text)
    except ImportFailed as exc:
        db.session.rollback()
        for row, field, message in exc.errors:
            click.echo(f"row {row}: {field + ': ' if field else ''}{message}", err=True)
        click.echo(f"nothing imported: {len(exc.errors)} problem(s) in {path}", err=True)
        raise SystemExit(1) from exc
    db.session.commit()
    click.echo(f"imported {counted(len(loaded))} from {path}")
