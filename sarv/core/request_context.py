"""The client address and user of the request being served, for audit rows written deep inside actions.

Actions take the acting user as an argument; the address is only known to the
web layer, so the middleware stores it here for the duration of the request.
Tasks and commands run without a request and record no address.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip_address: str | None
    user_agent: str = ""


_current: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar("sarv_request", default=None)


def set_current(info: RequestInfo | None) -> contextvars.Token[RequestInfo | None]:
    return _current.set(info)


def reset(token: contextvars.Token[RequestInfo | None]) -> None:
    _current.reset(token)


def current_ip() -> str | None:
    info = _current.get()
    return info.ip_address if info else None
