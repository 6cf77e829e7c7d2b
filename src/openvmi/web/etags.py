"""ETags of versioned rows (supplier items, stock lines): the version in quotes out, If-Match
read back strictly, so a made-up tag is a field error and never reaches the database."""
from openvmi.errors import FieldError, InvalidInput
from openvmi.limits import counter


def etag(version: int) -> str:
    return f'"{version}"'


def version_from_etag(if_match: str) -> int:
    """The version an If-Match header names (weak or strong, quoted or not)."""
    version = counter(if_match.removeprefix("W/").strip().strip('"'))
    if version is None:
        raise InvalidInput([FieldError("If-Match", "must be an ETag returned by this API")])
    return version
