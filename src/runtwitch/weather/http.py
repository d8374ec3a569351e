"""The network layer of the weather archive: one GET with a time-out and a size limit.

A *transport* is any callable ``(url, timeout_s, max_bytes) -> bytes`` that
raises :class:`~runtwitch.errors.WeatherFetchError` on failure; archives take
one as a keyword so that tests (and users behind unusual networks) can supply
their own. :func:`http_get` is the default, on the standard library alone.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable

from runtwitch.errors import WeatherFetchError

#: ``(url, timeout_s, max_bytes) -> body``; raises WeatherFetchError.
Transport = Callable[[str, float, int], bytes]

#: Bytes read per chunk while watching the size limit and the deadline.
CHUNK_BYTES = 64 * 1024
#: Bytes of an error reply kept for the message.
ERROR_BODY_BYTES = 2048


def http_get(url: str, timeout_s: float, max_bytes: int) -> bytes:
    """GET ``url`` and return the body, within ``timeout_s`` and ``max_bytes``.

    Parameters
    ----------
    url
        An ``https://`` (or ``http://``) address.
    timeout_s
        Limit for connecting and for the whole download [s]; a server that
        trickles bytes cannot stretch it beyond one more socket wait.
    max_bytes
        Largest body accepted [bytes]; a larger one is refused unread.

    Raises
    ------
    WeatherFetchError
        With ``network=True`` when nothing usable came back (no network, a
        time-out, a server error or rate limit), ``network=False`` when the
        server refused this request (HTTP 4xx) or the reply was too large.
    """
    host = urllib.parse.urlsplit(url).netloc or url
    request = urllib.request.Request(
        url, headers={"Accept": "application/json", "Accept-Encoding": "identity", "User-Agent": "runtwitch"}
    )
    deadline = time.monotonic() + timeout_s
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as reply:
            declared = reply.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise WeatherFetchError(
                    f"{host} sent a reply of {int(declared)} bytes, more than the limit of {max_bytes} bytes",
                    network=False,
                )
            chunks: list[bytes] = []
            total = 0
            while chunk := reply.read(CHUNK_BYTES):
                total += len(chunk)
                if total > max_bytes:
                    raise WeatherFetchError(
                        f"{host} sent more than the limit of {max_bytes} bytes", network=False
                    )
                if time.monotonic() > deadline:
                    raise WeatherFetchError(f"{host} timed out after {timeout_s:g} s", network=True)
                chunks.append(chunk)
            return b"".join(chunks)
    except WeatherFetchError:
        raise
    except urllib.error.HTTPError as exc:
        detail = exc.read(ERROR_BODY_BYTES).decode("utf-8", "replace").strip() if exc.fp else ""
        server_side = exc.code >= 500 or exc.code == 429
        raise WeatherFetchError(
            f"{host} answered HTTP {exc.code} {exc.reason}" + (f": {detail}" if detail else ""),
            network=server_side,
        ) from exc
    except TimeoutError as exc:
        raise WeatherFetchError(f"{host} timed out after {timeout_s:g} s", network=True) from exc
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise WeatherFetchError(f"{host} could not be reached ({reason})", network=True) from exc
