"""The CI page: fields, attributes, relationships, incidents, history (also as of a past date) and impact."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from sarv.accounts.models import User
from sarv.cmdb import forms, impact, permissions, selectors
from sarv.cmdb.attributes import effective_definitions
from sarv.cmdb.choices import AttributeType
from sarv.cmdb.models import CI, AttributeDefinition, Relationship, RelationshipType
from sarv.cmdb.views.common import cmdb_viewer_required, visible_ci_or_404
from sarv.core import jalali
from sarv.core.timeline import entries_for
from sarv.core.timeline_display import describe

IMPACT_PAGE_SIZE = 50
IMPACT_TABLE_TARGET = "impact-table"
OPEN_INCIDENTS_SHOWN = 20


@dataclass
class AttributeRow:
    label: str
    value: str
    url: str = ""
    is_code: bool = False  # an IP address: left to right, Latin digits
    is_number: bool = False


def attribute_rows(ci: CI, definitions: list[AttributeDefinition], values: dict[str, Any]) -> list[AttributeRow]:
    """Return each attribute of the class with its value as the reader's language shows it."""
    ci_ids = [values[d.code] for d in definitions if d.type == AttributeType.CI and values.get(d.code) is not None]
    person_ids = [values[d.code] for d in definitions
                  if d.type == AttributeType.PERSON and values.get(d.code) is not None]
    cis = {item.pk: item for item in CI.objects.filter(pk__in=ci_ids)} if ci_ids else {}
    people = {item.pk: item for item in User.objects.filter(pk__in=person_ids)} if person_ids else {}
    rows = []
    for definition in definitions:
        raw = values.get(definition.code)
        row = AttributeRow(label=definition.name, value="—")
        if raw is None or raw == "":
            rows.append(row)
            continue
        if definition.type == AttributeType.DATE:
            try:
                row.value = jalali.format_date(dt.date.fromisoformat(str(raw)))
            except ValueError:
                row.value = str(raw)
        elif definition.type == AttributeType.CHOICE:
            row.value = definition.choice_label(raw)
        elif definition.type == AttributeType.CI:
            target = cis.get(raw)
            row.value = target.name if target else str(raw)
            row.url = target.get_absolute_url() if target else ""
        elif definition.type == AttributeType.PERSON:
            person = people.get(raw)
            row.value = person.display_name if person else str(raw)
        else:
            row.value = str(raw)
            row.is_code = definition.type == AttributeType.IP_ADDRESS
            row.is_number = definition.type == AttributeType.NUMBER
        rows.append(row)
    return rows


@dataclass
class RelationshipRow:
    relationship: Relationship
    label: str
    other: CI
    outgoing: bool


def relationship_rows(ci: CI, instant: dt.datetime | None) -> list[RelationshipRow]:
    """Return the CI's relationships in both directions, each named from this CI's side (runs on / hosts)."""
    queryset = selectors.relationships_as_of(ci, instant) if instant is not None else selectors.relationships_of(ci)
    queryset = queryset.order_by("type__sort_order", "pk")
    rows = []
    for relationship in queryset:
        outgoing = relationship.source_id == ci.pk
        kind = relationship.type
        rows.append(RelationshipRow(
            relationship=relationship,
            label=kind.label if outgoing or kind.is_symmetric else kind.inverse_label,
            other=relationship.target if outgoing else relationship.source,
            outgoing=outgoing,
        ))
    return rows


def end_of_day(day: dt.date) -> dt.datetime:
    """Return the last instant of ``day`` in the user's time zone: "as of 1405/09/13" includes that whole day."""
    start = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min),
                                timezone.get_current_timezone())
    return start - dt.timedelta(microseconds=1)


def impact_question(source: QueryDict) -> tuple[forms.ImpactForm, dict[str, Any]]:
    form = forms.ImpactForm(source or None, initial={"direction": "down", "depth": 3})
    return form, form.question() if source else {"direction": "down", "depth": 3, "types": []}


def impact_table_context(request: HttpRequest, ci: CI) -> dict[str, Any]:
    """Return one page of the impact walk as a table, with the path to each item."""
    form, question = impact_question(request.GET)
    page_number = request.GET.get("page", "1")
    page_index = max(int(page_number), 1) if page_number.isdigit() else 1
    result = impact.impact(ci, direction=question["direction"], types=question["types"] or None,
                           max_depth=question["depth"], offset=(page_index - 1) * IMPACT_PAGE_SIZE,
                           limit=IMPACT_PAGE_SIZE)
    ids = {ci_id for node in result.nodes for ci_id in node.path}
    for cycle in result.cycles:
        ids.update(cycle)
    items = {item.pk: item for item in CI.objects.filter(pk__in=ids).select_related("ci_class")}
    items[ci.pk] = ci
    rows = [{"node": node, "ci": items.get(node.ci_id), "path": [items.get(step) for step in node.path[1:-1]]}
            for node in result.nodes]
    # A page object over the total, so the shared pager works; the rows come from the walk's own paging.
    paginator = Paginator(range(result.total), IMPACT_PAGE_SIZE)
    page = paginator.get_page(page_index)
    params = QueryDict(mutable=True)
    params["direction"] = question["direction"]
    params["depth"] = str(question["depth"])
    params.setlist("types", question["types"])
    cycles = [[items[step] for step in cycle if step in items] for cycle in result.cycles]
    return {"ci": ci, "impact_form": form, "question": question, "result": result, "rows": rows, "page": page,
            "params": params, "cycles": cycles}


# Fields whose values are Latin codes: shown left to right with Latin digits, also on Persian pages.
CODE_FIELDS = frozenset({"name_en", "serial_number", "asset_tag", "hostname"})


def _attribute_lines(ci: CI, rows: list[Any]) -> None:
    """Name attribute changes ("attributes.<code>") after their definition and show values as the CI page does."""
    lines = [line for row in rows for line in row.lines]
    for line in lines:
        line.is_code = line.field in CODE_FIELDS
    wanted = [line for line in lines if line.field.startswith("attributes.")]
    if not wanted:
        return
    definitions = {d.code: d for d in effective_definitions(ci.ci_class)}
    codes = {line.field.removeprefix("attributes.") for line in wanted} - set(definitions)
    # An attribute of a class the CI had before a class change.
    for other in AttributeDefinition.objects.filter(code__in=codes).select_related("reference_class"):
        definitions.setdefault(other.code, other)
    for line in wanted:
        found = definitions.get(line.field.removeprefix("attributes."))
        if found is None:
            line.label = line.field.removeprefix("attributes.")
            continue
        old = attribute_rows(ci, [found], {found.code: line.old_raw})[0]
        new = attribute_rows(ci, [found], {found.code: line.new_raw})[0]
        line.label = found.name
        line.old, line.new = old.value, new.value
        line.is_code = new.is_code


def _history(request: HttpRequest, ci: CI) -> list[Any]:
    """Return the CI's timeline, newest first.

    A relationship entry reads "runs on «Payroll server»", from this CI's side.
    """
    rows = describe(CI, entries_for(ci, request.user))
    rows.reverse()
    _attribute_lines(ci, rows)
    linked = [row for row in rows if "relationship" in row.entry.data]
    if not linked:
        return rows
    other_ids = {row.entry.data.get("target_ci") if row.entry.data.get("direction") == "out"
                 else row.entry.data.get("source_ci") for row in linked}
    names = {item.pk: item.name for item in CI.objects.filter(pk__in=other_ids)}
    types = {kind.code: kind for kind in RelationshipType.objects.all()}
    for row in linked:
        data = row.entry.data
        outgoing = data.get("direction") == "out"
        kind = types.get(data.get("type"))
        if kind is None:
            label = data.get("type")
        elif outgoing or kind.is_symmetric:
            label = kind.label
        else:
            label = kind.inverse_label
        other = names.get(data.get("target_ci") if outgoing else data.get("source_ci"), "—")
        # The core display reads "source" as an import source; this entry's "source" is a CI id.
        row.extra = [f"{label} «{other}»"]
    return rows


@require_GET
@cmdb_viewer_required
def ci_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ci = visible_ci_or_404(request, pk)
    as_of_form = forms.AsOfForm(request.GET if "as_of" in request.GET else None)
    as_of_day = as_of_form.cleaned_data.get("as_of") if as_of_form.is_bound and as_of_form.is_valid() else None
    instant = end_of_day(as_of_day) if as_of_day else None

    definitions = effective_definitions(ci.ci_class)
    snapshot = None
    attributes = ci.attributes
    if instant is not None:
        snapshot = selectors.ci_as_of(ci, instant)
        attributes = snapshot.attributes if snapshot is not None else {}

    impact_form, _question = impact_question(QueryDict())
    can_edit = permissions.can_edit(request.user, ci)
    context = {
        "nav": "cmdb",
        "ci": ci,
        "can_edit": can_edit,
        "attribute_rows": attribute_rows(ci, definitions, attributes),
        "relationships": relationship_rows(ci, instant),
        "relationship_form": forms.RelationshipForm(ci=ci) if instant is None and can_edit else None,
        # NOTE: the card lists the 20 newest open incidents; the incident list has no CI filter yet for the rest.
        "incidents": list(selectors.open_incidents(ci, request.user)[:OPEN_INCIDENTS_SHOWN]),
        "history": _history(request, ci),
        "as_of_form": as_of_form,
        "as_of": as_of_day,
        "snapshot": snapshot,
        "impact_form": impact_form,
        "impact": {"api_url": reverse("cmdb-api:ci-impact", args=[0]).replace("/0/", "/__id__/")},
    }
    return render(request, "cmdb/ci_detail.html", context)


@require_GET
@cmdb_viewer_required
def impact_table(request: HttpRequest, pk: int) -> HttpResponse:
    """Render the impact table: the fragment HTMX swaps in, or a page of its own (new tab, no JavaScript)."""
    ci = visible_ci_or_404(request, pk)
    context = impact_table_context(request, ci)
    if getattr(request, "htmx", False):
        return render(request, "cmdb/_impact_table.html", context)
    return render(request, "cmdb/impact_page.html", {**context, "nav": "cmdb"})
