"""Per-language work in forked processes: same output, same diagnostics, same order."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import shutil
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from compiler import parallel
from compiler.build import build_project
from compiler.cli import cli
from compiler.project import validate_project
from compiler.translations.find import find_locales

ROOT = Path(__file__).parent.parent
needs_fork = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="this platform cannot fork"
)


def test_processes_follows_the_request_and_the_input_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    monkeypatch.setattr(parallel, "cores", lambda: 4)
    big, small = parallel.AUTO_MIN_BYTES, parallel.AUTO_MIN_BYTES - 1
    assert parallel.processes(0, 22, big) == 4  # auto: one per core
    assert parallel.processes(0, 3, big) == 3  # never more than there are jobs
    assert parallel.processes(0, 22, small) == 1  # too small to pay for a pool
    assert parallel.processes(2, 22, small) == 2  # asked for: done, whatever the size
    assert parallel.processes(1, 22, big) == 1
    assert parallel.processes(8, 1, big) == 1
    monkeypatch.setattr(parallel, "cores", lambda: 64)  # a container on a large host
    assert parallel.processes(0, 22, big) == parallel.MAX_AUTO_PROCESSES
    assert parallel.processes(12, 22, big) == 12  # asked for: the user knows
    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    assert parallel.processes(2, 22, big) == 1


def test_no_fork_while_another_thread_runs() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not parallel.can_fork()
        assert parallel.processes(2, 22, parallel.AUTO_MIN_BYTES) == 1
    finally:
        stop.set()
        other.join()


@needs_fork
def test_run_uses_other_processes_and_keeps_order() -> None:
    results = parallel.run(lambda i: (i * i, os.getpid()), 7, 2)
    assert [square for square, _ in results] == [i * i for i in range(7)]
    assert os.getpid() not in {pid for _, pid in results}


@needs_fork
def test_a_failing_job_fails_the_run() -> None:
    def job(i: int) -> int:
        if i == 3:
            raise ValueError("job 3 broke")
        return i

    with pytest.raises(ValueError, match="job 3 broke"):
        parallel.run(job, 5, 2)


@needs_fork
def test_a_killed_worker_means_the_jobs_run_here() -> None:
    parent = os.getpid()

    def job(i: int) -> int:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would
        return i * 2

    assert parallel.run(job, 4, 2) == [0, 2, 4, 6]


class TwoPartError(Exception):
    """Pickles, but cannot be rebuilt from its pickle: it breaks the pool on the way back."""

    def __init__(self, what: str, why: str) -> None:
        super().__init__(f"{what}: {why}")


@needs_fork
def test_an_error_that_cannot_travel_back_is_raised_here_as_itself() -> None:
    def job(i: int) -> int:
        raise TwoPartError(f"job {i}", "broke")

    with pytest.raises(TwoPartError, match="job 0: broke"):
        parallel.run(job, 3, 2)


def test_run_with_one_worker_stays_here() -> None:
    assert parallel.run(lambda i: os.getpid(), 3, 1) == [os.getpid()] * 3


def _project(tmp_path: Path) -> Path:
    work = tmp_path / "project"
    for folder in ("questionnaire", "locales"):
        shutil.copytree(ROOT / folder, work / folder)
    return work


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Records the workers of every run, and lets this test fork whatever other tests left."""
    used: list[int] = []
    real: Callable[..., Any] = parallel.run

    def run(job: Callable[[int], Any], count: int, workers: int) -> list[Any]:
        used.append(workers)
        return real(job, count, workers)  # type: ignore[no-any-return]

    monkeypatch.setattr(parallel, "run", run)
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    return used


@needs_fork
def test_parallel_build_writes_the_same_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = _project(tmp_path)
    used = _spy(monkeypatch)
    serial = build_project(work, tmp_path / "serial", strict=True, jobs=1)
    forked = build_project(work, tmp_path / "forked", strict=True, jobs=2)
    assert not serial.failed and not forked.failed
    assert used == [1, 1, 2, 2]  # locales, then pages; each way
    assert serial.diagnostics == forked.diagnostics

    def files(folder: Path) -> dict[str, bytes]:
        return {
            str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()
        }

    assert files(tmp_path / "serial") == files(tmp_path / "forked")
    assert len(files(tmp_path / "forked")) > 60


@needs_fork
def test_parallel_validation_reports_the_same_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = _project(tmp_path)
    broken = {
        "pl": lambda s: s.replace("from: ", "from: x", 1),  # not a fingerprint
        "ar": lambda s: s + "\n  tabbed:\n\tbad: 1\n",  # a YAML error
        "vi": lambda s: s.replace("texts:", "texts:\n  questions.nope.text: {text: a, from: ''}"),
    }
    for tag, change in broken.items():
        path = work / "locales" / tag / "victim-voice.yaml"
        path.write_text(change(path.read_text("utf-8")), "utf-8")
    used = _spy(monkeypatch)
    serial = validate_project(work, jobs=1).all_diagnostics
    forked = validate_project(work, jobs=2).all_diagnostics
    assert used == [1, 2]
    assert serial == forked
    assert {Path(d.file).parts[-2] for d in forked} >= set(broken)
    runner = CliRunner()
    outputs = [
        runner.invoke(cli, ["validate", "-C", str(work), "--format", "json", "-j", n])
        for n in ("1", "2")
    ]
    assert outputs[0].exit_code == outputs[1].exit_code == 1
    assert outputs[0].output == outputs[1].output


def test_checked_locale_files_travel_without_their_tree() -> None:
    result = validate_project(ROOT)
    qn = result.results[0].questionnaire
    assert qn is not None
    locales, _ = find_locales(ROOT, qn, jobs=1)
    loc = locales[0]
    assert loc.node is None  # find_locales hands on checked files
    back = pickle.loads(pickle.dumps(loc))
    assert back.entries.keys() == loc.entries.keys()
    for key, entry in loc.entries.items():
        other = back.entries[key]
        assert (other.text, other.source_fingerprint) == (entry.text, entry.source_fingerprint)
        assert (other.node.line, other.node.column) == (entry.node.line, entry.node.column)
    assert (back.interface, back.meta) == (loc.interface, loc.meta)
    assert back.language is not None and loc.language is not None
    assert back.language.tag == loc.language.tag
    assert [back.language.plural(n) for n in range(12)] == [
        loc.language.plural(n) for n in range(12)
    ]


def test_a_locale_file_with_its_tree_is_not_pickled() -> None:
    from compiler.translations.files import read_locale

    path = ROOT / "locales" / "pl" / "victim-voice.yaml"
    loc, _ = read_locale(path, str(path), "pl")
    assert loc.node is not None
    with pytest.raises(TypeError, match="checked"):
        pickle.dumps(loc)
