"""Time zones: one check for every place a time zone is given (argument, profile, command line).

runtwitch never uses the computer's own time zone: a time zone is either
given, as an IANA name, or unknown (``None``).
"""

from __future__ import annotations

import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from runtwitch.errors import UnknownTimeZoneError


def resolve_tz(tz: str | None, *, path: str | os.PathLike[str] | None = None) -> ZoneInfo | None:
    """The zone named ``tz`` (None stays None).

    Raises
    ------
    UnknownTimeZoneError
        ``tz`` is not an IANA time zone name (``path``: the file that named it).
    """
    if tz is None:
        return None
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise UnknownTimeZoneError(tz, path) from exc
