"""Import and export of CIs and relationships: dry run, identity matching, placeholders, renames, re-imports."""

from __future__ import annotations

import io

import openpyxl
import pytest

from sarv.cmdb.importers import cis as importer
from sarv.cmdb.models import CI, Relationship
from sarv.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db

FIRST = """name,class,property number,serial,hostname,status
Payroll DB server,server,۱۰۰-۲۰۰,SN-1,srv-db01.bank.local,live
Office PC,hardware,N/A,0000,-,in stock
Office PC 2,hardware,To be filled,N/A,,in stock
Bad row,no-such-class,,,,
Broken status,server,555,,,flying
"""


def run(actor, text, dry_run, kind="cis", name="cis.csv", mapping=None):
    func = importer.import_cis if kind == "cis" else importer.import_relationships
    return func(actor=actor, file_name=name, content=text.encode(), dry_run=dry_run, mapping=mapping)


def test_dry_run_reports_and_writes_nothing(config_manager):
    report = run(config_manager, FIRST, dry_run=True)
    assert (report.count("created"), report.count("updated"), report.count("rejected")) == (3, 0, 2)
    rejected = [row for row in report.rows if row.outcome == "rejected"]
    assert [row.row for row in rejected] == [5, 6]
    assert "no-such-class" in rejected[0].message and rejected[0].field == "ci_class"
    assert rejected[1].field == "status"
    assert CI.objects.count() == 0


def test_apply_then_reimport_changes_nothing(config_manager):
    run(config_manager, FIRST, dry_run=False)
    assert CI.objects.count() == 3
    ci = CI.objects.get(name_en="Payroll DB server")
    assert (ci.property_number_key, ci.hostname_key) == ("100200", "srv-db01")
    version = ci.version
    again = run(config_manager, FIRST, dry_run=False)
    assert (again.count("created"), again.count("updated"), again.count("unchanged")) == (0, 0, 3)
    ci.refresh_from_db()
    assert ci.version == version


def test_placeholders_do_not_merge_rows_and_rename_updates(config_manager):
    run(config_manager, FIRST, dry_run=False)
    # Both office PCs have only placeholders as keys: they stay two CIs, matched by name.
    assert CI.objects.filter(name_en__startswith="Office PC").count() == 2
    renamed = FIRST.replace("Payroll DB server", "Payroll database server").replace("SN-1", "sn 1")
    report = run(config_manager, renamed, dry_run=False)
    assert report.count("updated") == 1 and report.count("created") == 0
    ci = CI.objects.get(property_number_key="100200")
    assert ci.name_en == "Payroll database server"
    assert CI.objects.count() == 3


def test_conflicting_keys_are_rejected(config_manager):
    run(config_manager, FIRST, dry_run=False)
    run(config_manager, "name,class,serial\nOther,server,SN-9\n", dry_run=False)
    report = run(config_manager, "name,class,property number,serial\nX,server,100200,SN-9\n", dry_run=True)
    assert report.rows[0].outcome == "rejected" and report.rows[0].field == "identity"


def test_mapping_and_excel(config_manager):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["نام دستگاه", "گروه", "شماره اموال"])
    sheet.append(["سرور ایمیل", "سرور", 4711])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = importer.import_cis(
        actor=config_manager, file_name="cis.xlsx", content=buffer.getvalue(), dry_run=False,
        mapping={"name_fa": "نام دستگاه", "ci_class": "گروه", "property_number": "شماره اموال"})
    assert report.count("created") == 1
    assert CI.objects.get().property_number == "4711"


def test_relationship_import_and_export_round_trip(config_manager, make_ci):
    _app, _server = make_ci("erp", "application"), make_ci("srv01", "server", hostname="srv01")
    text = "source,type,target\nerp,runs_on,srv01.bank.local\nerp,runs_on,srv01\nerp,hosts,srv01\nsrv01,runs_on,erp\n"
    report = run(config_manager, text, dry_run=False, kind="relationships", name="rels.csv")
    assert [row.outcome for row in report.rows] == ["created", "unchanged", "rejected", "rejected"]
    assert Relationship.objects.count() == 1
    exported = importer.export_relationships(Relationship.objects.select_related("source", "target"), "r.csv")
    again = importer.import_relationships(actor=config_manager, file_name="r.csv", content=exported, dry_run=False)
    assert again.count("unchanged") == 1
    cis = importer.export_cis(CI.objects.select_related("ci_class", "holder"), "c.xlsx")
    back = importer.import_cis(actor=config_manager, file_name="c.xlsx", content=cis, dry_run=False)
    assert back.count("unchanged") == 2, back.as_dict()


def test_only_configuration_managers_import(agent):
    with pytest.raises(PermissionDenied):
        run(agent, FIRST, dry_run=True)


def test_batched_import_writes_audit_and_timeline_rows_and_matches_across_chunks(config_manager, monkeypatch):
    from sarv.core.choices import AuditAction, TimelineKind
    from sarv.core.models import AuditLogEntry, TimelineEntry

    monkeypatch.setattr(importer, "CHUNK", 2)
    text = ("name,class,property number,hostname,status\n"
            "Core switch,network_device,P-1,sw01,live\n"
            "Edge switch,network_device,P-2,sw02,live\n"
            "Core switch renamed,network_device,P-1,,live\n"  # the next chunk: matched to row 2 by its key
            "Mail server,server,P-3,mail01,live\n"
            "Mail server,server,P-3,mail01,in stock\n"  # the same chunk: matched to the CI of the row before
            "Clash,server,P-2,mail01,live\n")  # keys of two different CIs
    report = run(config_manager, text, dry_run=False)
    assert [row.outcome for row in report.rows] == ["created", "created", "updated", "created", "updated",
                                                    "rejected"]
    assert report.rows[5].field == "identity"
    assert CI.objects.count() == 3
    core = CI.objects.get(property_number_key="p1")
    assert core.name_en == "Core switch renamed" and report.rows[0].ci == report.rows[2].ci == core.pk
    mail = CI.objects.get(property_number_key="p3")
    assert mail.status == "in_stock" and mail.hostname_key == "mail01"
    for ci in CI.objects.all():
        created = AuditLogEntry.objects.filter(object_id=str(ci.pk), action=AuditAction.CREATE)
        assert created.count() == 1
        assert created.get().changes["property_number"][1] == ci.property_number
        assert TimelineEntry.objects.filter(object_id=ci.pk, kind=TimelineKind.CREATED).count() == 1
    assert AuditLogEntry.objects.filter(object_id=str(core.pk), action=AuditAction.UPDATE).count() == 1
    # Again: the rows that name one CI twice flip it back and forth; the others are unchanged.
    again = run(config_manager, text, dry_run=False)
    assert [row.outcome for row in again.rows] == ["updated", "unchanged", "updated", "updated", "updated",
                                                   "rejected"]


def test_reimport_of_unchanged_rows_writes_nothing(config_manager, monkeypatch):
    from sarv.core.models import AuditLogEntry, TimelineEntry

    monkeypatch.setattr(importer, "CHUNK", 2)
    run(config_manager, FIRST, dry_run=False)
    audit_rows, timeline_rows = AuditLogEntry.objects.count(), TimelineEntry.objects.count()
    again = run(config_manager, FIRST, dry_run=False)
    assert (again.count("created"), again.count("updated"), again.count("unchanged")) == (0, 0, 3)
    assert (AuditLogEntry.objects.count(), TimelineEntry.objects.count()) == (audit_rows, timeline_rows)


def test_batched_dry_run_writes_nothing(config_manager, monkeypatch):
    from sarv.core.models import AuditLogEntry

    monkeypatch.setattr(importer, "CHUNK", 2)
    report = run(config_manager, FIRST, dry_run=True)
    assert report.count("created") == 3
    assert CI.objects.count() == 0 and not AuditLogEntry.objects.exists()
