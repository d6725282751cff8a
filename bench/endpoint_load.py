"""Load for bench/endpoint.py: a valid Victim Voice body, and wrk runs that post it.

The body is made from the built manifest rather than written by hand, so it
stays valid when the questionnaire changes: every question gets an answer,
choosing the options that other questions' conditions test for, so the
submission walks the long path through the form as a thorough respondent's
would. It is checked in-process with the endpoint's own checker before use.

wrk is closed-loop (each connection waits for its answer); the fixed load
levels add an exponential think time per connection (`delay()` in
bench/endpoint_wrk.lua) and correct it from the rate each run achieves, so
the achieved rate, not the target, is what gets reported.
"""

from __future__ import annotations

import json
import random
import resource
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from compiler.collect.answers import check, from_json
from compiler.strings import Strings

LUA = Path(__file__).with_name("endpoint_wrk.lua")
TEXT = "They listened, explained what would happen next and called back when they said they would."


class NoWrk(Exception):
    """wrk is not installed."""


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise NoWrk(
            "this benchmark needs the load generator wrk, which is not on PATH: "
            "install it with `apt-get install -y wrk` (Debian/Ubuntu) and run it again"
        )
    return found


def _tested_values(node: Any, out: dict[str, list[object]]) -> None:
    """Collect (field, value) pairs that conditions compare against, outside any `not`."""
    if isinstance(node, dict) and "not" not in node:
        if "field" in node:
            values = node.get("values") or ([node["value"]] if "value" in node else [])
            out.setdefault(str(node["field"]), []).extend(values)
        for child in node.values():
            _tested_values(child, out)
    elif isinstance(node, list):
        for child in node:
            _tested_values(child, out)


def _answer(q: dict[str, Any], wanted: list[object], today: date) -> dict[str, object]:
    kind, qid = q["type"], q["id"]
    if kind in ("single", "multiple"):
        plain = [o["code"] for o in q["options"] if "specify" not in o and not o.get("exclusive")]
        code = next((v for v in wanted if v in plain), plain[len(plain) // 2])
        return {qid: [code] if kind == "multiple" else code}
    if kind == "scale":
        return {qid: q["points"][len(q["points"]) // 2]["code"]}
    if kind == "matrix":
        middle = q["options"][len(q["options"]) // 2]["code"]
        return {f"{qid}.{item['code']}": middle for item in q["items"]}
    if kind == "number":
        low = q["min"] if q["min"] is not None else 0
        high = q["max"] if q["max"] is not None else low + 10
        return {qid: min(max(low, 2), high)}
    if kind == "date":
        size = {"day": 10, "month": 7, "year": 4}[q["precision"]]
        return {qid: (today - timedelta(days=60)).isoformat()[:size]}
    if kind in ("text", "textarea"):
        return {qid: TEXT[: q.get("max_length", len(TEXT))]}
    return {}


def victim_voice_body(manifest: dict[str, Any], language: str = "en") -> tuple[str, int]:
    """The JSON body with @SID@ for the submission id, and how many answers it stores."""
    today = date.today()
    tested: dict[str, list[object]] = {}
    _tested_values([q["condition"] for q in manifest["questions"]], tested)
    _tested_values([p["condition"] for p in manifest["pages"]], tested)
    answers: dict[str, object] = {}
    for q in manifest["questions"]:
        answers.update(_answer(q, tested.get(q["id"], []), today))
    checked = check(manifest, from_json(manifest, answers), Strings(language), today)
    if checked.problems:
        raise RuntimeError(f"the generated response is not valid: {checked.problems}")
    envelope = {
        "questionnaire": manifest["id"],
        "version": manifest["version"],
        "language": language,
        "submission_id": "@SID@",
        "answers": checked.answers,  # what the form's script posts: shown questions only
    }
    return json.dumps(envelope, ensure_ascii=False), len(checked.answers)


@dataclass
class Run:
    """One wrk run; latencies in milliseconds."""

    seconds: float
    responses: int
    sent: int
    statuses: dict[int, int]
    errors: dict[str, int]
    p50: float
    p90: float
    p99: float
    client_cpu: float  # wrk's own CPU seconds: it shares the 2 cores with the server
    ids: list[str] = field(default_factory=list)
    calibration: bool = False  # stored rows to account for, but no figure to report

    @property
    def ok(self) -> int:
        return sum(n for s, n in self.statuses.items() if 200 <= s < 300)

    @property
    def rate(self) -> float:
        """Durable submissions acknowledged per second."""
        return self.ok / self.seconds


def run_wrk(
    url: str, body: Path, work: Path, connections: int, seconds: float, think_ms: float = 0
) -> Run:
    ids = work / f"ids-{random.getrandbits(40):010x}"
    env = {
        "FW_BODY": str(body),
        "FW_IDS": str(ids),
        "FW_SEED": str(random.getrandbits(31)),
        "FW_THINK_MS": f"{think_ms:.3f}",
        "PATH": "/usr/bin:/bin",
    }
    # One wrk thread: its event loop is far from busy, and a second would take
    # a core the server needs.
    whole = max(1, round(seconds))  # wrk takes whole seconds only
    command = [wrk_path(), "-t1", f"-c{connections}", f"-d{whole}s", "--timeout", "30s"]
    command += ["-s", str(LUA), url]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = [x for x in done.stdout.splitlines() if x.startswith("FW_RESULT ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}{done.stderr}")
    data = json.loads(lines[-1].split(" ", 1)[1])
    acked: list[str] = []
    for part in sorted(work.glob(ids.name + ".*")):
        acked += part.read_text().split()
        part.unlink()
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Run(
        seconds=data["duration_us"] / 1e6,
        responses=data["responses"],
        sent=data["sent"],
        statuses={int(k): v for k, v in data["statuses"].items()},
        errors=data["errors"],
        p50=data["p50_us"] / 1000,
        p90=data["p90_us"] / 1000,
        p99=data["p99_us"] / 1000,
        client_cpu=cpu,
        ids=acked,
    )


def paced_runs(
    url: str, body: Path, work: Path, target: float, connections: int, seconds: float, runs: int
) -> list[Run]:
    """A short calibration run, then `runs` runs near `target` submissions/s.

    Each connection's cycle is think time + response time; after every run the
    think time is set to what the measured response time leaves of the cycle
    the target needs (C / target seconds).
    """
    cycle_ms = 1000 * connections / target
    think = cycle_ms
    done: list[Run] = []
    for i in range(runs + 1):
        run = run_wrk(url, body, work, connections, seconds / 2 if i == 0 else seconds, think)
        run.calibration = i == 0
        done.append(run)
        if run.rate > 0:
            response_ms = max(0.0, 1000 * connections / run.rate - think)
            think = max(0.5, cycle_ms - response_ms)
    return done
