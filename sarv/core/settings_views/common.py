"""Shared parts of every Settings page: the permission gate, form handling, create and edit pages, pagination."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise

from sarv.core.errors import PermissionDenied as ActionPermissionDenied
from sarv.core.errors import SarvError
from sarv.core.forms import apply_error
from sarv.core.permissions import can_view_audit_log, is_settings_admin
from sarv.core.settings_views.sections import side_menu

View = Callable[..., HttpResponse]
PAGE_SIZE = 30


def _gate(check: Callable[[Any], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @login_required
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                # Django renders templates/403.html, which explains the refusal in the user's language.
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


settings_admin_required = _gate(is_settings_admin)
audit_log_required = _gate(can_view_audit_log)


def settings_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Render a Settings page with the navbar's "settings" item and the current section marked."""
    return render(request, template, {"nav": "settings", "settings_menu": side_menu(request.path), **context})


def save_form(
    request: HttpRequest,
    form: BaseForm,
    save: Callable[[dict[str, Any]], Any],
    *,
    success_message: str,
    success_url: str | Callable[[Any], str],
) -> HttpResponse | None:
    """Validate a posted ``form`` and call ``save`` with its cleaned data.

    Returns a redirect on success. Returns None when the form or the action
    rejected the input; the action's error is then on the form, which keeps
    everything the user typed. ``success_url`` may be a function of what
    ``save`` returned, for pages that go on to the object just created.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save(form.cleaned_data)
    except ActionPermissionDenied:
        raise PermissionDenied from None
    except SarvError as error:
        apply_error(form, error)
        return None
    messages.success(request, success_message)
    return redirect(success_url(saved) if callable(success_url) else success_url)


def form_page(
    request: HttpRequest,
    form: BaseForm,
    save: Callable[[dict[str, Any]], Any],
    *,
    title: str,
    back_url: str,
    success_message: str,
    success_url: str | Callable[[Any], str] | None = None,
    template: str = "settings/form.html",
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """Serve a create or edit page: show the form, save it through ``save``, go back to the list."""
    response = save_form(request, form, save, success_message=success_message,
                         success_url=success_url or back_url)
    if response is not None:
        return response
    return settings_page(request, template, {"form": form, "title": title, "back_url": back_url, **(context or {})})


def run_action(request: HttpRequest, action: Callable[[], Any], *, success_message: str) -> bool:
    """Call an action that has no form (a toggle or a delete) and report its outcome as a page message."""
    try:
        action()
    except ActionPermissionDenied:
        raise PermissionDenied from None
    except SarvError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success_message)
    return True


def paginate(request: HttpRequest, queryset: QuerySet[Any] | list[Any], size: int = PAGE_SIZE) -> Page:
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _no_form_kwargs(instance: Any) -> dict[str, Any]:
    return {}


def _active_by_default(request: HttpRequest) -> dict[str, Any]:
    return {"is_active": True}


@dataclass(frozen=True)
class EditPages:
    """The create and edit pages of one kind of reference data, each saved through the kind's action.

    ``save(actor, instance_or_none, cleaned_data)`` calls the action; titles and
    messages are lazy translations, ``edit_title`` with a ``%(name)s`` placeholder.
    """

    model: type[Model]
    form_class: type[BaseForm]
    fields: tuple[str, ...]
    save: Callable[[Any, Any, dict[str, Any]], Any]
    list_url_name: str
    new_title: str | Promise
    edit_title: str | Promise
    created_message: str | Promise
    saved_message: str | Promise
    initial_for_new: Callable[[HttpRequest], dict[str, Any]] = _active_by_default
    form_kwargs: Callable[[Any], dict[str, Any]] = _no_form_kwargs
    after_create_url: Callable[[Any], str] | None = None
    template: str = "settings/form.html"
    edit_context: Callable[[Any], dict[str, Any]] | None = None

    def _page(self, request: HttpRequest, instance: Any) -> HttpResponse:
        if instance is None:
            initial = self.initial_for_new(request)
            title, message = str(self.new_title), str(self.created_message)
        else:
            initial = {name: getattr(instance, name) for name in self.fields}
            title, message = str(self.edit_title) % {"name": instance}, str(self.saved_message)
        form = self.form_class(request.POST or None, initial=initial, **self.form_kwargs(instance))
        actor = request.user
        back_url = reverse(self.list_url_name)
        context = self.edit_context(instance) if instance is not None and self.edit_context else {}
        return form_page(
            request, form, lambda data: self.save(actor, instance, data), title=title, back_url=back_url,
            success_message=message, success_url=self.after_create_url if instance is None else None,
            template=self.template, context=context,
        )

    def views(self) -> tuple[View, View]:
        """Return the create view and the edit view (which takes ``pk``), both for administrators only."""

        def create(request: HttpRequest) -> HttpResponse:
            return self._page(request, None)

        def edit(request: HttpRequest, pk: int) -> HttpResponse:
            return self._page(request, get_object_or_404(self.model, pk=pk))

        return settings_admin_required(create), settings_admin_required(edit)
