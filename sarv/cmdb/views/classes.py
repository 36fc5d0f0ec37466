"""Class and attribute settings of the CMDB (configuration managers and administrators)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sarv.cmdb import actions, forms, selectors
from sarv.cmdb.attributes import effective_definitions
from sarv.cmdb.models import AttributeDefinition, CIClass, RelationshipRule, RelationshipType
from sarv.cmdb.views.common import acting_user, cmdb_manager_required, show_error
from sarv.core.errors import SarvError


@cmdb_manager_required
def class_list(request: HttpRequest) -> HttpResponse:
    classes = selectors.class_tree()
    counts: dict[int, int] = {}
    for definition in AttributeDefinition.objects.filter(is_active=True).values_list("ci_class_id", flat=True):
        counts[definition] = counts.get(definition, 0) + 1
    rows = [{"ci_class": ci_class, "attributes": counts.get(ci_class.pk, 0)} for ci_class in classes]
    return render(request, "cmdb/class_list.html", {"nav": "cmdb", "rows": rows, "can_manage": True})


def _save_class(request: HttpRequest, ci_class: CIClass | None) -> HttpResponse:
    form = forms.CIClassForm(request.POST or None, ci_class=ci_class)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = actions.save_ci_class(actor=acting_user(request), ci_class=ci_class,
                                              values={name: form.cleaned_data.get(name) for name in form.FIELDS})
            except SarvError as error:
                show_error(form, error)
                status = error.status_code
            else:
                messages.success(request, _("The class «%(name)s» was saved.") % {"name": saved.name})
                return redirect("cmdb:class_detail", pk=saved.pk)
    context = {"nav": "cmdb", "form": form, "ci_class": ci_class, "can_manage": True}
    if ci_class is not None:
        own = list(ci_class.attribute_definitions.all())
        context["attributes"] = own
        context["inherited"] = [d for d in effective_definitions(ci_class) if d.ci_class_id != ci_class.pk]
        context["attribute_form"] = forms.AttributeForm()
    return render(request, "cmdb/class_form.html", context, status=status)


@cmdb_manager_required
def class_create(request: HttpRequest) -> HttpResponse:
    return _save_class(request, None)


@cmdb_manager_required
def class_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ci_class = CIClass.objects.filter(pk=pk).first()
    if ci_class is None:
        raise Http404
    return _save_class(request, ci_class)


@cmdb_manager_required
def attribute_edit(request: HttpRequest, pk: int, attribute_id: int | None = None) -> HttpResponse:
    """Add an attribute to the class (no ``attribute_id``) or change one of its own attributes."""
    ci_class = CIClass.objects.filter(pk=pk).first()
    if ci_class is None:
        raise Http404
    definition = None
    if attribute_id is not None:
        definition = AttributeDefinition.objects.filter(pk=attribute_id, ci_class=ci_class).first()
        if definition is None:
            raise Http404
    form = forms.AttributeForm(request.POST or None, definition=definition)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = actions.save_attribute(actor=acting_user(request), definition=definition,
                                               values=form.values(ci_class))
            except SarvError as error:
                show_error(form, error)
                status = error.status_code
            else:
                messages.success(request, _("The attribute «%(name)s» was saved.") % {"name": saved.name})
                return redirect("cmdb:class_detail", pk=ci_class.pk)
    return render(request, "cmdb/attribute_form.html", {
        "nav": "cmdb", "form": form, "ci_class": ci_class, "definition": definition, "can_manage": True,
    }, status=status)


# --- Relationship types and the class pairs each may join -------------------------------------------------


def _rules_of(relationship_type: RelationshipType) -> list[RelationshipRule]:
    return list(relationship_type.rules.select_related("source_class", "target_class")
                .order_by("source_class__path", "target_class__path"))


@cmdb_manager_required
def relationship_type_list(request: HttpRequest) -> HttpResponse:
    types = list(RelationshipType.objects.all())
    counts = dict(RelationshipRule.objects.values("type").annotate(n=Count("id")).values_list("type", "n"))
    rows = [{"kind": kind, "rules": counts.get(kind.code, 0)} for kind in types]
    return render(request, "cmdb/relationship_type_list.html", {"nav": "cmdb", "rows": rows, "can_manage": True})


def _save_relationship_type(request: HttpRequest, relationship_type: RelationshipType | None) -> HttpResponse:
    form = forms.RelationshipTypeForm(request.POST or None, relationship_type=relationship_type)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            values = {name: form.cleaned_data.get(name) for name in form.FIELDS}
            try:
                saved = actions.save_relationship_type(actor=acting_user(request),
                                                       relationship_type=relationship_type, values=values)
            except SarvError as error:
                show_error(form, error)
                status = error.status_code
            else:
                messages.success(request, _("The relationship type «%(name)s» was saved.") % {"name": saved.label})
                return redirect("cmdb:relationship_type", code=saved.code)
    return _relationship_type_page(request, relationship_type, form, forms.RelationshipRuleForm(), status)


def _relationship_type_page(request: HttpRequest, relationship_type: RelationshipType | None,
                            form: forms.RelationshipTypeForm, rule_form: forms.RelationshipRuleForm,
                            status: int) -> HttpResponse:
    context: dict[str, Any] = {"nav": "cmdb", "form": form, "relationship_type": relationship_type,
                               "can_manage": True}
    if relationship_type is not None:
        context["rules"] = _rules_of(relationship_type)
        context["rule_form"] = rule_form
    return render(request, "cmdb/relationship_type_form.html", context, status=status)


def _relationship_type_or_404(code: str) -> RelationshipType:
    relationship_type = RelationshipType.objects.filter(code=code).first()
    if relationship_type is None:
        raise Http404
    return relationship_type


@cmdb_manager_required
def relationship_type_create(request: HttpRequest) -> HttpResponse:
    return _save_relationship_type(request, None)


@cmdb_manager_required
def relationship_type_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _save_relationship_type(request, _relationship_type_or_404(code))


@cmdb_manager_required
@require_POST
def relationship_rule_add(request: HttpRequest, code: str) -> HttpResponse:
    relationship_type = _relationship_type_or_404(code)
    rule_form = forms.RelationshipRuleForm(request.POST)
    status = 400
    if rule_form.is_valid():
        try:
            actions.add_relationship_rule(actor=acting_user(request), relationship_type=relationship_type,
                                          source_class=rule_form.cleaned_data["source_class"],
                                          target_class=rule_form.cleaned_data["target_class"])
        except SarvError as error:
            show_error(rule_form, error)
            status = error.status_code
        else:
            messages.success(request, _("«%(type)s» is now allowed from %(source_class)s to %(target_class)s.") % {
                "type": relationship_type.label, "source_class": rule_form.cleaned_data["source_class"].name,
                "target_class": rule_form.cleaned_data["target_class"].name})
            return redirect("cmdb:relationship_type", code=relationship_type.code)
    form = forms.RelationshipTypeForm(relationship_type=relationship_type)
    return _relationship_type_page(request, relationship_type, form, rule_form, status)


@cmdb_manager_required
@require_POST
def relationship_rule_remove(request: HttpRequest, code: str, rule_id: int) -> HttpResponse:
    relationship_type = _relationship_type_or_404(code)
    rule = relationship_type.rules.select_related("source_class", "target_class").filter(pk=rule_id).first()
    if rule is None:
        raise Http404
    actions.remove_relationship_rule(actor=acting_user(request), rule=rule)
    messages.success(request, _("«%(type)s» is no longer allowed from %(source_class)s to %(target_class)s. "
                                "Relationships already made stay.") % {
        "type": relationship_type.label, "source_class": rule.source_class.name,
        "target_class": rule.target_class.name})
    return redirect("cmdb:relationship_type", code=relationship_type.code)
