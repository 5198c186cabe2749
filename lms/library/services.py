"""Writes of the library: uploading (checked, then streamed into the default storage), review status, tracking."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from lms.library.models import H5PLibrary, ItemKind, ItemLibrary, LibraryItem
from lms.library.packages.archive import ArchiveTooLarge
from lms.library.packages.inspect import PackageKind, PackageReport, document_kind, inspect_package
from lms.library.selectors import stored_library_keys
from lms.library.storage import delete_keys, delete_prefix, remove_empty_folders, save_member, upload_storage

ITEMS_PREFIX = "library/items"
H5P_LIBRARIES_PREFIX = "library/h5p-libraries"


class PackageRejected(ValidationError):
    """The file was refused; ``messages`` lists every specific reason. Nothing was saved."""

    def __init__(self, errors: list[str], report: PackageReport | None = None):
        super().__init__(errors)
        self.errors = list(errors)
        self.report = report


@dataclass(frozen=True)
class ScanVerdict:
    clean: bool
    detail: str = ""


def scan_for_viruses(path: Path) -> ScanVerdict | None:
    """The virus-scan hook: ``settings.LIBRARY_VIRUS_SCANNER`` names a callable ``(path) -> ScanVerdict``
    (e.g. one that calls clamd). ``None`` when no scanner is configured."""
    dotted = getattr(settings, "LIBRARY_VIRUS_SCANNER", None)
    if not dotted:
        return None
    return import_string(dotted)(path)


def _copy_to_temp(upload, directory: Path, filename: str) -> Path:
    """Uploads above FILE_UPLOAD_MAX_MEMORY_SIZE are already on disk; small ones are written out in chunks."""
    if hasattr(upload, "temporary_file_path"):
        return Path(upload.temporary_file_path())
    if isinstance(upload, (str, Path)):
        return Path(upload)
    target = directory / Path(filename).name
    with target.open("wb") as out:
        if hasattr(upload, "chunks"):
            for chunk in upload.chunks():
                out.write(chunk)
        else:
            shutil.copyfileobj(upload, out, 1 << 20)
    return target


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def upload_item(*, file, filename: str, owner, school, title: str = "", **metadata) -> LibraryItem:
    """Check ``file`` (an UploadedFile, a path or a binary file object) and store it as a draft library item.

    Raises :class:`PackageRejected` with every specific problem; then nothing is stored. H5P library versions
    already in the store are not stored again; new ones are added for every later package to share."""
    with tempfile.TemporaryDirectory(prefix="library-upload-") as tmp:
        path = _copy_to_temp(file, Path(tmp), filename)
        report = inspect_package(path, stored_libraries=stored_library_keys(), filename=filename)
        if not report.ok:
            raise PackageRejected(report.errors, report)
        verdict = scan_for_viruses(path)
        if verdict is not None and not verdict.clean:
            raise PackageRejected(
                [
                    _("“%(file)s” was refused by the virus scanner: %(detail)s")
                    % {"file": filename, "detail": verdict.detail}
                ],
                report,
            )
        item_uuid = uuid.uuid4()
        common = {
            "uuid": item_uuid,
            "title": (title or report.title or Path(filename).stem)[:255],
            "owner": owner,
            "school": school,
            "original_name": Path(filename).name[:255],
            "size": report.size,
            "sha256": _sha256(path),
            "scan_status": "clean" if verdict else "not-scanned",
            **metadata,
        }
        if report.kind == PackageKind.DOCUMENT:
            return _store_document(path, report, common)
        try:
            if report.kind == PackageKind.H5P:
                return _store_h5p(path, report, common)
            return _store_scorm(path, report, common)
        except ArchiveTooLarge as exc:
            raise PackageRejected(
                [_("“%(name)s” holds more data than its archive entry declares (a zip bomb).") % {"name": exc.args[0]}],
                report,
            ) from exc
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise PackageRejected(
                [_("“%(file)s” is damaged: %(reason)s") % {"file": filename, "reason": exc}], report
            ) from exc


def _create_item(common: dict, **fields) -> LibraryItem:
    outcomes = common.pop("outcomes", None)
    item = LibraryItem(**common, **fields)
    item.full_clean(exclude=["document"] if not item.document else None)
    item.save()
    if outcomes:
        item.outcomes.set(outcomes)
    return item


def _store_document(path: Path, report: PackageReport, common: dict) -> LibraryItem:
    import mimetypes

    from lms.library.pdftext import pdf_text

    extension = Path(common["original_name"]).suffix.lower().lstrip(".")
    media_type = document_kind(extension)
    extracted_text = pdf_text(path) if media_type == "pdf" else ""
    with transaction.atomic(), path.open("rb") as handle:
        item = LibraryItem(
            kind=ItemKind.DOCUMENT,
            media_type=media_type,
            extracted_text=extracted_text,
            content_type=mimetypes.guess_type(common["original_name"])[0] or "application/octet-stream",
            **{k: v for k, v in common.items() if k != "outcomes"},
        )
        item.document.save(f"{common['uuid']}.{extension}", File(handle), save=False)
        try:
            item.full_clean()
            item.save()
            if common.get("outcomes"):
                item.outcomes.set(common["outcomes"])
        except Exception:
            item.document.delete(save=False)
            raise
    return item


def _store_scorm(path: Path, report: PackageReport, common: dict) -> LibraryItem:
    prefix = f"{ITEMS_PREFIX}/{common['uuid']}"
    written: list[str] = []
    manifest = report.manifest
    storage = upload_storage()
    try:
        with zipfile.ZipFile(path) as archive:
            for info in report.scan.members:
                written.append(save_member(archive, info, f"{prefix}/{info.filename}", storage))
        with transaction.atomic():
            return _create_item(
                common,
                kind=ItemKind.SCORM,
                storage_prefix=prefix,
                version=manifest.version,
                launch=manifest.launch,
                toc=[
                    {
                        "identifier": i.identifier,
                        "title": i.title,
                        "href": i.href,
                        "depth": i.depth,
                        "is_sco": i.is_sco,
                        "visible": i.visible,
                        "mastery_score": i.mastery_score,
                        "data_from_lms": i.data_from_lms,
                        "completion_threshold": i.completion_threshold,
                    }
                    for i in manifest.toc
                ],
                package_metadata={"identifier": manifest.identifier, "edition": manifest.edition},
            )
    except Exception:
        delete_keys(written)
        remove_empty_folders(prefix)
        raise


def _store_library(archive: zipfile.ZipFile, bundled, storage) -> H5PLibrary:
    """Store one library version once. Files go under a fresh prefix first; the unique constraint decides which
    copy wins when two uploads bring the same new version at the same time, and the loser's copy is deleted."""
    prefix = f"{H5P_LIBRARIES_PREFIX}/{bundled.ref.key}-{uuid.uuid4().hex[:8]}"
    written: list[str] = []
    try:
        for info in bundled.members:
            relative = info.filename.split("/", 1)[1]
            written.append(save_member(archive, info, f"{prefix}/{relative}", storage))
        with transaction.atomic():
            return H5PLibrary.objects.create(
                machine_name=bundled.ref.machine_name,
                major_version=bundled.ref.major,
                minor_version=bundled.ref.minor,
                patch_version=bundled.patch,
                title=str(bundled.metadata.get("title", ""))[:255],
                runnable=bool(bundled.metadata.get("runnable")),
                metadata=bundled.metadata,
                storage_prefix=prefix,
                file_count=len(written),
                size=sum(i.file_size for i in bundled.members),
            )
    except IntegrityError:
        delete_keys(written)
        remove_empty_folders(prefix)
        return H5PLibrary.objects.get(
            machine_name=bundled.ref.machine_name, major_version=bundled.ref.major, minor_version=bundled.ref.minor
        )
    except Exception:
        delete_keys(written)
        remove_empty_folders(prefix)
        raise


def _store_h5p(path: Path, report: PackageReport, common: dict) -> LibraryItem:
    h5p = report.h5p
    prefix = f"{ITEMS_PREFIX}/{common['uuid']}"
    written: list[str] = []
    existing = {lib.key: lib for lib in H5PLibrary.objects.all()}
    storage = upload_storage()
    try:
        with zipfile.ZipFile(path) as archive:
            members = {m.filename: m for m in report.scan.members}
            written.append(save_member(archive, members["h5p.json"], f"{prefix}/h5p.json", storage))
            for info in h5p.content_members:
                written.append(save_member(archive, info, f"{prefix}/{info.filename}", storage))
            for bundled in h5p.libraries:
                if bundled.ref.key not in existing:
                    existing[bundled.ref.key] = _store_library(archive, bundled, storage)
        with transaction.atomic():
            item = _create_item(
                common,
                kind=ItemKind.H5P,
                storage_prefix=prefix,
                launch=h5p.launch,
                package_metadata={
                    **h5p.metadata,
                    "dependencies": [ref.key for ref in h5p.dependencies],
                },
            )
            ItemLibrary.objects.bulk_create(
                [
                    ItemLibrary(item=item, library=existing[ref.key], position=position)
                    for position, ref in enumerate(h5p.dependencies)
                    if ref.key in existing
                ]
            )
            return item
    except Exception:
        delete_keys(written)
        remove_empty_folders(prefix)
        raise


def delete_item(*, item: LibraryItem) -> None:
    """Delete the item and its files (shared H5P libraries stay for the other packages)."""
    with transaction.atomic():
        prefix, document = item.storage_prefix, item.document.name if item.document else ""
        item.delete()
    if prefix:
        delete_prefix(prefix)
        remove_empty_folders(prefix)
    if document:
        from django.core.files.storage import default_storage

        default_storage.delete(document)
