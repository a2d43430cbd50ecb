"""Tables of the standards domain, one module per entity; import them from here."""

from __future__ import annotations

from standards.models.comment import CommentPeriod, StandardComment
from standards.models.endorsement import Endorsement, endorsement_mark
from standards.models.guide import PhotoGuide
from standards.models.identification_guide import GuideImage, GuideVersion, IdentificationGuide
from standards.models.mark import RECORDATION_PATTERN, RecordedMark, mark_sector
from standards.models.sector import Sector
from standards.models.standard import Requirement, Standard, StandardVersion, VersionCondition

__all__ = [
    "RECORDATION_PATTERN",
    "CommentPeriod",
    "Endorsement",
    "GuideImage",
    "GuideVersion",
    "IdentificationGuide",
    "PhotoGuide",
    "RecordedMark",
    "Requirement",
    "Sector",
    "Standard",
    "StandardComment",
    "StandardVersion",
    "VersionCondition",
    "endorsement_mark",
    "mark_sector",
]
