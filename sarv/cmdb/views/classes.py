"""Class and attribute settings of the CMDB (configuration managers and administrators)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sarv.cmdb import actions, forms, selectors
from sarv.cmdb.attributes import effective_definitions
from sarv.cmdb.models import AttributeDefinition, CIClass, RelationshipType
from sarv.cmdb.views.common import acting_user, cmdb_manager_required, show_error
from sarv.core.errors import SarvError


@cmdb_manager_required
def class_list(request: HttpRequest) -> HttpResponse:
    classes = selectors.class_tree()
    counts: dict[int, int] = {}
    for definition in AttributeDefinition.objects.filter(is_active=True).values_list("ci_class_id", flat=True):
        counts[definition] = counts.get(definition, 0) + 1
    rows = [{"ci_class": ci_class, "attributes": counts.get(ci_class.pk, 0)} for ci_class in classes]
    return render(request, "cmdb/class_list.html", {
        "nav": "cmdb", "rows": rows, "can_manage": True,
        "relationship_types": RelationshipType.objects.all(),
    })


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
