"""Errors raised by actions, each with a stable code and a translated message.

Pages show ``message``; the API returns ``code``, ``message`` and ``params`` so
clients can translate or react without parsing text. Messages use named
placeholders, filled when the error is raised.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class SarvError(Exception):
    code = "error"
    status_code = 400
    default_message: str | Promise = _("The request could not be completed.")

    def __init__(self, message: str | Promise | None = None, *, field: str | None = None, **params: Any) -> None:
        self.template = message if message is not None else self.default_message
        self.params = params
        self.field = field
        # Rendered now, in the language active where the error happens (the user's request), so the
        # text and the values formatted into it (file sizes, labels) are always in one language.
        text = str(self.template)
        self.message = text % params if params else text
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        if self.params:
            data["params"] = {key: str(value) for key, value in self.params.items()}
        return data


class ValidationFailed(SarvError):
    """Input that breaks a rule; ``field`` names the offending form or API field when there is one."""

    code = "invalid"


class PermissionDenied(SarvError):
    code = "permission_denied"
    status_code = 403
    default_message = _("You do not have permission to do this.")


class NotFound(SarvError):
    code = "not_found"
    status_code = 404
    default_message = _("The record was not found or you do not have access to it.")


class ConflictError(SarvError):
    """Raised when a record changed after the user loaded it; nothing of the second save is written."""

    code = "conflict"
    status_code = 409
    default_message = _(
        "Someone else changed this record after you opened it. Your changes were not saved; "
        "reload the page, check the new values and apply your changes again."
    )


class InvalidTransition(SarvError):
    code = "invalid_transition"
    status_code = 409
    default_message = _("The status cannot change from %(current)s to %(target)s.")


class ModuleDisabled(SarvError):
    code = "module_disabled"
    status_code = 404
    default_message = _("The %(module)s module is switched off. An administrator can switch it on in Settings.")
