"""Audit rows for sign-in, sign-out and failed sign-in, which Django reports only through signals."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from sarv.core import audit
from sarv.core.choices import AuditAction


def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.log(actor=user, action=AuditAction.LOGIN, instance=user)


def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.log(actor=user, action=AuditAction.LOGOUT, instance=user)


def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # The username typed is kept (it may not exist); the password never reaches this handler.
    audit.log(actor=None, action=AuditAction.LOGIN_FAILED,
              object_repr=str(credentials.get("username", ""))[:150])


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="sarv.accounts.audit_login")
    user_logged_out.connect(_logged_out, dispatch_uid="sarv.accounts.audit_logout")
    user_login_failed.connect(_login_failed, dispatch_uid="sarv.accounts.audit_login_failed")
