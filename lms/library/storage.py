"""Streaming writes of archive members into the default storage (local files or S3) and streaming reads back.

Each member goes through :class:`BoundedMemberReader`, a file-like object over the ZIP stream that refuses to
yield more bytes than the member's header declared (a lying header is how zip bombs beat central-directory checks)
and never holds more than one chunk. Storage keys are exact (a fresh UUID prefix), so nothing is renamed.
"""

from __future__ import annotations

import io
import mimetypes
import zipfile

from django.core.files import File
from django.core.files.storage import default_storage

from lms.library.packages.archive import ArchiveTooLarge


class BoundedMemberReader(io.RawIOBase):
    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo):
        self._info = info
        self._archive = archive
        self._stream = archive.open(info)
        self._read = 0  # bytes taken from the decompressing stream
        self._pos = 0  # the position callers see (boto3 seeks to the end to learn the size, then back)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_CUR:
            offset += self._pos
        elif whence == io.SEEK_END:
            offset += self._info.file_size
        self._pos = max(0, min(offset, self._info.file_size))
        return self._pos

    def _sync(self) -> None:
        """Bring the stream to ``_pos``: reopen to go back, read and drop to go forward (rare: storages rewind to 0)."""
        if self._pos < self._read:
            self._stream.close()
            self._stream = self._archive.open(self._info)
            self._read = 0
        while self._read < self._pos:
            skipped = self._stream.read(min(1 << 20, self._pos - self._read))
            if not skipped:
                break
            self._read += len(skipped)

    def read(self, size: int = -1) -> bytes:
        """One copy per chunk (RawIOBase.read would go through a bytearray and copy again)."""
        self._sync()
        data = self._stream.read(size if size is not None and size >= 0 else -1)
        self._read += len(data)
        if self._read > self._info.file_size:
            raise ArchiveTooLarge(self._info.filename)
        self._pos = self._read
        return data

    def readinto(self, buffer) -> int:
        self._sync()
        data = self._stream.read(len(buffer))
        self._read += len(data)
        if self._read > self._info.file_size:
            raise ArchiveTooLarge(self._info.filename)
        self._pos = self._read
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._stream.close()
        super().close()


class _MemberFile(File):
    def __init__(self, reader: BoundedMemberReader, name: str, size: int):
        super().__init__(reader, name=name)
        self.size = size
        self.content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"


# S3's smallest multipart part; one part at a time is all an upload holds in memory.
UPLOAD_PART_BYTES = 5 * 1024 * 1024


def upload_storage():
    """The storage packages are written to: the default storage (kept for symmetry with the reading side)."""
    return default_storage


def save_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, key: str, storage=None) -> str:
    """Write one member to ``key`` in ``storage`` (the default storage), streaming. Returns the key."""
    storage = storage or default_storage
    reader = BoundedMemberReader(archive, info)
    try:
        if hasattr(storage, "bucket") and hasattr(storage, "connection"):
            _save_to_s3(storage, reader, key, info.file_size)
            return key
        saved = storage.save(key, _MemberFile(reader, key, info.file_size))
    except Exception:
        storage.delete(key)  # local storage leaves the partly written file behind
        raise
    finally:
        reader.close()
    if saved != key:  # a fresh prefix never collides; if the storage renamed, the player would miss the file
        storage.delete(saved)
        raise FileExistsError(key)
    return saved


def _save_to_s3(storage, reader: BoundedMemberReader, key: str, size: int) -> None:
    """One PUT for small members, a sequential multipart upload of 5 MB parts for large ones: memory stays at one
    part whatever the member's size (boto3's managed transfer buffers up to 10 × 8 MB parts in threads, and the
    storage's own save first asks whether the name exists, one more request per file; our prefixes are fresh)."""
    from storages.utils import clean_name

    client = storage.connection.meta.client
    name = storage._normalize_name(clean_name(key))
    params = {**storage.get_object_parameters(name)}
    params.setdefault("ContentType", mimetypes.guess_type(key)[0] or "application/octet-stream")
    bucket = storage.bucket_name
    if size <= UPLOAD_PART_BYTES:
        client.put_object(Bucket=bucket, Key=name, Body=reader.read(), **params)
        return
    upload = client.create_multipart_upload(Bucket=bucket, Key=name, **params)
    parts = []
    try:
        number = 1
        while True:
            chunk = reader.read(UPLOAD_PART_BYTES)
            if not chunk:
                break
            answer = client.upload_part(
                Bucket=bucket, Key=name, UploadId=upload["UploadId"], PartNumber=number, Body=chunk
            )
            parts.append({"PartNumber": number, "ETag": answer["ETag"]})
            number += 1
            del chunk
        client.complete_multipart_upload(
            Bucket=bucket, Key=name, UploadId=upload["UploadId"], MultipartUpload={"Parts": parts}
        )
    except Exception:
        client.abort_multipart_upload(Bucket=bucket, Key=name, UploadId=upload["UploadId"])
        raise


def delete_keys(keys) -> None:
    for key in keys:
        try:
            default_storage.delete(key)
        except Exception:  # noqa: S112 - best-effort cleanup of a failed upload; the error is raised already
            continue


def delete_prefix(prefix: str) -> None:
    """Delete every file below ``prefix`` (a package's extracted folder)."""
    try:
        directories, files = default_storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        default_storage.delete(f"{prefix.rstrip('/')}/{name}")
    for directory in directories:
        delete_prefix(f"{prefix.rstrip('/')}/{directory}")


def remove_empty_folders(prefix: str) -> None:
    """Local storage keeps the folders of deleted files; drop the empty ones left under ``prefix``."""
    import os

    try:
        root = default_storage.path(prefix)
    except NotImplementedError:  # object stores have no folders
        return
    for directory, _subdirs, _files in sorted(os.walk(root), key=lambda walk: -len(walk[0])):
        try:
            os.rmdir(directory)
        except OSError:
            continue
