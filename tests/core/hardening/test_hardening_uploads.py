"""Bounded uploads (finding 5): PDFs with active content are refused (parsed with pypdf), pictures are
re-encoded without their metadata (GPS), and decoding has a lower pixel cap, reduced-scale JPEG decoding and a
limit on concurrent decodes."""

from __future__ import annotations

import io
import threading

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from core import images
from core.accounts.models import User
from core.errors import ValidationFailed
from core.extensions import db
from core.uploads import DOCUMENT_TYPES, IMAGE_TYPES, file_path, store_upload
from tests.pdfs import PLAIN_PDF, pdf_with

GPS_IFD = 0x8825


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (38.0, 53.0, 23.0), 3: "W", 4: (77.0, 2.0, 11.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"secret note")
    return out.getvalue()


def _upload(data: bytes, name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


@pytest.mark.parametrize(("kind", "said"), [("javascript", "JavaScript"), ("launch", "launch action"),
                                            ("embedded", "embedded files")])
def test_pdfs_with_active_content_are_refused_with_a_clear_message(ctx, make_user, kind, said):
    owner = db.session.get(User, make_user("importer").id)
    with pytest.raises(ValidationFailed) as caught:
        store_upload(_upload(pdf_with(kind), "x.pdf"), field="file", owner=owner, allowed=DOCUMENT_TYPES)
    assert said in caught.value.message and "file" in caught.value.fields


def test_a_plain_pdf_is_stored_as_it_is(ctx, make_user):
    owner = db.session.get(User, make_user("importer").id)
    stored = store_upload(_upload(PLAIN_PDF, "plain.pdf"), field="file", owner=owner, allowed=DOCUMENT_TYPES)
    assert file_path(stored).read_bytes() == PLAIN_PDF


def test_an_active_pdf_is_refused_through_the_api(api_as):
    api = api_as("importer")
    thread = api.post("/api/v1/threads", json={"subject": "Invoice", "body": "See attached."}).json
    response = api.post(f"/api/v1/threads/{thread['id']}/attachments",
                        data={"file": [(io.BytesIO(pdf_with("javascript")), "invoice.pdf")]},
                        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "JavaScript" in str(response.json)


def test_images_are_re_encoded_without_gps_or_other_metadata(ctx, make_user):
    owner = db.session.get(User, make_user("reviewer").id)
    original = _jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(GPS_IFD)
    stored = store_upload(_upload(original, "photo.jpg"), field="image", owner=owner, allowed=IMAGE_TYPES)
    kept = file_path(stored).read_bytes()
    with Image.open(io.BytesIO(kept)) as after:
        assert after.size == (64, 48)
        assert not after.getexif().get_ifd(GPS_IFD) and not after.getexif()
        assert "comment" not in after.info
    assert b"secret note" not in kept


def test_the_pixel_cap_is_lower_and_refuses_before_decoding(ctx):
    assert images.MAX_PIXELS <= 16_000_000
    big = io.BytesIO()
    Image.new("L", (5000, 4000)).save(big, format="PNG")  # 20 MP, tiny on disk
    with pytest.raises(ValidationFailed, match="too many pixels"):
        images.thumbnail(big.getvalue(), field="image")


def test_jpeg_thumbnails_decode_at_reduced_scale(monkeypatch):
    source = io.BytesIO()
    Image.new("RGB", (3000, 2000), (1, 2, 3)).save(source, format="JPEG")
    sizes = []
    real_load = Image.Image.load

    def spy(self):
        result = real_load(self)
        sizes.append(self.size)
        return result

    monkeypatch.setattr(Image.Image, "load", spy)
    images.thumbnail(source.getvalue(), field="image")
    assert sizes and max(w * h for w, h in sizes) <= 3000 * 2000 // 16


def test_at_most_two_decodes_run_at_once(monkeypatch):
    data = io.BytesIO()
    Image.new("RGB", (50, 50)).save(data, format="PNG")
    running, peak, lock = [0], [0], threading.Lock()
    real_open = Image.open

    def slow_open(*args, **kwargs):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            threading.Event().wait(0.02)
            return real_open(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(Image, "open", slow_open)
    threads = [threading.Thread(target=images.thumbnail, args=(data.getvalue(),)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak[0] <= images.DECODE_SLOTS
