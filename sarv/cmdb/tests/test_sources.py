"""CIs from BPIC 2014 and UCI, and the links from their imported incidents (idempotent)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from sarv.cmdb.importers.sources import import_bpic_cis, import_uci_cis
from sarv.cmdb.models import CI, Relationship
from sarv.incidents.importers.bpic import BpicImport
from sarv.incidents.models import Incident

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[2] / "incidents" / "tests" / "data"


def test_bpic_cis_and_incident_links_are_idempotent(config_manager):
    BpicImport(DATA / "bpic", progress=False).run()
    first = import_bpic_cis(actor=config_manager, folder=DATA / "bpic")
    assert first.cis_created > 0 and first.services_created > 0
    assert first.relationships_created > 0
    named = Incident.objects.exclude(affected_ci_name="")
    assert first.incidents_linked == named.count() > 0
    for incident in named.select_related("affected_ci"):
        assert incident.affected_ci.name_en == incident.affected_ci_name
    sample = CI.objects.filter(source_key__startswith="bpic2014:SBA").first() or CI.objects.filter(
        ci_class__code="application").first()
    assert sample is not None and sample.description.startswith("BPIC 2014:")
    counts = (CI.objects.count(), Relationship.objects.count())
    second = import_bpic_cis(actor=config_manager, folder=DATA / "bpic")
    assert (second.cis_created, second.cis_updated, second.relationships_created) == (0, 0, 0)
    assert second.incidents_linked == 0
    assert (CI.objects.count(), Relationship.objects.count()) == counts


def test_uci_incidents_with_a_ci_are_linked(config_manager, tmp_path):
    # The sample has no CI ("?" everywhere, as in 99.8% of the real log); give the first incident one.
    with open(DATA / "uci_sample.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    column, number = rows[0].index("cmdb_ci"), rows[0].index("number")
    first = rows[1][number]
    for row in rows[1:]:
        if row[number] == first:
            row[column] = "cmdb_ci 31"
    # As INC0009150 in the real log: a CI set on one row and cleared on the next stays unlinked.
    cleared = next(row[number] for row in rows[1:] if row[number] != first)
    cleared_rows = [row for row in rows[1:] if row[number] == cleared]
    assert len(cleared_rows) >= 2
    cleared_rows[0][column] = "cmdb_ci 27"
    path = tmp_path / "uci.csv"
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    call_command("import_uci", str(path), "--no-progress", stdout=io.StringIO())
    carrying = Incident.objects.exclude(affected_ci_name="").exclude(affected_ci_name="?")
    assert carrying.count() == 1
    summary = import_uci_cis(actor=config_manager)
    assert summary.incidents_linked == 1 and summary.cis_created == 1
    assert not CI.objects.filter(name_en="cmdb_ci 27").exists()
    assert carrying.get().affected_ci.name_en == "cmdb_ci 31"
    assert Incident.objects.filter(affected_ci__isnull=False).count() == carrying.count()
    assert import_uci_cis(actor=config_manager).cis_created == 0
