"""Checked files kept for their confirmation (supplier stock dry runs, demand plan checks): a checked
upload is copied into the import storage, bound to who checked it, and usable until it expires, so
confirming needs no second upload. What a file means, and the row that records it, stay with each
feature; this is the file part they share. Stdlib only."""
import hashlib
import uuid
from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from typing import BinaryIO


def keep_upload(stream: BinaryIO, storage: Path, *, prefix: str) -> tuple[Path, str]:
    """Copy the whole upload (from its start) into a new file `<prefix>-<random>.upload` under `storage`;
    the path and the file's SHA-256 (hex)."""
    storage.mkdir(parents=True, exist_ok=True)
    path = storage / f"{prefix}-{uuid.uuid4().hex}.upload"
    digest = hashlib.sha256()
    stream.seek(0)
    with path.open("xb") as stored:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
            stored.write(chunk)
    return path, digest.hexdigest()


def check_usable(*, kept_until: datetime | None, checked_by: int | None, user_id: int, now: datetime) -> bool:
    """A checked file may still be confirmed or checked again: by who checked it, until it expires."""
    return kept_until is not None and kept_until > now and checked_by == user_id


def kept_file(stored_file: str | None, *, kept_until: datetime | None, checked_by: int | None, user_id: int,
              now: datetime) -> Path | None:
    """The kept file of a check this user may still use, or None (used, expired, someone else's, gone)."""
    if stored_file is None or not check_usable(kept_until=kept_until, checked_by=checked_by, user_id=user_id, now=now):
        return None
    path = Path(stored_file)
    return path if path.is_file() else None


def sweep_kept_files(storage: Path, *, prefix: str, waiting: Collection[str], modified_before: datetime) -> list[Path]:
    """Delete `<prefix>-*.upload` files under `storage` whose names are not `waiting` (still kept or queued)
    and that were last modified before `modified_before` (younger ones may belong to a request still running)."""
    if not storage.is_dir():
        return []
    cutoff = modified_before.timestamp()
    removed = []
    for path in storage.glob(f"{prefix}-*.upload"):
        try:
            orphan = path.name not in waiting and path.stat().st_mtime < cutoff
        except FileNotFoundError:
            continue  # another runner swept it, or its import ended
        if orphan:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
