"""The steady load of ``make bench-load``: agents, a creator and two requesters at a fixed rate, every response checked.

bench/load.py starts this with locust in headless mode and a plan file (``BENCH_LOAD_PLAN``).
Each simulated user sends one request per ``1 / rate`` seconds (locust's constant
throughput), so the load stays steady whatever the response times. Every response must have
its expected status; a requester's responses (portal list and search, API list and search,
own incident pages) are also scanned for incident numbers, and each number found must be one
of that requester's own incidents (the plan lists them, and incidents they create during the
run are added). A number of another requester's fails the request as a leak.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
import time
from pathlib import Path
from typing import Any, ClassVar

from locust import HttpUser, constant_throughput, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.textgen import SEARCH_TERMS, TextGenerator

PLAN: dict[str, Any] = json.loads(Path(os.environ["BENCH_LOAD_PLAN"]).read_text(encoding="utf-8"))
PERSIAN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
NUMBER = re.compile(r"INC-\d{4}-\d{6}")
# Numbers each requester may see: their own incidents, and those they create during the run.
ALLOWED: dict[str, set[str]] = {name: set(numbers) for name, numbers in PLAN["requester_numbers"].items()}
RECORD: dict[str, Any] = {"checked_responses": 0, "numbers_checked": 0, "leaks": [], "errors": [], "requests": 0,
                          "created": []}
SEQUENCE = itertools.count()


def numbers_in(text: str) -> set[str]:
    return set(NUMBER.findall(text.translate(PERSIAN_DIGITS)))


class Checked(HttpUser):
    abstract = True
    rate: ClassVar[float] = 1.0
    username: ClassVar[str] = ""

    def on_start(self) -> None:
        self.rng = random.Random(next(SEQUENCE))
        self.text = TextGenerator(self.rng)
        answer = self.client.post(PLAN["token_path"], json={"username": self.username, "password": PLAN["password"]},
                                  name="sign-in (token)")
        self.token = {"Authorization": f"Token {answer.json()['token']}"}
        self.client.get("/accounts/login/", name="sign-in (form)")
        self.client.post("/accounts/login/", name="sign-in (form)", allow_redirects=False, data={
            "username": self.username, "password": PLAN["password"],
            "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")})

    def request(self, name: str, method: str, path: str, *, api: bool = False, expect: tuple = (200,),
                **kwargs: Any) -> Any:
        headers = {"Accept-Language": "fa", **(self.token if api else {}), **kwargs.pop("headers", {})}
        with self.client.request(method, path, name=name, headers=headers, catch_response=True,
                                 allow_redirects=False, **kwargs) as response:
            RECORD["requests"] += 1
            problem = None
            if response.status_code not in expect:
                problem = f"{name}: HTTP {response.status_code} {response.text[:160]!r}"
            else:
                problem = self.check(name, response)
            if problem:
                RECORD["errors"].append(problem[:300])
                response.failure(problem)
            else:
                response.success()
            return response

    def check(self, name: str, response: Any) -> str | None:
        return None


class Requester(Checked):
    abstract = True

    def check(self, name: str, response: Any) -> str | None:
        if response.request.method == "POST" and response.status_code == 201:
            # The incident the requester has just reported is theirs from now on.
            ALLOWED[self.username].add(response.json()["number"])
        found = numbers_in(response.text)
        RECORD["checked_responses"] += 1
        RECORD["numbers_checked"] += len(found)
        foreign = found - ALLOWED[self.username]
        if foreign:
            leak = {"requester": self.username, "request": name, "numbers": sorted(foreign)[:5]}
            RECORD["leaks"].append(leak)
            return f"{name}: {self.username} was shown incidents that are not theirs: {sorted(foreign)[:5]}"
        return None

    def own_number(self) -> str:
        return self.rng.choice(sorted(ALLOWED[self.username]))

    @task(4)
    def portal_list(self) -> None:
        self.request("requester: portal list", "GET", "/portal/", params={"state": "all"})

    @task(2)
    def portal_search(self) -> None:
        term = self.rng.choice([SEARCH_TERMS["common_fa"], SEARCH_TERMS["common_en"], "INC-1405"])
        self.request("requester: portal search", "GET", "/portal/", params={"state": "all", "q": term})

    @task(2)
    def api_list(self) -> None:
        self.request("requester: API list", "GET", "/api/v1/incidents/", api=True)

    @task(2)
    def api_search(self) -> None:
        self.request("requester: API search", "GET", "/api/v1/incidents/", api=True,
                     params={"q": self.rng.choice([SEARCH_TERMS["common_fa"], SEARCH_TERMS["common_en"]])})

    @task(2)
    def own_incident(self) -> None:
        self.request("requester: own incident page", "GET", f"/portal/{self.own_number()}/")

    @task(1)
    def report(self) -> None:
        title, body = self.text.title_and_body()
        self.request("requester: report through the API", "POST", "/api/v1/incidents/", api=True, expect=(201,),
                     json={"title": title, "description": body})


class RequesterOne(Requester):
    rate = PLAN["requester_rate"]
    username = PLAN["requesters"][0]
    wait_time = constant_throughput(rate)
    fixed_count = 1


class RequesterTwo(Requester):
    rate = PLAN["requester_rate"]
    username = PLAN["requesters"][1]
    wait_time = constant_throughput(rate)
    fixed_count = 1


class Agent(Checked):
    rate = PLAN["agent_rate"]
    username = PLAN["agent"]
    wait_time = constant_throughput(rate)
    fixed_count = PLAN["agents"]

    @task(4)
    def group_queue(self) -> None:
        self.request("agent: group's open incidents", "GET", "/incidents/", params=[
            ("queue", "all"), ("assigned_group", str(PLAN["group_id"])), *(("status", s) for s in PLAN["open"]),
            ("ordering", "priority")])

    @task(2)
    def walk_pages(self) -> None:
        # Follow a few "next" links of a long list, as an agent paging through it does.
        params: list[tuple[str, str]] = [("queue", "all"), ("assigned_group", str(PLAN["group_id"])),
                                         ("status", "closed"), ("ordering", "priority")]
        for _page in range(3):
            response = self.request("agent: next page of a long list", "GET", "/incidents/", params=params,
                                    headers={"HX-Request": "true", "HX-Target": "incident-results"})
            cursor = re.search(r"cursor=([A-Za-z0-9_-]+)", response.text)
            if not cursor:
                break
            params = [*params[:4], ("cursor", cursor.group(1))]

    @task(3)
    def incident_page(self) -> None:
        self.request("agent: incident page", "GET", f"/incidents/{self.rng.choice(PLAN['numbers'])}/")

    @task(2)
    def search(self) -> None:
        self.request("agent: search", "GET", "/incidents/", params={
            "queue": "all", "q": self.rng.choice([SEARCH_TERMS["common_fa"], SEARCH_TERMS["common_en"]])})

    @task(2)
    def api_list(self) -> None:
        self.request("agent: API list", "GET", "/api/v1/incidents/", api=True,
                     params={"assigned_group": PLAN["group_id"], "ordering": "priority"})

    @task(1)
    def create(self) -> None:
        title, body = self.text.title_and_body()
        response = self.request("agent: create through the API", "POST", "/api/v1/incidents/", api=True,
                                expect=(201,), json={"title": title, "description": body, "channel": "phone",
                                                     "requester": self.rng.choice(PLAN["requester_ids"])})
        if response.status_code == 201:
            RECORD["created"].append(response.json()["number"])


@events.quitting.add_listener
def write_record(environment: Any, **_kwargs: Any) -> None:
    RECORD["ended_at"] = time.time()
    RECORD["allowed_sizes"] = {name: len(numbers) for name, numbers in ALLOWED.items()}
    Path(PLAN["output"]).write_text(json.dumps(RECORD), encoding="utf-8")
