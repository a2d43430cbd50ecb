"""Structure: layering (program → standards → core), one migration head, reviewed migrations."""

from __future__ import annotations

import ast
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {"core": ("standards", "program"), "standards": ("program",)}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_dependencies_flow_one_way():
    offences = []
    for package, forbidden in FORBIDDEN.items():
        for path in (ROOT / package).rglob("*.py"):
            bad = _imports(path) & set(forbidden)
            if bad:
                offences.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert offences == []


def test_migrations_have_a_single_head():
    config = Config(str(ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, heads


def test_migrations_do_not_import_app_code():
    for path in (ROOT / "migrations" / "versions").glob("*.py"):
        assert not (_imports(path) & {"core", "standards", "program", "app"}), path.name


def test_schema_matches_models(app):
    """The migrations produce exactly the tables and columns the models declare."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from core.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        # Column modifications come as lists of tuples (comments, defaults); tables and columns as tuples.
        diff = [d for d in compare_metadata(context, db.metadata)
                if isinstance(d, tuple) and d[0] in {"add_table", "remove_table", "add_column", "remove_column"}]
    assert diff == []
