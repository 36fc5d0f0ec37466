"""Creating and editing CIs, relating them, and the small HTMX endpoints of the CI forms."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sarv.accounts.models import User
from sarv.cmdb import actions, forms, permissions, pickers, selectors
from sarv.cmdb.models import CI, CIClass, Relationship, RelationshipType
from sarv.cmdb.views.common import acting_user, cmdb_viewer_required, show_error, visible_ci_or_404
from sarv.cmdb.views.detail import relationship_rows
from sarv.core.errors import SarvError

logger = logging.getLogger(__name__)


def _ci_values(form: forms.CIForm) -> dict[str, Any]:
    values = form.values()
    if values.get("holder") is not None and values.get("holder_department") is None:
        # The action then takes the holder's own department.
        del values["holder_department"]
    values["attributes"] = form.attribute_values()
    return values


def _editable_classes(user: Any) -> list[CIClass]:
    return [ci_class for ci_class in forms.active_classes() if permissions.can_edit_class(user, ci_class)]


@cmdb_viewer_required
def ci_create(request: HttpRequest) -> HttpResponse:
    """Add a configuration item; choosing the class brings its attribute fields (HTMX)."""
    user = acting_user(request)
    classes = _editable_classes(user)
    if not classes:
        messages.error(request, _("You may not add configuration items of any class."))
        return redirect("cmdb:list")
    initial_class = next((c for c in classes if str(c.pk) == request.GET.get("ci_class")), None)
    form = forms.CIForm(request.POST or None, ci_class=initial_class, auto_id="ci_%s")
    form.fields["ci_class"].queryset = CIClass.objects.filter(pk__in=[c.pk for c in classes])  # type: ignore[attr-defined]
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                ci = actions.create_ci(actor=user, values=_ci_values(form))
            except SarvError as error:
                show_error(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Configuration item «%(name)s» was added.") % {"name": ci.name})
                return redirect(ci.get_absolute_url())
    return render(request, "cmdb/ci_form.html", {"form": form, "nav": "cmdb", "ci": None}, status=status)


@cmdb_viewer_required
def ci_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ci = visible_ci_or_404(request, pk)
    user = acting_user(request)
    if not permissions.can_edit(user, ci):
        messages.error(request, _("You may not edit configuration items of the class %(ci_class)s.")
                       % {"ci_class": ci.ci_class.name})
        return redirect(ci.get_absolute_url())
    form = forms.CIForm(request.POST or None, ci=ci, auto_id="ci_%s")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                changes = actions.update_ci(actor=user, ci=ci, values=_ci_values(form),
                                            expected_version=form.cleaned_data.get("version"))
            except SarvError as error:
                show_error(form, error)
                status = error.status_code
            else:
                if changes:
                    messages.success(request, _("Configuration item «%(name)s» was saved.") % {"name": ci.name})
                else:
                    messages.info(request, _("Nothing changed."))
                return redirect(ci.get_absolute_url())
    return render(request, "cmdb/ci_form.html", {"form": form, "nav": "cmdb", "ci": ci}, status=status)


@require_GET
@cmdb_viewer_required
def attribute_fields(request: HttpRequest) -> HttpResponse:
    """Return the attribute fields of the chosen class (the CI form swaps them in when the class changes)."""
    raw = request.GET.get("ci_class", "")
    ci_class = forms.active_classes().filter(pk=raw).first() if raw.isdigit() else None
    form = forms.AttributeFieldsForm(ci_class=ci_class, auto_id="ci_%s")
    return render(request, "cmdb/_attribute_fields.html", {"form": form, "ci_class": ci_class})


@require_GET
@cmdb_viewer_required
def ci_options(request: HttpRequest) -> HttpResponse:
    """Return the ``<option>`` list of CIs matching the typed text (CI pickers), limited to a class if given."""
    queryset = CI.objects.visible_to(request.user).select_related("ci_class")
    raw_class = request.GET.get("ci_class", "")
    if raw_class.isdigit():
        ci_class = CIClass.objects.filter(pk=raw_class).first()
        if ci_class is not None:
            queryset = queryset.filter(ci_class__path__startswith=ci_class.path)
    query = request.GET.get("q", "")
    # A multiple select sends its chosen values along (hx-include), and they stay chosen.
    kept_ids = [value for key in request.GET if key not in ("q", "ci_class")
                for value in request.GET.getlist(key) if value.isdigit()]
    kept = list(queryset.filter(pk__in=kept_ids)) if kept_ids else []
    found = list(selectors.search_cis(queryset.exclude(pk__in=kept_ids), query)
                 .order_by("name_fa", "pk")[: pickers.CI_PICKER_LIMIT])
    multiple = request.GET.get("multiple") == "1"
    first_match = found[0].pk if query and found and not kept else None
    return render(request, "cmdb/_ci_options.html", {
        "kept": kept, "found": found, "multiple": multiple, "first_match": first_match,
        "empty_label": pickers.CHOOSE_CI_LABEL,
    })


def _relationships_panel(
    request: HttpRequest, ci: CI, form: forms.RelationshipForm | None, status: int,
) -> HttpResponse:
    """Render the CI's relationship panel alone (HTMX selects #panel-relationships from it)."""
    context = {
        "ci": ci,
        "relationships": relationship_rows(ci, None),
        "relationship_form": form or forms.RelationshipForm(ci=ci),
    }
    return render(request, "cmdb/_relationships_panel.html", context, status=status)


@require_POST
@cmdb_viewer_required
def relationship_add(request: HttpRequest, pk: int) -> HttpResponse:
    ci = visible_ci_or_404(request, pk)
    form = forms.RelationshipForm(request.POST, ci=ci)
    is_htmx = bool(getattr(request, "htmx", False))
    status = 400
    if form.is_valid():
        source, code, target = form.endpoints()
        try:
            relationship_type = RelationshipType.objects.get(pk=code)
            actions.relate(actor=acting_user(request), source=source, target=target,
                           relationship_type=relationship_type, description=form.cleaned_data["description"])
        except RelationshipType.DoesNotExist:
            form.add_error("kind", _("Choose a valid relationship."))
        except SarvError as error:
            show_error(form, error, aliases={"source": "other", "target": "other", "relationship_type": "kind",
                                             "type": "kind"})
            status = error.status_code
        else:
            messages.success(request, _("The relationship was added."))
            if is_htmx:
                return _relationships_panel(request, ci, None, 200)
            return redirect(ci.get_absolute_url() + "#panel-relationships")
    if is_htmx:
        # HTMX swaps only 2xx responses, and the errors must reach the panel that sent the form.
        return _relationships_panel(request, ci, form, 200)
    return _relationships_panel(request, ci, form, status)


@require_POST
@cmdb_viewer_required
def relationship_end(request: HttpRequest, pk: int, relationship_id: int) -> HttpResponse:
    ci = visible_ci_or_404(request, pk)
    relationship = Relationship.objects.current().filter(Q(source=ci) | Q(target=ci), pk=relationship_id).first()
    if relationship is None:
        raise Http404
    try:
        actions.end_relationship(actor=acting_user(request), relationship=relationship)
    except SarvError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The relationship was removed."))
    if getattr(request, "htmx", False):
        return _relationships_panel(request, ci, None, 200)
    return redirect(ci.get_absolute_url() + "#panel-relationships")


@require_GET
@cmdb_viewer_required
def incident_suggestions(request: HttpRequest) -> HttpResponse:
    """Render the incident form's CI panel: CIs tied to the requester or their department, and the service that follows.

    ``target`` is the id of the affected-CI select that a suggestion fills.
    """
    requester_id = _digits(request.GET.get("requester", ""))
    ci_id = _digits(request.GET.get("affected_ci", ""))
    requester = User.objects.filter(pk=requester_id).select_related("department").first() if requester_id else None
    suggestions = selectors.suggested_cis(requester, request.user) if requester is not None else []
    chosen = CI.objects.visible_to(request.user).select_related("ci_class").filter(pk=ci_id).first() if ci_id else None
    return render(request, "cmdb/_incident_suggestions.html", {
        "suggestions": suggestions, "requester": requester, "chosen": chosen,
        "service": selectors.service_for_ci(chosen) if chosen is not None else None,
        "target": request.GET.get("target", ""),
    })


def _digits(value: str) -> str:
    return value if value.isdigit() else ""
