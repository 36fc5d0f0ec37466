"""The locust driver of every benchmark scenario, for Sarv and for the django-helpdesk peer alike.

bench/loadgen.py starts ``locust --headless -f bench/locustfile.py`` once per scenario with a
plan file (``BENCH_PLAN``, JSON) that says how the simulated users sign in and which
requests one scenario execution sends. Products differ only in their plans
(bench/scenarios_compare.py), so both are measured by the same code.

A plan:

    {"scenario": "list_p1", "users": 1, "max_executions": 300, "output": "var/bench/x.json", "seed": 7,
     "auth": {"kind": "form" | "token" | "none", "login_path": ..., "token_path": ..., "username": ...,
              "password": ...},
     "variants": [[{"method": "GET", "path": "/incidents/", "params": [["queue", "all"]], "headers": {},
                    "expect_status": [200], "expect_text": "incident-results", "body": null,
                    "csrf_header": false}, ...], ...]}

A step may send a fixed JSON body (``"json"``) instead of a generated one (``"body"``), and may
keep a value of its JSON answer (``"capture": {"name": "holiday", "from": ["holiday", "id"]}``)
for the paths of the steps after it (``"path": "/api/v1/calendars/holidays/{holiday}/"``), so an
execution can add something and remove it again.

One execution runs the steps of the next variant (round robin) and counts as one timed
request under the scenario's name, so a page that needs two requests (django-helpdesk's
list: an HTML shell, then its JSON data) is timed as the user waits for it. Requests go to
``--host``, which bench/loadgen.py sets to a loopback address only. The run stops after
``max_executions`` executions or at locust's ``--run-time``, whichever comes first; the
timings go to ``output`` for exact percentiles.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

from locust import HttpUser, constant, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import distributions as dist
from bench.textgen import TextGenerator

PLAN: dict[str, Any] = json.loads(Path(os.environ["BENCH_PLAN"]).read_text(encoding="utf-8"))
COUNTER = itertools.count()
RECORD: dict[str, Any] = {"timings_ms": [], "errors": [], "first_start": None, "last_end": None, "created": []}


class BodyMaker:
    """New incidents and tickets with generated text, seeded per user so two runs send the same bodies."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.text = TextGenerator(self.rng)

    def make(self, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        title, body = self.text.title_and_body()
        impact, urgency = dist.weighted(self.rng, dist.LEVEL_WEIGHTS), dist.weighted(self.rng, dist.LEVEL_WEIGHTS)
        if kind == "sarv_incident":
            values = {"title": title, "description": body, "impact": impact, "urgency": urgency, "channel": "phone"}
        elif kind == "helpdesk_ticket":
            values = {"title": title[:200], "description": body, "priority": int(impact) + int(urgency) - 1}
        else:
            raise ValueError(f"unknown body kind {kind!r}")
        for key, choices in fields.items():
            values[key] = self.rng.choice(choices) if isinstance(choices, list) else choices
        return values


class ScenarioUser(HttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        auth = PLAN["auth"]
        self.bodies = BodyMaker(PLAN.get("seed", 0) * 1000 + id(self) % 1000)
        self.token_header: dict[str, str] = {}
        if auth["kind"] == "form":
            self.client.get(auth["login_path"], name="sign-in")
            answer = self.client.post(auth["login_path"], name="sign-in", allow_redirects=False, data={
                "username": auth["username"], "password": auth["password"],
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""), **auth.get("extra", {})})
            if answer.status_code != 302:
                raise RuntimeError(f"sign-in as {auth['username']} answered {answer.status_code}")
        elif auth["kind"] == "token":
            answer = self.client.post(auth["token_path"], name="sign-in",
                                      json={"username": auth["username"], "password": auth["password"]})
            answer.raise_for_status()
            self.token_header = {"Authorization": f"Token {answer.json()['token']}"}

    def _send(self, step: dict[str, Any], captured: dict[str, Any]) -> str | None:
        headers = {"Accept-Language": "fa", **self.token_header, **step.get("headers", {})}
        if step.get("csrf_header"):
            headers["X-CSRFToken"] = self.client.cookies.get("csrftoken", "")
            headers["Referer"] = self.host
        body = self.bodies.make(step["body"], step.get("body_fields", {})) if step.get("body") else step.get("json")
        path = step["path"].format(**captured) if captured else step["path"]
        with self.client.request(step["method"], path, params=step.get("params") or None, json=body,
                                 headers=headers, name=f"{PLAN['scenario']}: {step.get('label', step['path'])}",
                                 allow_redirects=False, catch_response=True) as response:
            problem = None
            if response.status_code not in step.get("expect_status", [200]):
                problem = f"HTTP {response.status_code} for {step['path']}: {response.text[:160]!r}"
            elif step.get("expect_text") and step["expect_text"] not in response.text:
                problem = f"{step['path']} lacks {step['expect_text']!r}: {response.text[:160]!r}"
            if problem:
                response.failure(problem)
            else:
                response.success()
                if step.get("record_created"):
                    RECORD["created"].append(response.json().get(step["record_created"]))
                if step.get("capture"):
                    value: Any = response.json()
                    for key in step["capture"]["from"]:
                        value = value[key]
                    captured[step["capture"]["name"]] = value
            return problem

    @task
    def execute(self) -> None:
        index = next(COUNTER)
        if index >= PLAN["max_executions"]:
            self.environment.runner.quit()
            return
        variants = PLAN["variants"]
        steps = variants[index % len(variants)]
        started = time.perf_counter()
        if RECORD["first_start"] is None:
            RECORD["first_start"] = time.time()
        problem = None
        captured: dict[str, Any] = {}
        for step in steps:
            problem = self._send(step, captured)
            if problem:
                break
        elapsed_ms = (time.perf_counter() - started) * 1000
        RECORD["last_end"] = time.time()
        if problem:
            RECORD["errors"].append(problem[:300])
        else:
            RECORD["timings_ms"].append(round(elapsed_ms, 3))


@events.quitting.add_listener
def write_record(environment: Any, **_kwargs: Any) -> None:
    Path(PLAN["output"]).write_text(json.dumps(RECORD), encoding="utf-8")
