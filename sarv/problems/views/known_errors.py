"""Known error database pages: the searchable list, a known error's page, publishing, updating and retiring."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sarv.accounts.models import User
from sarv.core.errors import NotFound, SarvError
from sarv.core.forms import apply_error, style_form
from sarv.core.search import search
from sarv.incidents.views.workspace import make_small
from sarv.problems import actions, permissions
from sarv.problems.choices import OPEN_STATUSES
from sarv.problems.known_error_forms import PublishForm, RetireForm
from sarv.problems.known_errors import (
    KnownErrorFilter,
    can_view_known_errors,
    get_known_error,
    get_visible_problem,
    known_errors_for,
)
from sarv.problems.models import KnownError, KnownErrorUse, Problem

View = Callable[..., HttpResponse]
PAGE_SIZE = 25
RESULTS_TARGET = "known-error-results"
LIST_PARAMETERS = tuple(KnownErrorFilter.base_filters)
RECENT_USES = 20


def kedb_reader_required(view: View) -> View:
    """Let in people who may read the known error database; others get 403, anonymous visitors the sign-in page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_view_known_errors(request.user):
            raise DjangoPermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _known_error_or_404(request: HttpRequest, number: str) -> KnownError:
    try:
        return get_known_error(request.user, number)
    except NotFound:
        raise Http404 from None


def _list_params(source: QueryDict) -> QueryDict:
    params = QueryDict(mutable=True)
    for key in LIST_PARAMETERS:
        values = [value for value in source.getlist(key) if value != ""]
        if values:
            params.setlist(key, values)
    return params


@require_GET
@kedb_reader_required
def known_error_list(request: HttpRequest) -> HttpResponse:
    """Show the known error database. An HTMX request for the results gets only the results fragment."""
    params = _list_params(request.GET)
    filterset = KnownErrorFilter(data=params, queryset=known_errors_for(request.user), request=request)
    form = filterset.form
    form.auto_id = "f_%s"
    form.fields["q"].widget.input_type = "search"
    form.fields["q"].widget.attrs["placeholder"] = _("Number, error message or words of the workaround")
    style_form(form)
    make_small(form)
    queryset = filterset.qs.order_by("-published_at", "-pk")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "known_errors",
        "page": page,
        "filter_form": form,
        "params": params,
        "has_filters": bool(params),
    }
    details = getattr(request, "htmx", None)
    if details and details.target == RESULTS_TARGET:
        return render(request, "known_errors/_results.html", context)
    return render(request, "known_errors/list.html", context)


def render_known_error(request: HttpRequest, known_error: KnownError, retire_form: RetireForm | None = None,
                       status: int = 200) -> HttpResponse:
    user = request.user
    can_manage = permissions.can_manage(user)
    uses = (KnownErrorUse.objects.filter(known_error=known_error).select_related("incident", "used_by")
            .order_by("-used_at", "-pk"))
    context = {
        "nav": "known_errors",
        "known_error": known_error,
        "problem_visible": permissions.can_view(user, known_error.problem),
        "services": known_error.services.order_by("name_fa"),
        "cis": known_error.cis.order_by("name_fa"),
        "use_count": uses.count(),
        "recent_uses": uses[:RECENT_USES],
        "can_manage": can_manage,
        "retire_form": retire_form or (RetireForm(initial={"version": known_error.version}, auto_id="retire_%s")
                                       if can_manage and known_error.is_published else None),
    }
    return render(request, "known_errors/detail.html", context, status=status)


@require_GET
@kedb_reader_required
def known_error_detail(request: HttpRequest, number: str) -> HttpResponse:
    known_error = _known_error_or_404(request, number)
    if number != known_error.number:
        return redirect(known_error.get_absolute_url())
    return render_known_error(request, known_error)


@require_POST
@kedb_reader_required
def known_error_retire(request: HttpRequest, number: str) -> HttpResponse:
    known_error = _known_error_or_404(request, number)
    form = RetireForm(request.POST, auto_id="retire_%s")
    if form.is_valid():
        try:
            actions.retire_known_error(actor=_actor(request), known_error=known_error,
                                       reason=form.cleaned_data["reason"],
                                       expected_version=form.cleaned_data["version"])
        except SarvError as error:
            apply_error(form, error)
            status = error.status_code
        else:
            messages.success(request, _("%(number)s was retired.") % {"number": known_error.number})
            return redirect(known_error.get_absolute_url())
    else:
        status = 400
    return render_known_error(request, _known_error_or_404(request, number), form, status)


@require_POST
@kedb_reader_required
def known_error_update(request: HttpRequest, number: str) -> HttpResponse:
    """Copy the problem's current analysis into the known error again (a plain button: errors come as messages)."""
    known_error = _known_error_or_404(request, number)
    try:
        actions.update_known_error(actor=_actor(request), known_error=known_error)
    except SarvError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(number)s was updated from its problem.") % {"number": known_error.number})
    return redirect(known_error.get_absolute_url())


@require_http_methods(["GET", "POST"])
@kedb_reader_required
def known_error_publish(request: HttpRequest, problem_number: str) -> HttpResponse:
    """Publish a problem's root cause and workaround as a known error, or update the one it has.

    The form takes the title and symptoms; the root cause, workaround, category,
    services and CIs are the problem's.
    """
    if not permissions.can_manage(request.user):
        raise DjangoPermissionDenied
    try:
        problem = get_visible_problem(request.user, problem_number)
    except NotFound:
        raise Http404 from None
    existing = KnownError.objects.filter(problem=problem).first()
    form = PublishForm(request.POST or None, initial=PublishForm.initial_for(problem, existing), auto_id="publish_%s")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                if existing is None:
                    known_error = actions.publish_known_error(
                        actor=_actor(request), problem=problem, expected_version=data["version"],
                        title=data["title"], symptoms=data["symptoms"])
                    done = _("Known error %(number)s was published.")
                else:
                    known_error = actions.update_known_error(
                        actor=_actor(request), known_error=existing, expected_version=data["version"],
                        title=data["title"], symptoms=data["symptoms"])
                    done = _("Known error %(number)s was updated.")
            except SarvError as error:
                apply_error(form, error)
                status = error.status_code
            else:
                messages.success(request, done % {"number": known_error.number})
                return redirect(known_error.get_absolute_url())
    context = {
        "nav": "known_errors",
        "problem": problem,
        "known_error": existing,
        "form": form,
        "problem_open": problem.status in OPEN_STATUSES,
    }
    return render(request, "known_errors/publish.html", context, status=status)


@require_GET
@kedb_reader_required
def problem_options(request: HttpRequest) -> HttpResponse:
    """Return ``<option>`` rows of the open problems matching the typed number or words (the incident's picker)."""
    query = request.GET.get("problem", "").strip()
    problems: QuerySet[Problem] = Problem.objects.visible_to(request.user).filter(status__in=OPEN_STATUSES)
    if query:
        problems = search(problems, query)
    rows = problems.order_by("-created_at", "-pk").values_list("number", "title")[:PAGE_SIZE]
    return render(request, "known_errors/_problem_options.html", {"rows": rows})
