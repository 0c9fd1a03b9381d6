"""Evidence files: type by content, size limits, SHA-256 of the original, metadata stripped,
nothing left behind on refusal or rollback."""

from __future__ import annotations

import hashlib
import io
import struct
from pathlib import Path

import pytest
from PIL import Image, ImageCms
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sunshine.auth.principal import ANONYMOUS
from sunshine.config import Settings
from sunshine.core import evidence, storage
from sunshine.core.errors import NotFoundError
from sunshine.core.evidence_models import MEDIA_KINDS, EvidenceFile, EvidenceKind, PublicCopy

PHOTOS = evidence.EvidenceRules(kinds=frozenset({EvidenceKind.PHOTO}), max_files=3, field="photos")
ANY = evidence.EvidenceRules(kinds=MEDIA_KINDS, max_files=3, field="files")
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_gps(*, orientation: int = 6) -> bytes:
    """A 40x20 JPEG, left half red and right half blue, whose EXIF says "rotate 90° clockwise
    to show" and carries a GPS position, with a comment and an sRGB colour profile."""
    image = Image.new("RGB", (40, 20), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 20, 20))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif.get_ifd(GPS_IFD).update(
        {1: "N", 2: (30.0, 39.0, 36.0), 3: "E", 4: (104.0, 4.0, 12.0), 5: 0, 6: 500.0}
    )
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, icc_profile=icc, comment=b"shot at home")
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the fixture has GPS
    return data


def png_with_text() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "张三 13812345678")
    image = Image.new("RGBA", (10, 10), (0, 128, 0, 0))
    image.paste((0, 128, 0, 255), (0, 0, 5, 10))
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def tiny_mp4(brand: bytes = b"isom") -> bytes:
    """The top-level structure of an MP4 (ftyp, moov with a GPS atom, mdat)."""
    gps = box(b"udta", box(b"\xa9xyz", b"+30.66+104.07/"))
    return (
        box(b"ftyp", brand + b"\x00\x00\x02\x00" + brand)
        + box(b"moov", gps)
        + box(b"mdat", b"\x00" * 64)
    )


def tiny_webm() -> bytes:
    doc_type = b"\x42\x82\x84webm"
    header = b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(doc_type)]) + doc_type
    return header + b"\x18\x53\x80\x67" + b"\x01\xff\xff\xff\xff\xff\xff\xff"


def upload(name: str, data: bytes) -> evidence.Upload:
    return evidence.Upload(filename=name, source=io.BytesIO(data))


@pytest.fixture
def evidence_dir(settings: Settings) -> Path:
    return storage.root() / evidence.AREA


def folders(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_a_photo_is_hashed_as_sent_and_its_public_copy_has_no_metadata(
    session: Session, evidence_dir: Path
) -> None:
    data = jpeg_with_gps()
    [prepared] = evidence.prepare(
        session=session, uploads=[upload("IMG_0001.JPG", data)], rules=PHOTOS
    )
    assert prepared.sha256 == hashlib.sha256(data).hexdigest()
    assert prepared.size == len(data)
    assert storage.path_of(prepared.original_path).read_bytes() == data  # kept as sent
    assert prepared.public_copy is PublicCopy.STRIPPED

    for relative in (prepared.public_path, prepared.thumb_path):
        assert relative is not None
        raw = storage.path_of(relative).read_bytes()
        assert b"Exif" not in raw and b"PhoneMaker" not in raw and b"shot at home" not in raw
        assert b"ICC_PROFILE" not in raw and b"http://ns.adobe.com/xap" not in raw
        with Image.open(io.BytesIO(raw)) as copy:
            assert copy.format == "JPEG"
            assert not copy.getexif()
            assert not copy.getexif().get_ifd(GPS_IFD)
            assert not {"exif", "icc_profile", "xmp", "comment"} & set(copy.info)
    with Image.open(storage.path_of(prepared.public_path or "")) as shown:
        # Orientation 6 was applied before the tag was dropped: the 40x20 photo stands upright
        # (20x40) with the left (red) half now on top.
        assert shown.size == (20, 40)
        top, bottom = (
            shown.convert("RGB").getpixel((10, 3)),
            shown.convert("RGB").getpixel((10, 36)),
        )
        assert isinstance(top, tuple) and isinstance(bottom, tuple)
        assert top[0] > 200 and top[2] < 60, top
        assert bottom[2] > 200 and bottom[0] < 60, bottom

    rows = evidence.record(
        session=session, actor=ANONYMOUS, prepared=[prepared], owner_type="review", owner_id=1
    )
    assert rows[0].sha256 == hashlib.sha256(data).hexdigest()
    assert rows[0].original_name == "IMG_0001.JPG"
    assert (rows[0].width, rows[0].height) == (20, 40)


def test_a_png_with_transparency_and_text_chunks_becomes_a_plain_jpeg(
    session: Session, evidence_dir: Path
) -> None:
    [prepared] = evidence.prepare(
        session=session, uploads=[upload("a.png", png_with_text())], rules=PHOTOS
    )
    assert prepared.media_type == "image/png"
    raw = storage.path_of(prepared.public_path or "").read_bytes()
    assert "张三".encode() not in raw and b"13812345678" not in raw
    with Image.open(io.BytesIO(raw)) as copy:
        assert copy.mode == "RGB"
        assert copy.convert("RGB").getpixel((8, 5)) == (255, 255, 255)  # transparent → white


def test_a_text_file_named_jpg_is_refused_with_nothing_kept(
    session: Session, evidence_dir: Path
) -> None:
    before = folders(evidence_dir)
    with pytest.raises(evidence.EvidenceRejected) as caught:
        evidence.prepare(
            session=session,
            uploads=[upload("photo.jpg", b"just some text, not a photo\n")],
            rules=PHOTOS,
        )
    assert caught.value.status == 415
    [problem] = caught.value.problems
    assert (problem.field, problem.code, problem.row) == ("photos", "unsupported_type", 1)
    assert problem.params["name"] == "photo.jpg"
    assert "photo.jpg" in problem.text and "JPEG, PNG or WebP" in problem.text
    assert folders(evidence_dir) == before


def test_an_oversized_photo_is_refused_and_removed(
    session: Session, settings: Settings, evidence_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = jpeg_with_gps()
    monkeypatch.setattr(settings, "evidence_photo_max_bytes", len(data) - 1)
    before = folders(evidence_dir)
    with pytest.raises(evidence.EvidenceRejected) as caught:
        evidence.prepare(session=session, uploads=[upload("big.jpg", data)], rules=PHOTOS)
    assert caught.value.status == 413
    [problem] = caught.value.problems
    assert problem.code == "too_large"
    assert "the limit for a photo is" in problem.text
    assert folders(evidence_dir) == before


def test_one_bad_file_refuses_the_whole_submission(session: Session, evidence_dir: Path) -> None:
    before = folders(evidence_dir)
    good = jpeg_with_gps()
    broken = good[: len(good) // 2]
    with pytest.raises(evidence.EvidenceRejected) as caught:
        evidence.prepare(
            session=session,
            uploads=[
                upload("ok.jpg", good),
                upload("cut.jpg", broken),
                upload("x.jpg", b"%PDF-1.4"),
            ],
            rules=PHOTOS,
        )
    codes = [(p.row, p.code) for p in caught.value.problems]
    assert codes == [(2, "damaged"), (3, "unsupported_type")]
    assert caught.value.status == 415
    assert folders(evidence_dir) == before  # the good photo's folder went too


def test_too_many_files_are_refused_before_any_is_read(session: Session) -> None:
    uploads = [upload(f"{i}.jpg", b"unread") for i in range(4)]
    with pytest.raises(evidence.EvidenceRejected) as caught:
        evidence.prepare(session=session, uploads=uploads, rules=PHOTOS)
    assert caught.value.problems[0].code == "too_many"
    assert all(u.source.tell() == 0 for u in uploads)


def test_heic_gets_its_own_explanation(session: Session) -> None:
    heic = box(b"ftyp", b"heic\x00\x00\x00\x00mif1heic") + box(b"meta", b"\x00" * 16)
    with pytest.raises(evidence.EvidenceRejected) as caught:
        evidence.prepare(session=session, uploads=[upload("IMG_1.HEIC", heic)], rules=PHOTOS)
    assert "HEIC" in caught.value.problems[0].text


def test_a_video_keeps_its_original_and_has_no_public_copy(
    session: Session, evidence_dir: Path
) -> None:
    data = tiny_mp4()
    [video] = evidence.prepare(session=session, uploads=[upload("clip.mp4", data)], rules=ANY)
    assert (video.kind, video.media_type) == (EvidenceKind.VIDEO, "video/mp4")
    assert video.public_copy is PublicCopy.WITHHELD and video.public_path is None
    assert video.sha256 == hashlib.sha256(data).hexdigest()
    [mov] = evidence.prepare(
        session=session, uploads=[upload("c.mov", tiny_mp4(b"qt  "))], rules=ANY
    )
    assert mov.media_type == "video/quicktime"
    [webm] = evidence.prepare(session=session, uploads=[upload("c.webm", tiny_webm())], rules=ANY)
    assert webm.media_type == "video/webm"
    rows = evidence.record(
        session=session, actor=ANONYMOUS, prepared=[video], owner_type="review", owner_id=10**9
    )
    with pytest.raises(NotFoundError):
        evidence.open_public(session=session, actor=ANONYMOUS, token=rows[0].token)


def test_a_truncated_video_or_one_where_photos_are_expected_is_refused(session: Session) -> None:
    data = tiny_mp4()
    with pytest.raises(evidence.EvidenceRejected) as cut:
        evidence.prepare(session=session, uploads=[upload("clip.mp4", data[:-10])], rules=ANY)
    assert cut.value.problems[0].code == "damaged"
    with pytest.raises(evidence.EvidenceRejected) as wrong_kind:
        evidence.prepare(session=session, uploads=[upload("clip.mp4", data)], rules=PHOTOS)
    assert wrong_kind.value.problems[0].code == "kind_not_accepted"


def test_files_of_a_rolled_back_transaction_are_removed(db: object, evidence_dir: Path) -> None:
    from sunshine.core.db import session_factory

    session = session_factory()()
    try:
        [prepared] = evidence.prepare(
            session=session, uploads=[upload("a.jpg", jpeg_with_gps())], rules=PHOTOS
        )
        assert (evidence_dir / prepared.token).is_dir()
        session.rollback()
        assert not (evidence_dir / prepared.token).exists()
    finally:
        session.close()


def test_files_prepared_but_never_recorded_are_removed_at_commit(
    db: object, evidence_dir: Path
) -> None:
    from sunshine.core.db import session_factory

    session = session_factory()()
    try:
        kept, dropped = evidence.prepare(
            session=session,
            uploads=[upload("a.jpg", jpeg_with_gps()), upload("b.jpg", jpeg_with_gps())],
            rules=PHOTOS,
        )
        evidence.record(
            session=session, actor=ANONYMOUS, prepared=[kept], owner_type="review", owner_id=1
        )
        session.commit()
        assert (evidence_dir / kept.token).is_dir()
        assert not (evidence_dir / dropped.token).exists()
        count = session.execute(
            select(func.count()).where(EvidenceFile.token.in_([kept.token, dropped.token]))
        ).scalar_one()
        assert count == 1
    finally:
        session.close()
