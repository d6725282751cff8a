"""/health and /metrics through the app and a real server; `formwright serve`'s headers."""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup
from collect_support import (
    FORM,
    QID,
    ROOT,
    Server,
    build,
    envelope,
    free_port,
    postgres_schema,
    valid_answers,
    wait_for_port,
)
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from compiler.collect.app import create_app
from compiler.collect.health import Operations, WorkerIndex
from compiler.collect.limits import Limits

# The text exposition format, version 0.0.4: comments, and samples with optional labels.
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(
    rf"^({NAME})(?:\{{({LABEL}(?:,{LABEL})*)?\}})? (-?[0-9.eE+-]+|NaN|[+-]Inf)( -?[0-9]+)?$"
)
HELP = re.compile(rf"^# HELP ({NAME}) .*$")
TYPE = re.compile(rf"^# TYPE ({NAME}) (counter|gauge|histogram|summary|untyped)$")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("health"))


def app_for(project: Path, db: str, **limits: Any) -> Starlette:
    return create_app(project / "build", db, (), Limits(**{"rate_limit": 0, **limits}))


def operations(app: Starlette) -> Operations:
    for route in app.routes:
        if isinstance(route, Route) and route.path == "/health":
            ops = route.endpoint.__self__  # type: ignore[attr-defined]
            assert isinstance(ops, Operations)
            return ops
    raise AssertionError("no /health route")


@pytest.fixture
def client(project: Path, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(app_for(project, str(tmp_path / "r.sqlite3"))) as c:
        yield c


def parse(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every line a valid comment or sample, every sample's family typed before it."""
    assert text.endswith("\n")
    typed: set[str] = set()
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for line in text.splitlines():
        if line.startswith("#"):
            assert HELP.match(line) or TYPE.match(line), line
            if m := TYPE.match(line):
                typed.add(m.group(1))
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample: {line!r}"
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        assert name in typed, f"{name} has no TYPE line before it"
        pairs = frozenset(tuple(p.split("=", 1)) for p in re.findall(LABEL, labels))
        key = (name, frozenset((k, v.strip('"')) for k, v in pairs))
        assert key not in samples, f"sample twice: {line}"
        samples[key] = float(value)
    return samples


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    found = [v for (n, ls), v in samples.items() if n == name and set(labels.items()) <= ls]
    assert len(found) == 1, (name, labels, found)
    return found[0]


def metrics(client: TestClient) -> dict[Any, float]:
    r = client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert r.headers["cache-control"] == "no-store"
    return parse(r.text)


def test_health_is_200_while_the_store_answers(client: TestClient) -> None:
    r = client.get("/health")
    assert r.status_code == 200 and r.text == "ok\n"
    assert r.headers["cache-control"] == "no-store" and "set-cookie" not in r.headers
    assert client.head("/health").status_code == 200


def test_health_is_503_when_the_store_is_closed(project: Path, tmp_path: Path) -> None:
    app = app_for(project, str(tmp_path / "r.sqlite3"))
    with TestClient(app) as client:
        assert client.get("/health").status_code == 200
        operations(app).store.close()
        assert client.get("/health").status_code == 503
        samples = metrics(client)
        assert value(samples, "formwright_store_up") == 0
        assert not [k for k in samples if k[0] == "formwright_responses_stored_total"]


def test_health_is_503_within_its_deadline_when_the_store_hangs(
    project: Path, tmp_path: Path
) -> None:
    app = app_for(project, str(tmp_path / "r.sqlite3"))
    with TestClient(app) as client:
        store = operations(app).store
        with store._lock:  # a commit that never ends holds the connection
            started = time.monotonic()
            assert client.get("/health").status_code == 503
            assert time.monotonic() - started < 4  # the deadline is 2 s
            # the next probe waits for the same query: no second thread behind the lock
            stuck = operations(app).probe._running["health"]
            assert client.get("/health").status_code == 503
            assert operations(app).probe._running["health"] is stuck and not stuck.done()
        deadline = time.monotonic() + 5
        while client.get("/health").status_code != 200:  # the stuck probe returns first
            assert time.monotonic() < deadline
            time.sleep(0.05)


def test_health_against_postgresql_that_stops_answering(project: Path) -> None:
    with postgres_schema() as url:
        app = app_for(project, url)
        with TestClient(app) as client:
            assert client.get("/health").status_code == 200
            store: Any = operations(app).store
            # The server goes away: the connection drops and a new one finds a closed port.
            store._conninfo = f"host=127.0.0.1 port={free_port()} connect_timeout=1"
            import psycopg

            with psycopg.connect(os.environ["FORMWRIGHT_TEST_DATABASE_URL"]) as admin:
                pid = store._conn.info.backend_pid
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            assert client.get("/health").status_code == 503
            assert value(metrics(client), "formwright_store_up") == 0


def test_counters_rise_after_stored_and_refused_posts(client: TestClient) -> None:
    before = metrics(client)
    assert value(before, "formwright_store_up") == 1
    assert value(before, "formwright_posts_answered_total", status="201") == 0
    worker = next(dict(ls)["worker"] for n, ls in before if n == "formwright_honeypot_total")
    assert worker == "0" or worker.isdigit()

    assert client.post("/responses", json=envelope(valid_answers())).status_code == 201
    assert client.post("/responses", json=envelope({"colour": "green"})).status_code == 422
    assert (
        client.post(
            "/responses", content=b"{", headers={"content-type": "application/json"}
        ).status_code
        == 400
    )
    honeypot = urlencode(
        {
            "fw_questionnaire": QID,
            "fw_version": "1",
            "fw_language": "en",
            "fw_website": "http://spam.example",
        }
    )
    r = client.post(
        "/responses", content=honeypot, headers={"content-type": FORM}, follow_redirects=False
    )
    assert r.status_code == 303

    after = metrics(client)
    assert value(after, "formwright_responses_stored_total", questionnaire=QID) == 1
    answered = {
        s: value(after, "formwright_posts_answered_total", status=s)
        for s in ("201", "303", "400", "422", "503")
    }
    assert answered == {"201": 1, "303": 1, "400": 1, "422": 1, "503": 0}
    assert value(after, "formwright_honeypot_total") == 1
    assert "green" not in client.get("/metrics").text  # no client data


def test_a_rate_limited_post_is_counted(project: Path, tmp_path: Path) -> None:
    with TestClient(app_for(project, str(tmp_path / "r.sqlite3"), rate_limit=1)) as client:
        assert client.post("/responses", json=envelope(valid_answers())).status_code == 201
        assert client.post("/responses", json=envelope(valid_answers())).status_code == 429
        samples = metrics(client)
        assert value(samples, "formwright_posts_answered_total", status="429") == 1
        assert value(samples, "formwright_responses_stored_total", questionnaire=QID) == 1


def test_postgresql_counts_are_read_from_the_store(project: Path) -> None:
    with postgres_schema() as url, TestClient(app_for(project, url)) as client:
        assert not [k for k in metrics(client) if k[0] == "formwright_responses_stored_total"]
        for _ in range(2):
            assert client.post("/responses", json=envelope(valid_answers())).status_code == 201
        stored = value(metrics(client), "formwright_responses_stored_total", questionnaire=QID)
        assert stored == 2


def test_every_worker_of_a_real_server_answers_with_its_own_index(
    project: Path, tmp_path: Path
) -> None:
    server = Server(
        project / "build",
        str(tmp_path / "r.sqlite3"),
        tmp_path / "server.log",
        workers=2,
        FORMWRIGHT_RATE_LIMIT="0",
    )
    server.start()

    def post(_: int) -> int:
        body = json.dumps(envelope(valid_answers())).encode()
        request = urllib.request.Request(
            f"{server.url}/responses", body, {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)

    def scrape(_: int) -> dict[Any, float]:
        with urllib.request.urlopen(f"{server.url}/metrics", timeout=10) as answer:
            return parse(answer.read().decode())

    try:
        with ThreadPoolExecutor(8) as pool:  # concurrent: both workers answer some
            assert set(pool.map(post, range(40))) == {201}
            scrapes = list(pool.map(scrape, range(40)))
        ok = {}
        for samples in scrapes:
            # the rows are shared, whichever worker answers
            assert value(samples, "formwright_responses_stored_total", questionnaire=QID) == 40
            for (name, labels), n in samples.items():
                if name == "formwright_posts_answered_total" and ("status", "201") in labels:
                    ok[dict(labels)["worker"]] = n
        assert set(ok) <= {"0", "1"} and ok  # small indexes, never process ids
        if len(ok) == 2:
            assert sum(ok.values()) == 40
    finally:
        server.stop()


def test_a_worker_index_is_the_lowest_free_and_freed_with_its_holder() -> None:
    first, second = WorkerIndex(), WorkerIndex()
    a, b = int(first.value()), int(second.value())
    assert b > a and first.value() == str(a)  # kept for the process's life
    first.close()
    third = WorkerIndex()
    assert third.value() == str(a)  # a restarted worker takes its predecessor's index
    second.close()
    third.close()


def test_formwright_serve_sends_the_pages_security_headers(project: Path, tmp_path: Path) -> None:
    port = free_port()
    formwright = str(Path(sys.executable).parent / "formwright")
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [
            formwright,
            "serve",
            "-C",
            str(project),
            "--port",
            str(port),
            "--db",
            str(tmp_path / "s.sqlite3"),
        ],
        stdout=log,
        stderr=log,
        cwd=ROOT,
        env={**os.environ},
    )
    log.close()
    try:
        wait_for_port(port, proc, timeout=60)
        for path in (f"/{QID}/en/index.html", f"/{QID}/en/", f"/{QID}/en/thanks.html", f"/{QID}/"):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", path)
            answer = conn.getresponse()
            page = answer.read().decode()
            conn.close()
            assert answer.status == 200, path
            head = BeautifulSoup(page, "html5lib").head
            csp = head.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
            referrer = head.find("meta", attrs={"name": "referrer"})["content"]
            assert answer.getheader("Cache-Control") == "no-store", path
            assert answer.getheader("Content-Security-Policy") == csp, path
            assert answer.getheader("Referrer-Policy") == referrer, path
            assert answer.getheader("X-Content-Type-Options") == "nosniff", path
        script = next((project / "build" / QID / "assets").glob("form.*.js")).name
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", f"/{QID}/assets/{script}")
        answer = conn.getresponse()
        answer.read()
        conn.close()
        assert answer.status == 200
        assert answer.getheader("X-Content-Type-Options") == "nosniff"
        assert answer.getheader("Content-Security-Policy") is None  # pages only
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/health")
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
