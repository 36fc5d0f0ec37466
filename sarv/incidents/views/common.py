"""Helpers shared by the incident pages, and the small HTMX endpoints that fill dependent selects."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any, cast

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from sarv.accounts.models import User
from sarv.core.errors import ConflictError, NotFound, SarvError
from sarv.core.forms import apply_error
from sarv.core.permissions import is_agent
from sarv.core.search import normalize_record_number
from sarv.incidents import forms, selectors
from sarv.incidents.models import Incident

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]
# A record the quick actions work on: an incident here, a problem on the problem pages.
Record = Any
# Renders a record's page, optionally with one submitted form (its key and the bound form) shown with its errors.
PageRenderer = Callable[[HttpRequest, Record, "tuple[str, django_forms.BaseForm] | None", int], HttpResponse]

# Fields that actions name differently from the forms that feed them.
_ERROR_FIELD_ALIASES = {"reference": "letter_number", "parent": "number", "child": "number"}


def agent_required(view: View) -> View:
    """Let only agents in. A signed-in requester gets 403 and an anonymous visitor the sign-in page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_agent(request.user):
            raise DjangoPermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def acting_user(request: HttpRequest) -> User:
    """Return the signed-in user, which every view that calls an action has already required."""
    return cast(User, request.user)


def htmx_target(request: HttpRequest) -> str | None:
    """Return the id of the element an HTMX request will swap, or None for a normal request."""
    details = getattr(request, "htmx", None)
    if not details:
        return None
    return details.target


def visible_incident_or_404(request: HttpRequest, number: str) -> Incident:
    """Return the incident if the user may see it, else raise 404 so that nothing hints that it exists."""
    try:
        return selectors.get_visible_incident(request.user, number)
    except NotFound:
        raise Http404 from None


def canonical_redirect(incident: Record, number: str, url: str) -> HttpResponse | None:
    """Send a number typed another way (Persian digits, lower case, no padding) to the record's own address."""
    if number != incident.number and normalize_record_number(number) == incident.number:
        return redirect(url)
    return None


@require_GET
@login_required
def subcategory_options(request: HttpRequest) -> HttpResponse:
    """Return the ``<option>`` list of the chosen category's subcategories."""
    category = request.GET.get("category", "")
    options = forms.subcategories_of(category)
    return render(request, "incidents/_options.html", {
        "options": options, "empty_label": forms.empty_subcategory_label(bool(category)),
    })


@require_GET
@agent_required
def agent_options(request: HttpRequest) -> HttpResponse:
    """Return the ``<option>`` list of the agents in the chosen support group."""
    group = request.GET.get("assigned_group", "")
    options = [(user.pk, forms.user_label(user)) for user in forms.agents_for_group(group)]
    return render(request, "incidents/_options.html", {"options": options, "empty_label": forms.NO_AGENT_LABEL})


@require_GET
@agent_required
def user_options(request: HttpRequest) -> HttpResponse:
    """Return the ``<option>`` list of active people matching the typed text (the requester and watcher pickers)."""
    query = request.GET.get("q", "")
    users = forms.search_users(query)[: forms.USER_PICKER_LIMIT]
    options = [(user.pk, forms.user_label(user)) for user in users]
    selected = options[0][0] if query and options else None
    return render(request, "incidents/_options.html", {
        "options": options, "empty_label": forms.CHOOSE_PERSON_LABEL, "selected": selected,
    })


def apply_action_error(form: django_forms.BaseForm, error: SarvError) -> None:
    """Show an action's error on the form field it concerns, or above the form."""
    alias = _ERROR_FIELD_ALIASES.get(error.field or "")
    if alias and alias in form.fields:
        error.field = alias
    apply_error(form, error)
    if isinstance(error, ConflictError) and isinstance(form, forms.VersionedForm):
        form.refresh_version(error.params["current_version"])


def auto_id(key: str) -> str:
    # Several forms on one page share field names, so a prefix keeps their element ids unique.
    return key + "_%s"


def plain_form(form_class: type[django_forms.Form], key: str) -> Any:
    """Return a builder of a quick-action form with no initial values."""

    def make(request: HttpRequest, record: Record, data: Any, files: Any) -> django_forms.BaseForm:
        return form_class(data, files, auto_id=auto_id(key))

    return make


def version_form(form_class: type[django_forms.Form], key: str, **initial_of: str) -> Any:
    """Return a builder of a form whose initial values are the record's version and the named attributes.

    ``initial_of`` maps a form field to the record attribute it starts from.
    """

    def make(request: HttpRequest, record: Record, data: Any, files: Any) -> django_forms.BaseForm:
        initial = {"version": record.version, **{name: getattr(record, attr) for name, attr in initial_of.items()}}
        return form_class(data, files, auto_id=auto_id(key), initial=initial)

    return make


@dataclass(frozen=True)
class QuickAction:
    """One button or small form on an incident page: the form it reads, the action it calls, when it shows.

    ``allowed`` only decides whether the page offers the action; the action
    checks permission again, so a forged request gets the action's error.
    """

    make_form: Callable[[HttpRequest, Record, Any, Any], django_forms.BaseForm]
    run: Callable[[HttpRequest, Record, dict[str, Any]], Any]
    done: Any
    allowed: Callable[[Any, Record], bool]


def build_forms(
    request: HttpRequest, incident: Record, table: Mapping[str, QuickAction],
    bound: tuple[str, django_forms.BaseForm] | None,
) -> dict[str, django_forms.BaseForm]:
    """Return the forms of the quick actions the user is offered. The submitted one keeps its input and errors."""
    result = {}
    for key, spec in table.items():
        if bound is not None and bound[0] == key:
            result[key] = bound[1]
        elif spec.allowed(request.user, incident):
            result[key] = spec.make_form(request, incident, None, None)
    return result


def run_quick_action(
    request: HttpRequest, number: str, key: str, table: Mapping[str, QuickAction], render_page: PageRenderer,
    url_of: Callable[[Record], str], load: Callable[[HttpRequest, str], Any] = visible_incident_or_404,
) -> HttpResponse:
    """Validate the submitted form, call the action, then redirect (PRG) or show the page with the form's errors.

    An unknown action or a record the user may not see is a 404. ``load`` finds the record (an incident
    unless another record type's pages pass their own). A form
    without visible fields (a plain button) reports its error as a message
    after the redirect, because there is no typed input to keep.
    """
    spec = table.get(key)
    if spec is None:
        raise Http404
    incident = load(request, number)
    success_url = url_of(incident)
    form = spec.make_form(request, incident, request.POST, request.FILES)
    is_htmx = bool(getattr(request, "htmx", False))
    status = 400
    conflict = False
    if form.is_valid():
        try:
            spec.run(request, incident, form.cleaned_data)
        except SarvError as error:
            conflict = isinstance(error, ConflictError)
            logger.info("Action %s on record %s rejected for user %s: %s", key, incident.number,
                        request.user.pk, error.code)
            status = error.status_code
            if not form.visible_fields():
                messages.error(request, error.message)
                return redirect(success_url)
            apply_action_error(form, error)
        else:
            messages.success(request, str(spec.done) % {"number": incident.number})
            return redirect(success_url)
    elif not form.visible_fields():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect(success_url)
    # Reload: the failed action may have raced with another change, and the page must show the current state.
    fresh = load(request, incident.number)
    if conflict and isinstance(form, forms.VersionedForm):
        form.rebase(fresh)
    # HTMX swaps only 2xx responses, and the errors must still reach the panel that sent the form.
    return render_page(request, fresh, (key, form), 200 if is_htmx else status)
