"""Relationship types and their allowed class pairs: actions, settings pages and API."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from sarv.cmdb import actions
from sarv.cmdb.models import CIClass, ImpactEdge, RelationshipRule, RelationshipType
from sarv.core.api.testing import token_client
from sarv.core.choices import AuditAction
from sarv.core.errors import PermissionDenied, ValidationFailed
from sarv.core.models import AuditLogEntry
from sarv.incidents.tests.page_helpers import fa, flashed, page_text

pytestmark = pytest.mark.django_db
BASE = "/api/v1/cmdb/relationship-types/"


def _values(kind: RelationshipType, **changes: Any) -> dict[str, Any]:
    names = ("code", "name_fa", "name_en", "inverse_name_fa", "inverse_name_en", "propagation", "is_containment",
             "is_symmetric", "sort_order", "is_active")
    return {**{name: getattr(kind, name) for name in names}, **changes}


def _audit_rows(model: Any, object_id: Any) -> list[AuditLogEntry]:
    return list(AuditLogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model),
                                             object_id=str(object_id)).order_by("id"))


class TestActions:
    def test_create_and_rename_are_audited(self, config_manager: Any) -> None:
        kind = actions.save_relationship_type(actor=config_manager, relationship_type=None, values={
            "code": "backs_up", "name_fa": "پشتیبان‌گیری از", "name_en": "backs up",
            "inverse_name_fa": "پشتیبان‌گیری‌شده توسط", "propagation": "to_source"})
        assert kind.label == "پشتیبان‌گیری از"
        actions.save_relationship_type(actor=config_manager, relationship_type=kind,
                                       values=_values(kind, inverse_name_en="backed up by"))
        kind.refresh_from_db()
        assert kind.inverse_name_en == "backed up by"
        rows = _audit_rows(RelationshipType, "backs_up")
        assert [row.action for row in rows] == [AuditAction.CREATE, AuditAction.UPDATE]
        assert rows[1].changes == {"inverse_name_en": ["", "backed up by"]}

    def test_only_managers(self, agent: Any, rel_type: Any) -> None:
        kind = rel_type("runs_on")
        with pytest.raises(PermissionDenied):
            actions.save_relationship_type(actor=agent, relationship_type=kind, values=_values(kind, name_en="x"))
        with pytest.raises(PermissionDenied):
            actions.add_relationship_rule(actor=agent, relationship_type=kind,
                                          source_class=CIClass.objects.get(code="software"),
                                          target_class=CIClass.objects.get(code="location"))

    def test_containment_cannot_be_symmetric(self, config_manager: Any, rel_type: Any) -> None:
        kind = rel_type("contains")
        with pytest.raises(ValidationFailed) as error:
            actions.save_relationship_type(actor=config_manager, relationship_type=kind,
                                           values=_values(kind, is_symmetric=True))
        assert error.value.field == "is_symmetric"

    def test_becoming_containment_refused_when_its_relationships_form_a_circle(
            self, config_manager: Any, rel_type: Any, make_ci: Any, relate: Any) -> None:
        a, b, c = make_ci("app-a", "application"), make_ci("app-b", "application"), make_ci("app-c", "application")
        relate(a, "depends_on", b)
        relate(b, "depends_on", c)
        relate(c, "depends_on", a)
        kind = rel_type("depends_on")
        with pytest.raises(ValidationFailed) as error:
            actions.save_relationship_type(actor=config_manager, relationship_type=kind,
                                           values=_values(kind, is_containment=True))
        assert error.value.field == "is_containment"
        assert "app-a" in str(error.value.message) and "app-c" in str(error.value.message)
        kind.refresh_from_db()
        assert not kind.is_containment
        # Without the circle the change goes through, and containment rules then hold for new links.
        actions.end_relationship(actor=config_manager, relationship=c.outgoing.get())
        actions.save_relationship_type(actor=config_manager, relationship_type=kind,
                                       values=_values(kind, is_containment=True))
        with pytest.raises(ValidationFailed):
            relate(c, "depends_on", a)

    def test_becoming_symmetric_refused_when_a_pair_is_related_both_ways(
            self, config_manager: Any, rel_type: Any, make_ci: Any, relate: Any) -> None:
        a, b = make_ci("svc-a", "application"), make_ci("svc-b", "application")
        relate(a, "depends_on", b)
        relate(b, "depends_on", a)
        kind = rel_type("depends_on")
        with pytest.raises(ValidationFailed) as error:
            actions.save_relationship_type(actor=config_manager, relationship_type=kind,
                                           values=_values(kind, is_symmetric=True, propagation="both"))
        assert error.value.field == "is_symmetric"

    def test_propagation_change_rebuilds_impact_edges(self, config_manager: Any, rel_type: Any, make_ci: Any,
                                                      relate: Any) -> None:
        app, server = make_ci("erp", "application"), make_ci("srv1")
        relate(app, "runs_on", server)
        assert list(ImpactEdge.objects.values_list("cause_id", "effect_id")) == [(server.pk, app.pk)]
        kind = rel_type("runs_on")
        actions.save_relationship_type(actor=config_manager, relationship_type=kind,
                                       values=_values(kind, propagation="both"))
        assert sorted(ImpactEdge.objects.values_list("cause_id", "effect_id")) == sorted(
            [(server.pk, app.pk), (app.pk, server.pk)])

    def test_rules_add_duplicate_and_remove(self, config_manager: Any, rel_type: Any, make_ci: Any) -> None:
        kind = rel_type("connected_to")
        location = CIClass.objects.get(code="location")
        software = CIClass.objects.get(code="software")
        building, app = make_ci("building-1", "location"), make_ci("erp", "application")
        with pytest.raises(ValidationFailed):
            actions.validate_relationship(kind, building, app)
        rule = actions.add_relationship_rule(actor=config_manager, relationship_type=kind, source_class=location,
                                             target_class=software)
        actions.validate_relationship(kind, building, app)
        # Symmetric: the reversed pair is the same rule, and the type works both ways.
        actions.validate_relationship(kind, app, building)
        with pytest.raises(ValidationFailed) as error:
            actions.add_relationship_rule(actor=config_manager, relationship_type=kind, source_class=software,
                                          target_class=location)
        assert error.value.field == "target_class"
        assert [row.action for row in _audit_rows(RelationshipRule, rule.pk)] == [AuditAction.CREATE]
        actions.remove_relationship_rule(actor=config_manager, rule=rule)
        assert not RelationshipRule.objects.filter(pk=rule.pk).exists()
        assert [row.action for row in _audit_rows(RelationshipRule, rule.pk)] == [AuditAction.CREATE,
                                                                                   AuditAction.DELETE]
        with pytest.raises(ValidationFailed):
            actions.validate_relationship(kind, building, app)


class TestPages:
    def test_list_create_and_edit(self, client: Any, config_manager: Any) -> None:
        client.force_login(config_manager)
        response = client.get(reverse("cmdb:relationship_types"))
        assert response.status_code == 200
        assert "اجرا روی" in page_text(response) and "میزبان" in page_text(response)
        response = client.post(reverse("cmdb:relationship_type_create"), {
            "code": "backs_up", "name_fa": "پشتیبان‌گیری از", "name_en": "backs up",
            "inverse_name_fa": "پشتیبان‌گیری‌شده توسط", "inverse_name_en": "backed up by",
            "propagation": "to_source", "is_active": "on", "sort_order": "۷"})
        assert response.status_code == 302, page_text(response)
        kind = RelationshipType.objects.get(code="backs_up")
        assert kind.sort_order == 7 and kind.is_active
        response = client.post(reverse("cmdb:relationship_type", args=["backs_up"]), {
            "code": "changed", "name_fa": "پشتیبان از", "inverse_name_fa": "پشتیبان‌گیری‌شده توسط",
            "propagation": "both", "is_active": "on"})
        assert response.status_code == 302
        kind.refresh_from_db()
        assert (kind.name_fa, kind.propagation) == ("پشتیبان از", "both")
        assert not RelationshipType.objects.filter(code="changed").exists()

    def test_invalid_input_keeps_what_was_typed(self, client: Any, config_manager: Any) -> None:
        client.force_login(config_manager)
        response = client.post(reverse("cmdb:relationship_type_create"), {
            "code": "runs_on", "name_fa": "نام تازه", "inverse_name_fa": "وارون", "propagation": "to_source"})
        assert response.status_code == 400
        text = page_text(response)
        assert fa("The code %(code)s is already in use.", code="runs_on") in text
        assert "نام تازه" in text
        response = client.post(reverse("cmdb:relationship_type", args=["contains"]), {
            "name_fa": "شامل", "inverse_name_fa": "جزئی از", "propagation": "to_target", "is_containment": "on",
            "is_symmetric": "on", "is_active": "on"})
        assert response.status_code == 400
        assert RelationshipType.objects.get(code="contains").is_symmetric is False

    def test_add_and_remove_a_pair(self, client: Any, config_manager: Any) -> None:
        client.force_login(config_manager)
        location, contract = CIClass.objects.get(code="location"), CIClass.objects.get(code="contract")
        url = reverse("cmdb:relationship_rule_add", args=["depends_on"])
        response = client.post(url, {"source_class": location.pk, "target_class": contract.pk})
        assert response.status_code == 302
        rule = RelationshipRule.objects.get(type="depends_on", source_class=location, target_class=contract)
        assert flashed(response)
        response = client.post(url, {"source_class": location.pk, "target_class": contract.pk})
        assert response.status_code == 400 and "invalid-feedback" in page_text(response)
        page = page_text(client.get(reverse("cmdb:relationship_type", args=["depends_on"])))
        assert location.name in page and contract.name in page
        response = client.post(reverse("cmdb:relationship_rule_remove", args=["depends_on", rule.pk]))
        assert response.status_code == 302
        assert not RelationshipRule.objects.filter(pk=rule.pk).exists()
        assert client.get(reverse("cmdb:relationship_rule_remove", args=["depends_on", rule.pk])).status_code == 405

    def test_agents_forbidden(self, client: Any, agent: Any) -> None:
        client.force_login(agent)
        assert client.get(reverse("cmdb:relationship_types")).status_code == 403
        assert client.post(reverse("cmdb:relationship_type", args=["runs_on"]), {
            "name_fa": "x", "inverse_name_fa": "y", "propagation": "both"}).status_code == 403
        assert RelationshipType.objects.get(code="runs_on").name_fa == "اجرا روی"

    def test_unknown_type_is_404(self, client: Any, config_manager: Any) -> None:
        client.force_login(config_manager)
        assert client.get(reverse("cmdb:relationship_type", args=["nothing"])).status_code == 404


class TestApi:
    def test_change_type_and_pairs(self, config_manager: Any) -> None:
        client = token_client(config_manager)
        body = client.get(f"{BASE}runs_on/").json()
        assert {"source_class": "software", "target_class": "hardware"}.items() <= body["rules"][0].items()
        response = client.patch(f"{BASE}runs_on/", {"inverse_name_en": "is host of"}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["inverse_name_en"] == "is host of"
        assert response.json()["name_fa"] == "اجرا روی"
        response = client.patch(f"{BASE}contains/", {"is_symmetric": True}, format="json")
        assert response.status_code == 400
        assert response.json()["field"] == "is_symmetric"
        response = client.post(f"{BASE}runs_on/rules/", {"source_class": "software", "target_class": "location"},
                               format="json")
        assert response.status_code == 201, response.json()
        rule_id = response.json()["id"]
        response = client.post(f"{BASE}runs_on/rules/", {"source_class": "software", "target_class": "location"},
                               format="json")
        assert response.status_code == 400
        assert client.delete(f"{BASE}runs_on/rules/{rule_id}/").status_code == 204
        assert client.delete(f"{BASE}runs_on/rules/{rule_id}/").status_code == 404
        assert not RelationshipRule.objects.filter(pk=rule_id).exists()

    def test_agent_reads_but_cannot_change(self, agent: Any) -> None:
        client = token_client(agent)
        assert client.get(BASE).status_code == 200
        assert client.patch(f"{BASE}runs_on/", {"name_en": "x"}, format="json").status_code == 403
        assert client.post(f"{BASE}runs_on/rules/", {"source_class": "software", "target_class": "location"},
                           format="json").status_code == 403


class TestBodyShape:
    """Bodies that are not an object of fields, which the API fuzz run sent to the partial updates."""

    @pytest.mark.parametrize("body", [[None, None], "text", 5])
    def test_relationship_type_patch_needs_an_object(self, config_manager: Any, rel_type: Any, body: Any) -> None:
        kind = rel_type("connected_to")

        response = token_client(config_manager).patch(f"{BASE}{kind.code}/", body, format="json")

        assert response.status_code == 400
        assert response.json()["message"] == "The request body must be an object of field names and values."
        kind.refresh_from_db()
        assert kind.name_en == RelationshipType.objects.get(code="connected_to").name_en

    def test_ci_class_patch_needs_an_object(self, config_manager: Any) -> None:
        ci_class = CIClass.objects.get(code="software")

        response = token_client(config_manager, language="fa").patch(
            f"/api/v1/cmdb/classes/{ci_class.code}/", [1, 2], format="json")

        assert response.status_code == 400
        assert response.json()["message"] == fa("The request body must be an object of field names and values.")
        assert CIClass.objects.get(code="software").name_en == ci_class.name_en
