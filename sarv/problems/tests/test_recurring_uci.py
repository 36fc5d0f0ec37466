"""The UCI commands: recurring clusters in imported history and problems from the log's problem references."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from sarv.core.models import ExternalReference
from sarv.incidents.importers.uci import UciImport
from sarv.problems.choices import LinkSource
from sarv.problems.models import Problem, ProblemIncident, ProblemProposal

SAMPLE = Path(__file__).resolve().parents[2] / "incidents" / "tests" / "data" / "uci_sample.csv"

pytestmark = pytest.mark.django_db


def import_sample(tmp_path: Path, extra_problem: dict[str, str] | None = None) -> None:
    """Import the UCI sample, with ``extra_problem`` (incident → problem id) written into its rows first."""
    path = SAMPLE
    if extra_problem:
        with SAMPLE.open(newline="") as source:
            rows = list(csv.DictReader(source))
        for row in rows:
            if row["number"] in extra_problem:
                row["problem_id"] = extra_problem[row["number"]]
        path = tmp_path / "uci.csv"
        with path.open("w", newline="") as target:
            writer = csv.DictWriter(target, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    UciImport(path, progress=False).run()


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def source_number(incident_id: int) -> str:
    return ExternalReference.objects.get(object_id=incident_id, kind="source", system="uci",
                                         content_type__model="incident").reference


def test_problem_references_become_problems(tmp_path):
    # given the sample, where INC0000130 and INC0000137 also name Problem ID 8 (as INC0001131 does)
    import_sample(tmp_path, {"INC0000130": "Problem ID  8", "INC0000137": "Problem ID  8"})

    # when the problem references are imported
    output = run("import_uci_problems")

    # then there is one problem per reference, with its incidents linked as imported
    assert "Problems: 2 created, 0 already there" in output
    assert "Links: 4 created, 0 already there" in output
    problems = {ref.reference: Problem.objects.get(pk=ref.object_id)
                for ref in ExternalReference.objects.filter(kind="source", system="uci", content_type__model="problem")}
    assert set(problems) == {"Problem ID 8", "Problem ID 230"}
    eight = problems["Problem ID 8"]
    assert sorted(source_number(pk) for pk in eight.incidents.values_list("pk", flat=True)) == [
        "INC0000130", "INC0000137", "INC0001131"]
    assert set(eight.incident_links.values_list("source", flat=True)) == {LinkSource.IMPORT}
    # the problem opened with its earliest incident, and its title names the reference
    assert eight.created_at == min(eight.incidents.values_list("created_at", flat=True))
    assert eight.title.startswith("Problem ID 8")
    assert eight.number.startswith("PRB-1394-")


def test_problem_import_rerun_changes_nothing(tmp_path):
    import_sample(tmp_path)
    run("import_uci_problems")
    before = (Problem.objects.count(), ProblemIncident.objects.count(), ExternalReference.objects.count())

    output = run("import_uci_problems")

    assert "Problems: 0 created, 2 already there" in output
    assert "Links: 0 created, 2 already there" in output
    assert (Problem.objects.count(), ProblemIncident.objects.count(), ExternalReference.objects.count()) == before


def test_recurring_clusters_prints_the_imported_history(tmp_path):
    # given the sample, where two incidents share Symptom 470 and none share a subcategory
    import_sample(tmp_path)

    # when the clusters of two or more are listed over the log's period
    output = run("recurring_clusters", "--since", "1394/12/10", "--until", "2016-06-01", "--min", "2",
                 "--basis", "symptom,category")

    # then the symptom cluster is printed, and nothing was written
    lines = output.splitlines()
    assert any("symptom" in line and "Symptom 470" in line for line in lines)
    assert "Clusters found: 1, each of at least 2 incidents" in output
    assert not ProblemProposal.objects.exists()

    # with --save the clusters become proposals
    saved = run("recurring_clusters", "--since", "2016-02-29", "--until", "2016-06-01", "--min", "2",
                "--basis", "symptom", "--save")
    assert "created 1" in saved
    assert ProblemProposal.objects.get().incident_count == 2


def test_recurring_clusters_rejects_bad_options():
    with pytest.raises(CommandError, match="--basis"):
        run("recurring_clusters", "--basis", "colour")
    with pytest.raises(CommandError, match="--since"):
        run("recurring_clusters", "--since", "yesterday")
    with pytest.raises(CommandError, match="before"):
        run("recurring_clusters", "--since", "2016-06-01", "--until", "2016-02-29")
