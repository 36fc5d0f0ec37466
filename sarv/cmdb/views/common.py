"""Helpers shared by the CMDB pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from sarv.accounts.models import User
from sarv.cmdb.models import CI
from sarv.cmdb.permissions import can_manage, can_view_cmdb
from sarv.core.errors import SarvError
from sarv.core.forms import apply_error

View = Callable[..., HttpResponse]


def cmdb_viewer_required(view: View) -> View:
    """Let in people who may see configuration items; others get 403, anonymous visitors the sign-in page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_view_cmdb(request.user):
            raise DjangoPermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def cmdb_manager_required(view: View) -> View:
    """Let in CMDB administrators only (classes, attributes, imports)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_manage(request.user):
            raise DjangoPermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def acting_user(request: HttpRequest) -> User:
    return cast(User, request.user)


def visible_ci_or_404(request: HttpRequest, pk: int) -> CI:
    """Return the CI if the user may see it, else raise 404 so that nothing hints that it exists."""
    ci = (CI.objects.visible_to(request.user)
          .select_related("ci_class", "support_group", "location", "holder", "holder_department", "service",
                          "created_by")
          .filter(pk=pk).first())
    if ci is None:
        raise Http404
    return ci


def show_error(form: django_forms.BaseForm, error: SarvError, aliases: dict[str, str] | None = None) -> None:
    """Show an action's error on the form field it names (through ``aliases`` if the names differ)."""
    if aliases and error.field in aliases:
        error.field = aliases[error.field]
    elif error.field and error.field.startswith("attributes."):
        error.field = "attr_" + error.field.removeprefix("attributes.")
    apply_error(form, error)
