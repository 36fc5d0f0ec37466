"""CMDB API: CIs with attributes, relationships, impact (the contract's JSON), history as of, imports, permissions."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sarv.cmdb.models import CI
from sarv.core.api.testing import token_client

pytestmark = pytest.mark.django_db
BASE = "/api/v1/cmdb/"


def test_ci_create_update_relate_and_impact(config_manager):
    client = token_client(config_manager)
    response = client.post(f"{BASE}attributes/", {"ci_class": "server", "code": "ram_gb", "name_fa": "حافظه",
                                                   "type": "number", "required": True}, format="json")
    assert response.status_code == 201, response.json()
    response = client.post(f"{BASE}cis/", {"name_en": "srv01", "ci_class": "server"}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "attributes.ram_gb"
    server = client.post(f"{BASE}cis/", {"name_en": "srv01", "ci_class": "server", "attributes": {"ram_gb": "۳۲"}},
                         format="json").json()
    assert server["attributes"] == {"ram_gb": 32} and server["class_label"] == "Server"
    app = client.post(f"{BASE}cis/", {"name_en": "erp", "ci_class": "application"}, format="json").json()
    response = client.post(f"{BASE}relationships/", {"source": app["id"], "type": "runs_on", "target": server["id"]},
                           format="json")
    assert response.status_code == 201 and response.json()["inverse_label"] == "hosts"
    response = client.patch(f"{BASE}cis/{server['id']}/", {"version": server["version"], "status": "retired"},
                            format="json")
    assert response.status_code == 200 and response.json()["status"] == "retired"
    response = client.patch(f"{BASE}cis/{server['id']}/", {"version": server["version"], "status": "live"},
                            format="json")
    assert response.status_code == 409

    body = client.get(f"{BASE}cis/{server['id']}/impact/?direction=down&depth=3").json()
    assert body["root"]["id"] == server["id"] and body["root"]["class"] == "server"
    assert body["total"] == 1 and body["next_offset"] is None and body["cycles"] == []
    node = body["nodes"][0]
    assert (node["id"], node["depth"], node["path"], node["via"]) == (app["id"], 1, [server["id"], app["id"]],
                                                                      ["runs_on"])
    assert node["url"] == f"/cmdb/cis/{app['id']}/"
    assert body["edges"] == [{"source": app["id"], "target": server["id"], "type": "runs_on", "label": "runs on"}]
    up = client.get(f"{BASE}cis/{app['id']}/impact/?direction=up&types=depends_on").json()
    assert up["total"] == 0


def test_history_and_as_of(config_manager, make_ci):
    ci = make_ci("srv01")
    before = timezone.now()
    client = token_client(config_manager)
    client.patch(f"{BASE}cis/{ci.pk}/", {"version": 1, "name_en": "srv-renamed"}, format="json")
    history = client.get(f"{BASE}cis/{ci.pk}/history/").json()["results"]
    assert history[0]["changes"]["name_en"] == ["srv01", "srv-renamed"]
    past = client.get(f"{BASE}cis/{ci.pk}/as-of/", {"at": before.isoformat()}).json()
    assert past["ci"]["name_en"] == "srv01"
    assert client.get(f"{BASE}cis/{ci.pk}/as-of/?at=yesterday").status_code == 400


def test_permissions(agent, requester, make_ci, config_manager):
    ci = make_ci("srv01")
    mine = make_ci("laptop", "hardware", holder=requester)
    response = token_client(agent).post(f"{BASE}cis/", {"name_en": "x", "ci_class": "server"}, format="json")
    assert response.status_code == 403
    assert token_client(agent).get(f"{BASE}cis/{ci.pk}/").status_code == 200
    requester_client = token_client(requester)
    assert [row["id"] for row in requester_client.get(f"{BASE}cis/").json()["results"]] == [mine.pk]
    assert requester_client.get(f"{BASE}cis/{ci.pk}/").status_code == 404
    assert requester_client.get(f"{BASE}classes/").status_code == 403
    assert token_client(agent).post(f"{BASE}imports/", {}, format="multipart").status_code == 403


def test_import_upload_dry_run_and_apply(config_manager):
    client = token_client(config_manager)
    upload = SimpleUploadedFile("cis.csv", b"name,class,serial\nsrv01,server,S1\nbad,nothing,\n")
    response = client.post(f"{BASE}imports/", {"kind": "cis", "file": upload}, format="multipart")
    assert response.status_code == 201, response.json()
    report = response.json()
    assert (report["created"], report["rejected"], report["dry_run"]) == (1, 1, True)
    assert report["rows"][1]["row"] == 3
    assert CI.objects.count() == 0
    applied = client.post(f"{BASE}imports/{report['id']}/apply/").json()
    assert applied["created"] == 1 and CI.objects.count() == 1
    assert client.post(f"{BASE}imports/{report['id']}/apply/").status_code == 400


def test_search_filter(config_manager, make_ci):
    make_ci("سرور ايميل", property_number="۹۹-۱")
    make_ci("router", "network_device")
    client = token_client(config_manager)
    assert [r["name"] for r in client.get(f"{BASE}cis/", {"q": "سرور ایمیل"}).json()["results"]] == ["سرور ایمیل"]
    assert len(client.get(f"{BASE}cis/", {"q": "991"}).json()["results"]) == 1
    assert len(client.get(f"{BASE}cis/", {"class": "hardware"}).json()["results"]) == 2


def test_as_of_accepts_any_utc_offset(config_manager, make_ci):
    ci = make_ci("srv-offset")
    client = token_client(config_manager)

    far_offset = client.get(f"{BASE}cis/{ci.pk}/as-of/", {"at": "2231-07-28T18:11:26-23:24"})
    impossible = client.get(f"{BASE}cis/{ci.pk}/as-of/", {"at": "2024-13-01T10:00:00+03:30"})

    assert far_offset.status_code == 200, far_offset.content
    assert far_offset.json()["instant"] == "2231-07-29T17:35:26Z"
    assert impossible.status_code == 400, impossible.content


@pytest.mark.parametrize("path", ["{id}/relationships/", "{id}/open-incidents/", "suggestions/"])
def test_unpaged_ci_lists_are_arrays_in_schema(path):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)

    response = schema["paths"][f"/api/v1/cmdb/cis/{path}"]["get"]["responses"]["200"]
    assert response["content"]["application/json"]["schema"]["type"] == "array"
