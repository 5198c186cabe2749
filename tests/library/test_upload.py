"""Uploading: checked first (nothing saved when refused), streamed into the default storage, H5P library versions
stored once and shared, documents with their limits and the virus-scan hook."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from lms.library.models import H5PLibrary, ItemKind, ItemLibrary, LibraryItem
from lms.library.services import PackageRejected, ScanVerdict, delete_item, upload_item
from tests.library.packages import H5P_DIR, SCORM_DIR, h5p_package

pytestmark = pytest.mark.django_db


def upload(path, people, **kw):
    return upload_item(file=path, filename=path.name, owner=people.teacher, school=people.school, **kw)


def test_h5p_upload_extracts_content_and_libraries(people):
    item = upload(H5P_DIR / "H5P.MultiChoice.h5p", people)
    assert item.kind == ItemKind.H5P and item.title == "Multiple Choice" and item.launch == "H5P.MultiChoice-1.14"
    assert default_storage.exists(f"{item.storage_prefix}/h5p.json")
    assert default_storage.exists(f"{item.storage_prefix}/content/content.json")
    library = H5PLibrary.objects.get(machine_name="H5P.MultiChoice", major_version=1, minor_version=14)
    assert default_storage.exists(f"{library.storage_prefix}/library.json")
    assert library.runnable and library.file_count > 0
    assert [link.library.key for link in ItemLibrary.objects.filter(item=item)] == item.package_metadata["dependencies"]
    assert len(item.sha256) == 64 and item.size == (H5P_DIR / "H5P.MultiChoice.h5p").stat().st_size


def test_library_versions_are_stored_once_and_shared(people):
    first = upload(H5P_DIR / "H5P.MultiChoice.h5p", people)
    count = H5PLibrary.objects.count()
    question = H5PLibrary.objects.get(machine_name="H5P.Question")
    second = upload(H5P_DIR / "H5P.TrueFalse.h5p", people)
    # TrueFalse shares H5P.Question-1.4, JoubelUI, FontAwesome, … with MultiChoice: only its new ones are added.
    assert H5PLibrary.objects.filter(machine_name="H5P.Question").count() == 1
    new = {"H5P.TrueFalse-1.6", "H5PEditor.RadioGroup-1.1"}  # the folders MultiChoice did not bring
    assert {lib.key for lib in H5PLibrary.objects.all()} - {lib.key for lib in first.libraries.all()} >= new
    assert H5PLibrary.objects.count() == count + len(new)
    assert question in second.libraries.all() and question in first.libraries.all()
    third = upload(H5P_DIR / "H5P.MultiChoice.h5p", people)
    assert H5PLibrary.objects.count() == count + len(new) and third.storage_prefix != first.storage_prefix


def test_content_only_package_uses_stored_libraries(people, tmp_path):
    upload(H5P_DIR / "h5p-standalone-test.h5p", people)  # brings H5P.TrueFalse-1.6 and its libraries
    content_only = tmp_path / "true-false-content.h5p"
    import zipfile

    with zipfile.ZipFile(H5P_DIR / "h5p-standalone-test.h5p") as source, zipfile.ZipFile(content_only, "w") as out:
        for name in source.namelist():
            if name == "h5p.json" or name.startswith("content/"):
                out.writestr(name, source.read(name))
    item = upload(content_only, people)
    from lms.library.selectors import missing_libraries

    assert missing_libraries(item) == []
    assert ItemLibrary.objects.filter(item=item).count() == len(item.package_metadata["dependencies"])


def test_rejected_package_saves_nothing(people):
    with pytest.raises(PackageRejected) as caught:
        upload(H5P_DIR / "negative" / "invalid-library-directory-name.h5p", people)
    assert any("H5P.GreetingCard-1.0" in e for e in caught.value.errors)
    assert not LibraryItem.objects.exists() and not H5PLibrary.objects.exists()
    assert not default_storage.exists("library")


def test_scorm_upload_keeps_the_table_of_contents(people):
    item = upload(SCORM_DIR / "SequencingSimpleRemediation_SCORM20043rdEdition.zip", people)
    assert item.kind == ItemKind.SCORM and item.version == "2004"
    assert item.launch == "shared/launchpage.html?content=playing"
    assert [e["identifier"] for e in item.toc if e["href"]][:2] == ["playing_item", "etuqiette_item"]
    assert default_storage.exists(f"{item.storage_prefix}/shared/launchpage.html")
    assert default_storage.exists(f"{item.storage_prefix}/imsmanifest.xml")


def test_uploaded_file_object_in_memory(people):
    upload_file = SimpleUploadedFile("xin-chao.h5p", h5p_package())
    item = upload_item(file=upload_file, filename="xin-chao.h5p", owner=people.teacher, school=people.school)
    assert item.title == "Xin chào" and item.package_metadata["dependencies"] == ["H5P.Greeting-1.0"]


def test_document_upload_and_limits(people, tmp_path, settings):
    pdf = tmp_path / "Đề cương ôn tập.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + b"0" * 1000)
    item = upload(pdf, people)
    assert item.kind == ItemKind.DOCUMENT and item.media_type == "pdf" and item.content_type == "application/pdf"
    assert default_storage.exists(item.document.name)
    settings.LIBRARY_LIMITS = {"document_max_bytes": 500}
    with pytest.raises(PackageRejected) as caught:
        upload(pdf, people)
    assert "Đề cương ôn tập.pdf" in caught.value.errors[0] and " 0 MB" in caught.value.errors[0]


def refuse_eicar(path):
    return ScanVerdict(clean=b"EICAR" not in path.read_bytes(), detail="Eicar-Test-Signature")


def test_virus_scan_hook(people, tmp_path, settings):
    settings.LIBRARY_VIRUS_SCANNER = "tests.library.test_upload.refuse_eicar"
    bad = tmp_path / "bai-tap.pdf"
    bad.write_bytes(b"%PDF-1.4 EICAR-STANDARD-ANTIVIRUS-TEST-FILE")
    with pytest.raises(PackageRejected) as caught:
        upload(bad, people)
    assert "Eicar-Test-Signature" in caught.value.errors[0]
    good = tmp_path / "bai-hoc.pdf"
    good.write_bytes(b"%PDF-1.4 clean")
    assert upload(good, people).scan_status == "clean"


def test_delete_keeps_shared_libraries(people):
    item = upload(H5P_DIR / "H5P.TrueFalse.h5p", people)
    prefix = item.storage_prefix
    delete_item(item=item)
    assert not default_storage.exists(f"{prefix}/h5p.json")
    assert H5PLibrary.objects.filter(machine_name="H5P.TrueFalse").exists()


def test_damaged_member_found_while_extracting_is_refused_and_nothing_kept(people, tmp_path):
    import zipfile

    from tests.library.packages import h5p_package

    data = bytearray(h5p_package({"content/images/big.txt": b"x" * 200_000}))
    with zipfile.ZipFile(__import__("io").BytesIO(bytes(data))) as archive:
        info = archive.getinfo("content/images/big.txt")
    # Corrupt the member's compressed bytes: the central directory still looks fine, so only extraction notices.
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 10
    data[start : start + 20] = b"\xff" * 20
    path = tmp_path / "damaged.h5p"
    path.write_bytes(bytes(data))
    with pytest.raises(PackageRejected) as caught:
        upload_item(file=path, filename="damaged.h5p", owner=people.teacher, school=people.school)
    assert "damaged.h5p" in caught.value.errors[0] or "big.txt" in caught.value.errors[0]
    assert not LibraryItem.objects.exists() and not H5PLibrary.objects.exists()
    assert not default_storage.exists("library/items") or default_storage.listdir("library/items") == ([], [])
    assert not default_storage.exists("library/h5p-libraries") or default_storage.listdir("library/h5p-libraries") == (
        [],
        [],
    )
