"""The audit log's outside: ``GET /api/v1/audit``, the reviewers' audit page, ``audit verify`` and
``audit checkpoint``."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Blueprint, current_app, render_template, request
from flask.cli import AppGroup
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core import audit_chain, audit_page, navigation, policy
from core.apiutil import ApiBlueprint
from core.audit import ENTITY_TYPES, AuditEntry, check_checkpoint, make_checkpoint, newest_first, verify_chain
from core.pagination import PageArgsSchema, PageSchema, page_args_from_request, paginate

bp = Blueprint("audit", __name__)
blp = ApiBlueprint("audit_api", __name__, url_prefix="/api/v1", description="The hash-chained audit log")
audit_cli = AppGroup("audit", help="The audit log.")

navigation.register("Audit log", "audit.index", "audit.read", order=95)


class AuditQuerySchema(PageArgsSchema):
    """Filters for the audit list."""

    entity_type = fields.String(validate=validate.OneOf(ENTITY_TYPES))
    entity_id = fields.String()


class AuditEntrySchema(Schema):
    """One audit entry."""

    seq = fields.Integer(allow_none=True, metadata={"description": "Null while the entry waits to be linked"})
    at = fields.DateTime()
    actor = fields.String()
    actor_id = fields.Integer(allow_none=True)
    organization_id = fields.Integer(allow_none=True)
    acting_for_organization_id = fields.Integer(allow_none=True)
    action = fields.String()
    entity_type = fields.String()
    entity_id = fields.String()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    hash = fields.String(allow_none=True)
    prev_hash = fields.String(allow_none=True)


class AuditPageSchema(PageSchema):
    """A page of audit entries."""

    items = fields.List(fields.Nested(AuditEntrySchema))


def _query(entity_type: str | None, entity_id: str | None):
    query = select(AuditEntry).order_by(*newest_first())
    if entity_type:
        query = query.where(AuditEntry.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditEntry.entity_id == str(entity_id))
    return query


@blp.route("/audit")
@policy.require("audit.read")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditPageSchema)
def audit_list(args):
    """Audit entries, newest first, filtered by entity."""
    page = paginate(_query(args.get("entity_type"), args.get("entity_id")), args["page"], args["page_size"])
    return page.envelope(page.items)


@bp.route("/audit")
@policy.require("audit.read")
def index():
    """Reviewers' and admins' view of the audit log: filtered, with names and readable changes."""
    page, size = page_args_from_request()
    filters = audit_page.Filters.from_args(request.args)
    listed = paginate(filters.apply(_query(None, None)), page, size)
    return render_template("core/audit/index.html", page=listed, filters=filters, entity_types=ENTITY_TYPES,
                           actions=audit_page.action_choices(), actors=audit_page.actors(listed.items),
                           changes=audit_page.changes)


@audit_cli.command("verify")
@click.option("--checkpoint", "checkpoints", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A file written by `audit checkpoint` (repeatable): also detect truncation or a rebuild since.")
def verify_command(checkpoints: tuple[Path, ...]) -> None:
    """Recompute the hash chain (and compare it with signed checkpoints); exit non-zero naming the first broken
    entry."""
    result = verify_chain()
    if not result.ok:
        click.echo(f"audit chain BROKEN at entry {result.broken_seq}: {result.problem} "
                   f"({result.checked} entries verified before it)", err=True)
        raise SystemExit(1)
    key = current_app.config.get("AUDIT_KEY") or ""
    for path in checkpoints:
        try:
            checkpoint = json.loads(path.read_text())
        except (ValueError, UnicodeDecodeError):
            checkpoint = None
        held = check_checkpoint(checkpoint, key)
        if not held.ok:
            where = f" at entry {held.broken_seq}" if held.broken_seq else ""
            click.echo(f"audit chain BROKEN{where}: {held.problem} ({path})", err=True)
            raise SystemExit(1)
        click.echo(f"checkpoint {path.name}: entry {held.checked} matches")
    waiting = f" ({result.pending} newer entries wait to be linked behind a running transaction)" if result.pending else ""
    click.echo(f"audit chain intact: {result.checked} entries verified{waiting}")


@audit_cli.command("chain")
@click.option("--interval", type=click.FloatRange(min=0.05), default=0.5, show_default=True,
              help="Seconds between two rounds.")
@click.option("--once", is_flag=True, help="Link what is waiting now and exit.")
def chain_command(interval: float, once: bool) -> None:
    """Link committed audit entries to the chain (PostgreSQL): once, or every INTERVAL seconds until stopped.
    Web processes do this themselves; run it where no web process runs or with AUDIT_CHAIN_SECONDS=0."""
    if once:
        click.echo(f"linked {audit_chain.link_all()} entries")
        return
    chainer = audit_chain.Chainer(current_app._get_current_object(), interval).start()
    try:
        chainer.thread.join()
    except KeyboardInterrupt:
        chainer.stop()


@audit_cli.command("checkpoint")
def checkpoint_command() -> None:
    """Print a checkpoint of the chain's head signed with AUDIT_KEY, to keep outside the database."""
    try:
        checkpoint = make_checkpoint(current_app.config.get("AUDIT_KEY") or "")
    except ValueError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from exc
    click.echo(json.dumps(checkpoint, sort_keys=True))
