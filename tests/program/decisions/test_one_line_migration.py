"""Migration 0016 gives decisions their one line's columns, keeping every line row and case (SQLite rebuilds the
table); its downgrade moves the lines kept in decision rows back into line rows, word for word (lines stored
before 0016 stay line rows either way)."""

from __future__ import annotations

from pathlib import Path

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from core.extensions import db

MIGRATIONS = str(Path(__file__).resolve().parents[3] / "migrations")
LINE = ("line_no, description, hts_code, quantity, value_usd, sector, condition, recordation_number, lever_label, "
        "blank_declaration_id, blank_line_no, country_of_origin, outcome, reason_set_id")


def test_the_downgrade_moves_one_line_entries_back_into_line_rows(tmp_path, test_config):
    from app import create_app

    fresh = create_app({**test_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}"})
    with fresh.app_context():
        upgrade(directory=MIGRATIONS, revision="0015")
        session = db.session
        session.execute(text("INSERT INTO decision_reason_set (id, digest, codes, reasons) "
                             "VALUES (5, 'd', 'lever_label_missing', '[]')"))
        head = ("uei, entry_number, port_code, ior_number, source, outcome, rules_version, facts_used, line_count, "
                "decided_at, status")
        values = "'{}', 'screen', 'refer_for_examination', 't', '{{}}', {}, '2026-12-04 10:00:00.000000', 'live'"
        # Before 0016: a decision of two line rows, under a case.
        session.execute(text(f"INSERT INTO release_decision (id, {head}) VALUES (2, 'A0000000000002X', "
                             f"'ABC-1234568-4', '2704', {values.format('12-3456789AB', 2)})"))
        for n in (1, 2):
            session.execute(text(
                f"INSERT INTO release_decision_line (decision_id, {LINE}) VALUES (2, :n, 'Phones', '8517130000', 1, 10, "
                "'mobile_devices', 'used', NULL, 0, NULL, NULL, NULL, 'expedited_release', 5)"), {"n": n})
        session.execute(text(
            "INSERT INTO enforcement_case (uei, decision_id, status, notice_date, response_due, port_code, created_at, "
            "version, basis, presented_on, detained_on, notice_due, detention_ends, manufacturer_name, "
            "manufacturer_address, exporter_name, exporter_address) VALUES ('A0000000000002X', 2, 'detained', "
            "'2026-12-01', '2026-12-10', '2704', '2026-12-01 10:00:00', 1, 'suspected_counterfeit', '2026-12-01', "
            "'2026-12-01', '2026-12-08', '2026-12-31', '', '', '', '')"))
        session.commit()

        upgrade(directory=MIGRATIONS, revision="0016")
        assert session.execute(text("SELECT count(*) FROM release_decision_line")).scalar() == 2
        assert session.execute(text("SELECT count(*) FROM enforcement_case")).scalar() == 1
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        session.execute(text(
            f"INSERT INTO release_decision (id, {head}, line_no, line_description, line_hts_code, line_quantity, "
            "line_value_usd, line_sector, line_condition, line_recordation_number, line_lever_label, "
            "line_blank_declaration_id, line_blank_line_no, line_country_of_origin, line_outcome, line_reason_set_id) "
            f"VALUES (1, 'A0000000000001X', 'ABC-1234567-6', '2704', {values.format('12-3456789AB', 1)}, 4, "
            "'Leather tote bags', '4202210000', 3, 900, 'handbags_accessories', 'new_parallel', 'TMK 19-04567', 0, "
            "NULL, NULL, 'VN', 'refer_for_examination', 5)"))
        session.commit()

        downgrade(directory=MIGRATIONS, revision="0015")
        rows = session.execute(text(f"SELECT decision_id, {LINE} FROM release_decision_line "
                                    "ORDER BY decision_id, line_no")).all()
        assert [tuple(r) for r in rows] == [
            (1, 4, "Leather tote bags", "4202210000", 3, 900, "handbags_accessories", "new_parallel", "TMK 19-04567",
             0, None, None, "VN", "refer_for_examination", 5),
            (2, 1, "Phones", "8517130000", 1, 10, "mobile_devices", "used", None, 0, None, None, None,
             "expedited_release", 5),
            (2, 2, "Phones", "8517130000", 1, 10, "mobile_devices", "used", None, 0, None, None, None,
             "expedited_release", 5)]
        columns = [r[1] for r in session.execute(text("PRAGMA table_info(release_decision)"))]
        assert not [c for c in columns if c.startswith("line_") and c != "line_count"]

        assert session.execute(text("SELECT count(*) FROM enforcement_case")).scalar() == 1
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        upgrade(directory=MIGRATIONS, revision="0016")
        assert session.execute(text("SELECT count(*) FROM release_decision WHERE line_outcome IS NOT NULL")).scalar() == 0
        assert session.execute(text("SELECT count(*) FROM release_decision_line")).scalar() == 3
        session.remove()
        db.engine.dispose()
