"""The benches' one timing loop: the measured calls alternate round by round (the machine's load swings
within seconds), round 0 warms caches up and is not counted, and every run keeps the load average
beside its figure."""
import os
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Run:
    seconds: float
    fact: Any = None  # what the call answered, to print beside the figure (rows, lines, ...)
    load: float = 0.0  # the one-minute load average when the call ended


def load_average() -> float:
    return os.getloadavg()[0]


def timed(call: Callable[[], Any]) -> Run:
    """Time one call on the wall clock."""
    started = time.perf_counter()
    fact = call()
    return Run(time.perf_counter() - started, fact, load_average())


def alternate(work: Mapping[str, Callable[[], Any]], *, repeats: int, warm_up: bool = True) -> dict[str, list[Run]]:
    """Each call of `work` once per round, in turn, for `repeats` counted rounds (after one warm-up round
    unless `warm_up` is false). A call that answers a `Run` has timed itself (in a child process, on a
    fresh copy of the data ...); any other call is timed around it."""
    runs: dict[str, list[Run]] = {name: [] for name in work}
    for round_ in range(repeats + warm_up):
        for name, call in work.items():
            started = time.perf_counter()
            answer = call()
            elapsed = time.perf_counter() - started
            if round_ >= warm_up:
                runs[name].append(answer if isinstance(answer, Run) else Run(elapsed, answer, load_average()))
    return runs


def median(runs: list[Run]) -> float:
    return statistics.median(run.seconds for run in runs)


def summary(runs: dict[str, list[Run]]) -> dict[str, Any]:
    """name -> median seconds, and "facts" -> name -> what its last counted call answered."""
    return {name: median(times) for name, times in runs.items()} | {
        "facts": {name: times[-1].fact for name, times in runs.items()}}
