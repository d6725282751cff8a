"""Acknowledged means stored: SIGKILL the real server mid-stream, and several workers at once."""

from __future__ import annotations

import random
import sqlite3
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
import pytest
from collect_support import Server, build, envelope, valid_answers


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("durability"))


def stored(db: Path) -> dict[str, list[str]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT submission_id, id FROM responses").fetchall()
    out: dict[str, list[str]] = {}
    for sid, rid in rows:
        out.setdefault(sid, []).append(rid)
    return out


def test_sigkill_loses_no_acknowledged_response(project: Path, tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite3"
    # A digest key that outlives the restarts, as docs/deploying.md asks: with one made at
    # each start, a retry of a post stored before the crash would be a 409 (never stored twice).
    key = {"FORMWRIGHT_DIGEST_KEY": "d" * 64, "FORMWRIGHT_RATE_LIMIT": "0"}
    server = Server(project / "build", str(db), tmp_path / "log", **key)
    acknowledged: dict[str, str] = {}
    unsure: list[str] = []
    stop = threading.Event()

    def post_forever() -> None:
        with httpx2.Client(timeout=2) as http:
            while not stop.is_set():
                sid = str(uuid.uuid4())
                try:
                    r = http.post(f"{server.url}/responses", json=envelope(valid_answers(), sid))
                except httpx2.HTTPError:
                    unsure.append(sid)  # sent, but no answer: stored or not, never twice
                    time.sleep(0.02)
                    continue
                assert r.status_code == 201
                acknowledged[sid] = r.json()["id"]

    server.start()
    sender = threading.Thread(target=post_forever)
    sender.start()
    rng = random.Random(5)
    try:
        for _ in range(4):
            time.sleep(rng.uniform(0.2, 0.8))
            server.kill()
            server.start()
        time.sleep(0.3)
    finally:
        stop.set()
        sender.join()
    try:
        with httpx2.Client() as http:  # retries after the crash store once too
            for sid in unsure:
                r = http.post(f"{server.url}/responses", json=envelope(valid_answers(), sid))
                assert r.status_code == 201
    finally:
        server.stop()
    rows = stored(db)
    assert len(acknowledged) > 20
    for sid, rid in acknowledged.items():
        assert rows.get(sid) == [rid]
    assert all(len(ids) == 1 for ids in rows.values())
    assert set(rows) == set(acknowledged) | set(unsure)


def test_two_workers_lose_and_duplicate_nothing(project: Path, tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite3"
    server = Server(
        project / "build", str(db), tmp_path / "log", workers=2, FORMWRIGHT_RATE_LIMIT="0"
    )
    server.start()
    sids = [str(uuid.uuid4()) for _ in range(200)]

    def post(sid: str) -> tuple[str, str]:
        with httpx2.Client() as http:  # a fresh connection each time spreads over the workers
            r = http.post(f"{server.url}/responses", json=envelope(valid_answers(), sid))
            assert r.status_code == 201
            return sid, r.json()["id"]

    try:
        time.sleep(0.5)  # both workers up
        with ThreadPoolExecutor(8) as pool:
            first = dict(pool.map(post, sids))
            again = dict(pool.map(post, sids[:50]))  # retries may reach the other worker
    finally:
        server.stop()
    rows = stored(db)
    assert {sid: ids[0] for sid, ids in rows.items()} == first
    assert all(len(ids) == 1 for ids in rows.values())
    assert all(first[sid] == rid for sid, rid in again.items())
