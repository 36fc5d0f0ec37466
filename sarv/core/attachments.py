"""Validating, storing and serving attachments.

Files are checked before anything is written: size, count, an extension on the
allow-list, and content that matches the extension (a renamed executable is
rejected). The stored file gets a random name; the user's file name, Persian
or not, is kept as typed and sent back in the download's Content-Disposition.
"""

from __future__ import annotations

import hashlib
import mimetypes
import unicodedata
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from sarv.core.errors import ValidationFailed
from sarv.core.models import Attachment, TimelineEntry
from sarv.core.text import normalize_stored

# Leading bytes of executable formats, rejected whatever the file's extension is.
_EXECUTABLE_SIGNATURES = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")
# Leading bytes that files with these extensions must start with.
_REQUIRED_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),
    "zip": (b"PK\x03\x04", b"PK\x05\x06"),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "7z": (b"7z\xbc\xaf\x27\x1c",),
}


def clean_file_name(name: str) -> str:
    """Return the user's file name without any path, control characters or Arabic yeh/kaf."""
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C" or ch == "\u200c")
    base = normalize_stored(base).strip().strip(".")
    return base[:200] or "file"


def validate_files(files: Sequence[UploadedFile]) -> None:
    """Raise ValidationFailed (field "attachments") for the first file that breaks a rule."""
    if len(files) > settings.SARV_ATTACHMENT_MAX_FILES:
        raise ValidationFailed(
            _("At most %(count)s files can be attached at once."),
            field="attachments", count=settings.SARV_ATTACHMENT_MAX_FILES,
        )
    for upload in files:
        validate_file(upload)


def validate_file(upload: UploadedFile) -> None:
    name = clean_file_name(upload.name or "")
    extension = PurePath(name).suffix.lower().lstrip(".")
    if upload.size is None or upload.size == 0:
        raise ValidationFailed(_("The file %(name)s is empty."), field="attachments", name=name)
    if upload.size > settings.SARV_ATTACHMENT_MAX_BYTES:
        raise ValidationFailed(
            _("The file %(name)s is %(size)s; the largest file allowed is %(limit)s."),
            field="attachments", name=name, size=filesizeformat(upload.size),
            limit=filesizeformat(settings.SARV_ATTACHMENT_MAX_BYTES),
        )
    if extension not in settings.SARV_ATTACHMENT_EXTENSIONS:
        raise ValidationFailed(
            _("Files of type %(extension)s cannot be attached. Allowed types: %(allowed)s."),
            field="attachments", extension=extension or "?",
            allowed=", ".join(settings.SARV_ATTACHMENT_EXTENSIONS),
        )
    head = _read_head(upload)
    required = _REQUIRED_SIGNATURES.get(extension)
    if head.startswith(_EXECUTABLE_SIGNATURES) or (required and not head.startswith(required)):
        raise ValidationFailed(
            _("The content of %(name)s does not match its .%(extension)s extension."),
            field="attachments", name=name, extension=extension,
        )


def _read_head(upload: UploadedFile) -> bytes:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    return head if isinstance(head, bytes) else head.encode()


def store_files(
    record: models.Model,
    files: Sequence[UploadedFile],
    *,
    actor: Any,
    is_internal: bool,
    timeline_entry: TimelineEntry | None = None,
) -> list[Attachment]:
    """Save already validated ``files`` against ``record``; the caller runs this inside its transaction.

    NOTE: the files are written to storage at once. If the caller's transaction then rolls back, they
    stay on disk without an Attachment row, and no job removes them yet.
    """
    content_type = ContentType.objects.get_for_model(record)
    stored = []
    for upload in files:
        name = clean_file_name(upload.name or "")
        digest = hashlib.sha256()
        upload.seek(0)
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        attachment = Attachment(
            content_type=content_type,
            object_id=record.pk,
            timeline_entry=timeline_entry,
            original_name=name,
            media_type=media_type,
            size=upload.size or 0,
            sha256=digest.hexdigest(),
            is_internal=is_internal,
            uploaded_by=actor,
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored
