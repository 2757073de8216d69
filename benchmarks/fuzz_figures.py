"""Fuzzing figures for docs/VALIDATION.md (issue 8): the property-based fuzz tests run with
many examples, summed up in one JSON line on stdout (pytest's own report goes to stderr).

    python benchmarks/fuzz_figures.py [--examples N] [--random] [--atheris SECONDS]

`--examples` is QARINA_FUZZ_EXAMPLES, examples per property test (CI runs 20); `--random`
draws new inputs each run instead of the CI's fixed ones (QARINA_FUZZ_RANDOM). `--atheris`
adds a coverage-guided run (libFuzzer through atheris, where its wheel installs: Linux and
macOS; `pip install atheris`) of the same parser inputs for SECONDS, in a child process
since libFuzzer ends the process it runs in. Figures:
- parsers_fuzzed: parsers of `parsers.PARSERS` with at least one valid seed file;
- tests_run (fuzz tests and checks), examples: Hypothesis test cases run, shrinking included
  (its observability hook), and parser_examples: inputs given to a parser, of which `offered`
  passed dispatch, `records` records were checked against the export contract and
  `clean_errors` ended as a recorded skipped/error;
- findings: property tests that failed (new findings: pytest's report names the failing input)
  plus the diagnosed findings the run hit again (`known`, by key, with their hit counts);
  regressions_xfailed: the kept regression inputs still failing as diagnosed;
- atheris: its runs and whether it stopped on a new finding (the input is kept in
  `artifacts`; replay it with `fuzz_one_input`, see `_atheris_child`).
Wall time depends on the machine; about 10 minutes on 2 cores for 400 examples.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, cast

import pytest

ROOT = Path(__file__).resolve().parent.parent
TESTS = ("tests/test_fuzz_parsers.py", "tests/test_fuzz_search.py")


class Outcomes:
    """A pytest plugin counting test outcomes, and Hypothesis test cases per property."""

    def __init__(self) -> None:
        self.outcomes: Counter[str] = Counter()
        self.failed: list[str] = []
        self.cases: Counter[str] = Counter()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or report.outcome != "passed":
            kind = "xfailed" if hasattr(report, "wasxfail") else report.outcome
            self.outcomes[kind] += 1
            if report.outcome == "failed":
                self.failed.append(report.nodeid)

    def pytest_sessionstart(self) -> None:
        from hypothesis.internal.observability import add_observability_callback

        add_observability_callback(self.observe)

    def pytest_sessionfinish(self) -> None:
        from hypothesis.internal.observability import remove_observability_callback

        remove_observability_callback(self.observe)

    def observe(self, observation: Any) -> None:
        if getattr(observation, "type", None) == "test_case":
            self.cases[str(getattr(observation, "property", "?"))] += 1


def run(examples: int, randomize: bool) -> dict[str, Any]:
    os.environ["QARINA_FUZZ_EXAMPLES"] = str(examples)
    # Observability is only used to count test cases: no line coverage (it traces every line).
    os.environ["HYPOTHESIS_EXPERIMENTAL_OBSERVABILITY_NOCOVER"] = "1"
    if randomize:
        os.environ["QARINA_FUZZ_RANDOM"] = "1"
    os.chdir(ROOT)
    plugin = Outcomes()
    started = time.monotonic()
    with contextlib.redirect_stdout(sys.stderr):
        pytest.main(["-q", "-p", "no:cacheprovider", "--tb=short", *TESTS], plugins=[plugin])
    fuzz: Any = sys.modules["fuzzing"]  # imported by the run, with its counters

    known = {k.removeprefix("known:"): n for k, n in fuzz.STATS.items() if k.startswith("known:")}
    return {
        "parsers_fuzzed": sum(1 for name in fuzz.BY_NAME if fuzz.seeds().get(name)),
        "examples_per_test": examples,
        "random": randomize,
        "tests_run": plugin.outcomes["passed"] + plugin.outcomes["failed"],
        "examples": sum(plugin.cases.values()),
        "parser_examples": fuzz.STATS["examples"],
        "offered": fuzz.STATS["offered"],
        "records": fuzz.STATS["records"],
        "clean_errors": fuzz.STATS["clean_errors"],
        "keyword_terms_compiled": fuzz.STATS["keyword_terms_compiled"],
        "findings": len(plugin.failed) + len(known),
        "failed_tests": plugin.failed,
        "known": known,
        "regressions_xfailed": plugin.outcomes["xfailed"],
        "seconds": round(time.monotonic() - started, 1),
    }


def _atheris_child(seconds: int, artifacts: str) -> None:
    """Coverage-guided fuzzing of every parser with the recipes of the property tests; known
    findings pass as in them, anything else stops libFuzzer with the input saved."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    atheris: Any = importlib.import_module("atheris")
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    with atheris.instrument_imports(include=["triage_app", "parsers"]):
        fuzz: Any = importlib.import_module("test_fuzz_parsers")
    recipes = st.one_of(
        st.tuples(st.just("random"), st.integers(0, 128), st.binary(max_size=2048)),
        st.tuples(st.just("bytes"), fuzz.BYTE_EDITS),
        st.tuples(st.just("cells"), fuzz.CELL_EDITS),
        st.tuples(st.just("tree"), fuzz.TREE_EDITS, fuzz.BYTE_EDITS),
    )
    usable = {"cells": fuzz.SQLITE_NAMES, "tree": fuzz.TREE_NAMES}

    @settings(database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(name=st.sampled_from(fuzz.NAMES), index=fuzz.INDEX, recipe=recipes)
    def target(name: str, index: int, recipe: tuple[Any, ...]) -> None:
        if name in usable.get(recipe[0], [name]):
            fuzz.replay(name, index, recipe)

    fuzz.seeds()
    flags = [f"-max_total_time={seconds}", f"-artifact_prefix={artifacts}/", "-rss_limit_mb=4096"]
    atheris.Setup([sys.argv[0], *flags], cast(Any, target).hypothesis.fuzz_one_input)
    atheris.Fuzz()


def run_atheris(seconds: int) -> dict[str, Any]:
    if importlib.util.find_spec("atheris") is None:
        return {"installed": False}
    artifacts = tempfile.mkdtemp(prefix="qarina-atheris-")
    child = [sys.executable, __file__, "--atheris-child", str(seconds), artifacts]
    done = subprocess.run(child, capture_output=True, text=True, cwd=ROOT, check=False)
    sys.stderr.write(done.stderr[-20000:])
    runs = re.findall(r"Done (\d+) runs in (\d+) second", done.stderr)
    kept = sorted(os.listdir(artifacts))
    return {
        "installed": True,
        "runs": int(runs[-1][0]) if runs else None,
        "seconds": int(runs[-1][1]) if runs else None,
        "exit": done.returncode,
        "findings": len(kept),
        "artifacts": artifacts if kept else None,
    }


def main() -> None:
    if sys.argv[1:2] == ["--atheris-child"]:
        _atheris_child(int(sys.argv[2]), sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=400, help="examples per property test")
    parser.add_argument("--random", action="store_true", help="new inputs on every run")
    parser.add_argument(
        "--atheris",
        type=int,
        default=0,
        metavar="SECONDS",
        help="also fuzz the parsers coverage-guided for SECONDS (atheris)",
    )
    args = parser.parse_args()
    figures = run(args.examples, args.random)
    if args.atheris:
        figures["atheris"] = run_atheris(args.atheris)
        figures["findings"] += figures["atheris"].get("findings") or 0
    print(json.dumps(figures, sort_keys=True))


if __name__ == "__main__":
    main()
