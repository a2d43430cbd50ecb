"""The decision request's fast path gives exactly what marshmallow gives, and steps aside for every error."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from program.decisions.schemas import DecisionRequestSchema, DecisionSchema, dump_decision, fast_load
from program.enrollment.schemas import FlatErrorsSchema
from tests.program.decisions.conftest import EXPEDITED_LINE, IOR, REFERRED_LINE, STANDARD_LINE

BLANK = {"line_no": 4, "description": "Plain bags", "hts_code": "420292.3131", "quantity": "7.5", "value_usd": 0,
         "sector": "handbags_accessories", "condition": "blank", "blank_declaration_id": "bgd-2026-000001",
         "blank_line_no": "2", "recordation_number": None, "lever_label": "yes"}


def _body(*lines, **overrides):
    body = {"entry_number": "abc1234567-6", "port_code": " 2704", "ior_number": IOR.lower(),
            "lines": [copy.deepcopy(line) for line in lines]}
    body.update(overrides)
    return body


def _slow(body):
    return FlatErrorsSchema.load(DecisionRequestSchema(), body)


@pytest.mark.parametrize("body", [
    _body(EXPEDITED_LINE),
    _body(EXPEDITED_LINE, STANDARD_LINE, REFERRED_LINE, BLANK),
    _body(dict(EXPEDITED_LINE, recordation_number="tmk  21-00123", quantity=3.25, lever_label=False)),
])
def test_fast_path_equals_marshmallow(body):
    fast = fast_load(body)
    assert fast is not None and fast == _slow(body)
    assert DecisionRequestSchema().load(body) == fast


@pytest.mark.parametrize("body", [
    _body(EXPEDITED_LINE, extra=1),
    _body(dict(EXPEDITED_LINE, colour="red")),
    _body(dict(EXPEDITED_LINE, hts_code="12")),
    _body(dict(EXPEDITED_LINE, description="")),
    _body(dict(EXPEDITED_LINE, condition="broken")),
    _body(dict(EXPEDITED_LINE, lever_label=None)),
    _body(dict(EXPEDITED_LINE, quantity=None)),
    _body(EXPEDITED_LINE, dict(STANDARD_LINE, line_no=1)),
    _body(),
    _body(EXPEDITED_LINE, entry_number="ABC-1234567-5"),
    _body(EXPEDITED_LINE, port_code=None),
    [],
])
def test_fast_path_steps_aside_for_errors(body):
    assert fast_load(body) is None


_LINE_OUT = {"line_no": 1, "outcome": "expedited_release", "reasons": [], "description": "Used LUMEN phones",
             "hts_code": "8517.13.0000", "quantity": Decimal("10"), "value_usd": Decimal("2500.00"),
             "sector": "mobile_devices", "condition": "used", "recordation_number": "TMK 21-00123",
             "lever_label": False, "blank_declaration_id": None, "blank_line_no": None}
_PAYLOAD = {"id": 7, "uei": "ABCDEFGHJKLMNPQ", "uei_display": "ABCDE FGHJK LMNPQ", "entry_number": "ABC-1234567-6",
            "port_code": "2704", "ior_number": IOR, "outcome": "refer_for_examination", "rules_version": "2026.1",
            "decided_at": datetime(2026, 11, 30, 12, 1, 2, 345678, tzinfo=UTC), "source": "api",
            "lines": [_LINE_OUT,
                      dict(_LINE_OUT, line_no=2, quantity=Decimal("1E+2"), value_usd=Decimal("0"),
                           reasons=[{"code": "heightened_protection", "message": "Heightened — check"}]),
                      dict(_LINE_OUT, line_no=3, quantity=Decimal("7.500"), value_usd=Decimal("12.345"),
                           condition="blank", recordation_number=None, lever_label=True,
                           blank_declaration_id="BGD-2026-000001", blank_line_no=2)]}


@pytest.mark.parametrize("payload", [
    _PAYLOAD,
    dict(_PAYLOAD, facts_used={"enrollment_id": 3, "standard_version_ids": [1, 2], "as_of": "2026-11-30"}),
    dict(_PAYLOAD, facts_used=None, decided_at=datetime(2026, 1, 2, 3, 4, 5)),
])
def test_dump_decision_equals_marshmallow(payload):
    assert dump_decision(payload) == DecisionSchema().dump(payload)
    assert list(dump_decision(payload)) == list(DecisionSchema().dump(payload))
