from sarv.incidents import actions
from sarv.incidents.choices import IncidentStatus


def test_incident_lifecycle_smoke(requester, agent, service_desk, resolution_code, make_incident):
    incident = make_incident(requester, description="از صبح چاپ نمی‌کند")
    assert incident.number.startswith("INC-14")
    incident = actions.assign_incident(actor=agent, incident=incident, expected_version=incident.version,
                                       group=service_desk, assignee=agent)
    assert incident.status == IncidentStatus.ASSIGNED
    actions.add_work_note(actor=agent, incident=incident, body="درایور بررسی شد")
    actions.add_reply(actor=agent, incident=incident, body="لطفا دوباره امتحان کنید")
    incident.refresh_from_db()
    incident = actions.resolve_incident(actor=agent, incident=incident, expected_version=incident.version,
                                        resolution_code=resolution_code, resolution_notes="درایور نصب شد")
    incident = actions.confirm_resolution(actor=requester, incident=incident)
    assert incident.status == IncidentStatus.CLOSED
