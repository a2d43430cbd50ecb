"""Demo data of the standards domain: marks of the demo rights holders, standards in every state,
endorsements and a declined proposal, and a photographic guide. Registered in ``program.seed.SEEDERS``
by ``program.registry``; everything goes through the services, so the audit log tells the story."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw
from werkzeug.datastructures import FileStorage

from core.accounts.models import User
from standards.models import RecordedMark, StandardVersion
from standards.services import endorsements, guides, identification_guides, marks, versions

REVIEWER = "reviewer@cbp.example.gov"
ACME = "rights@acme-brands.example"
LUMEN = "rights@lumen.example"
ELECTRONICS = "group@electronics-alliance.example"
FASHION = "group@fashion-council.example"

# (recordation number, mark, owner e-mail, lever rule, sectors, Lever-rule scope (HTS prefixes; empty = all goods))
MARKS = (
    ("TMK 21-00123", "LUMEN", LUMEN, True, ["consumer_electronics", "mobile_devices"], ["8518"]),
    ("TMK 22-00456", "LUMENCARE", LUMEN, False, ["medical_devices"], []),
    ("TMK 19-04567", "ACME", ACME, False, ["handbags_accessories", "apparel_footwear"], []),
    ("TMK 20-07890", "ACME SPORT", ACME, True, ["sporting_goods", "apparel_footwear"], ["6404"]),
)

def _req(code: str, text: str, evidence: str = "") -> dict[str, str]:
    return {"code": code, "text": text, "evidence": evidence}


ELECTRONICS_V1 = [
    _req("R1", "Bought from the brand's authorised distributor or a program-enrolled refurbisher.",
         "Invoice naming the seller and the serial numbers."),
    _req("R2", "Serial numbers checked against the manufacturer's registry before shipment.",
         "Registry check report per unit."),
    _req("R3", "Refurbished units graded A, B or C under the alliance's grading scheme.",
         "Grading record per unit."),
]
ELECTRONICS_V2 = [
    ELECTRONICS_V1[0],
    _req("R2", "Serial numbers and IMEI checked against the manufacturer's registry and the GSMA block list "
               "before shipment.", "Registry and block-list report per unit."),
    _req("R3", "Refurbished units graded A, B or C under the alliance's grading scheme; batteries tested "
               "above 80% capacity.", "Grading and battery record per unit."),
    _req("R4", "New parallel units of Lever-rule marks carry the 19 CFR 133.23(b) label.",
         "Photograph of the label next to the mark."),
]
HANDBAGS = [
    _req("H1", "Purchased from an authorised retailer or the brand's own resale programme.",
         "Receipt or consignment agreement."),
    _req("H2", "Date code, heat stamp and hardware engravings match the brand's guide.",
         "Authentication photographs."),
    _req("H3", "Condition graded and disclosed on the commercial invoice.", "Invoice."),
]


def _png_guide() -> bytes:
    """A simple diagram of where a LUMEN device's serial label sits."""
    image = Image.new("RGB", (640, 420), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((170, 40, 470, 380), radius=36, outline="#1b1b1b", width=6)
    draw.rectangle((230, 300, 410, 350), outline="#00a91c", width=5)
    draw.text((240, 315), "SERIAL / IMEI LABEL", fill="#1b1b1b")
    draw.text((20, 20), "LUMEN - back of handset: label position", fill="#1b1b1b")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _standard(author: User, sector: str, title: str, conditions: list[str], requirements: list[dict],
              ) -> StandardVersion:
    return versions.create_standard(author, sector=sector, title=title, conditions=conditions,
                                    requirements=requirements)


def seed_standards(users: dict[str, User]) -> str:
    """Create the demo marks, standards, endorsements and a guide; returns a summary line."""
    reviewer, acme, lumen = users[REVIEWER], users[ACME], users[LUMEN]
    electronics, fashion = users[ELECTRONICS], users[FASHION]
    recorded: dict[str, RecordedMark] = {}
    for number, text, owner, lever, sectors, scope in MARKS:
        recorded[number] = marks.register_mark(reviewer, recordation_number=number, mark=text,
                                               owner_organization_id=users[owner].organization_id,
                                               lever_rule=lever, sectors=sectors, lever_scope=scope)

    # Consumer electronics: v1 published, then revised; v2 endorsed and published (v1 superseded).
    v1 = _standard(electronics, "consumer_electronics", "Used, refurbished and parallel consumer electronics",
                   ["new_parallel", "used", "refurbished"], ELECTRONICS_V1)
    versions.propose_version(electronics, v1)
    endorsements.endorse_version(lumen, v1, marks=["TMK 21-00123"],
                                 statement="Lumen confirms these checks show LUMEN products are genuine.")
    versions.publish_version(reviewer, v1)
    v2 = versions.revise_version(electronics, v1)
    versions.update_draft(electronics, v2, requirements=ELECTRONICS_V2,
                          change_note="Adds IMEI block-list checks, battery tests and the Lever-rule label.")
    versions.propose_version(electronics, v2)
    endorsements.endorse_version(lumen, v2, marks=["TMK 21-00123"],
                                 statement="Lumen endorses version 2 for LUMEN consumer electronics.")
    versions.publish_version(reviewer, v2)

    # Handbags: published, endorsed by Acme.
    bags = _standard(fashion, "handbags_accessories", "Pre-owned and parallel designer handbags",
                     ["new_parallel", "used"], HANDBAGS)
    versions.propose_version(fashion, bags)
    endorsements.endorse_version(acme, bags, marks=["TMK 19-04567"],
                                 statement="Acme confirms these checks authenticate ACME handbags.")
    versions.publish_version(reviewer, bags)

    # Mobile devices: proposed, awaiting Lumen's decision.
    phones = _standard(electronics, "mobile_devices", "Refurbished mobile phones and tablets",
                       ["used", "refurbished"], ELECTRONICS_V2[:3])
    versions.propose_version(electronics, phones)

    # Medical devices (heightened protection): published; never expedited, but officers use it.
    monitors = _standard(electronics, "medical_devices", "Refurbished patient monitors", ["refurbished"],
                         [_req("M1", "Refurbished by an FDA-registered facility.",
                               "FDA establishment registration number.")])
    versions.propose_version(electronics, monitors)
    endorsements.endorse_version(lumen, monitors, marks=["TMK 22-00456"],
                                 statement="Lumen endorses this for LUMENCARE monitors.")
    versions.publish_version(reviewer, monitors)

    # Athletic footwear: proposed and declined by Acme.
    shoes = _standard(fashion, "apparel_footwear", "Used athletic footwear", ["used"],
                      [_req("F1", "Cleaned and sanitised; soles intact.", "Photographs.")])
    versions.propose_version(fashion, shoes)
    endorsements.decline_version(acme, shoes, reason="ACME SPORT footwear can be authenticated only by "
                                 "our own inspection centre; we cannot endorse a visual check.")

    # Recycled apparel: withdrawn. Vintage watches: a draft.
    fibre = _standard(fashion, "apparel_footwear", "Recycled apparel fibre", ["recycled"],
                      [_req("C1", "Garments shredded beyond recognition of marks.")])
    versions.withdraw_version(fashion, fibre, "Merged into the council's textile recycling code.")
    _standard(fashion, "watches_jewelry", "Pre-owned watches", ["used"],
              [_req("W1", "Movement serial matches the case serial.", "Photographs.")])

    guides.upload_guide(lumen, recorded["TMK 21-00123"], sector="consumer_electronics",
                        title="Serial and IMEI label position", description="Back of handset, lower third.",
                        upload=FileStorage(stream=io.BytesIO(_png_guide()), filename="lumen-label.png"))
    _seed_identification_guides(lumen, acme)
    return ("4 recorded marks, 7 standards (8 versions in every state), 5 endorsement decisions, 1 photographic guide, "
            "2 product identification guides")


def _seed_identification_guides(lumen: User, acme: User) -> None:
    """A Lumen guide in its second version (with a picture) and an Acme handbag guide."""
    phones = identification_guides.write_guide(lumen, {
        "title": "LUMEN phones and earbuds", "marks": ["TMK 21-00123"], "hts_prefixes": ["851713", "851830"],
        "genuine_features": "Laser-etched LUMEN logo on the back; aluminium frame with a single antenna line.",
        "packaging_labels": "White box, holographic seal across the lid; IMEI label on the box's short side.",
        "serial_formats": "Serial LMN-YYWW-NNNNNN; IMEI matches the box label; UPC 0 12345 6789x.",
        "counterfeit_tells": "Printed logo; two antenna lines; IMEI on the box not matching the handset.",
        "contact_name": "Lumen Brand Protection", "contact_email": "brandprotection@lumen.example",
        "contact_phone": "+1 555 0100", "service_hours": 48})
    identification_guides.add_image(lumen, phones, FileStorage(stream=io.BytesIO(_png_guide()), filename="label.png"),
                                    caption="Serial and IMEI label, back of handset", section="serial_formats")
    identification_guides.revise_guide(lumen, phones, {
        "title": "LUMEN phones and earbuds", "marks": ["TMK 21-00123"], "hts_prefixes": ["851713", "851830"],
        "genuine_features": phones.current.genuine_features, "packaging_labels": phones.current.packaging_labels,
        "serial_formats": "Serial LMN-YYWW-NNNNNNN (seven digits from 2026); IMEI matches the box label.",
        "counterfeit_tells": phones.current.counterfeit_tells, "contact_name": "Lumen Brand Protection",
        "contact_email": "brandprotection@lumen.example", "contact_phone": "+1 555 0100", "service_hours": 24,
        "change_note": "Seven-digit serials; authentication within 24 hours."})
    identification_guides.write_guide(acme, {
        "title": "ACME handbags", "marks": ["TMK 19-04567"], "hts_prefixes": ["4202"],
        "genuine_features": "Heat-stamped ACME inside the main pocket; brass hardware engraved with the mark.",
        "serial_formats": "Date code AC-YY-NNNN sewn inside the zip pocket.",
        "counterfeit_tells": "Glued (not stitched) date code; plated hardware that scratches silver.",
        "contact_name": "Acme Authentication Centre", "contact_email": "authenticate@acme-brands.example",
        "service_hours": 48})
