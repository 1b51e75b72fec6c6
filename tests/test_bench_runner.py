"""The benchmark runner (bench/run.py) fails when a script misses its budget or its check, and
passes when every script keeps both. Fake bench scripts in a temporary directory follow the same
contract (bench/_contract.py); the figures they report are fixed numbers or counted work, so no
assertion here depends on how fast this machine is."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "bench" / "run.py"

SCRIPT = """
from _contract import Result
result = Result("{name}", "a fake benchmark")
result.measured(figure={figure}, baseline={baseline}, unit="ms", baseline_label="the fake baseline")
result.ratio_at_most({ratio_budget})
result.check("the fake answer is right", {correct})
result.finish()
"""


def write(directory: Path, name: str, **values) -> None:
    (directory / f"{name}.py").write_text(textwrap.dedent(SCRIPT.format(name=name, **values)))


def run(directory: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(RUNNER), "--size", "quick", "--dir", str(directory), *extra],
                          capture_output=True, text=True, timeout=120, check=False)


def table_row(output: str, name: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(name + " "))


def test_all_within_budget_passes(tmp_path):
    write(tmp_path, "bench_fast", figure=10, baseline=5, ratio_budget=3, correct=True)
    write(tmp_path, "bench_other", figure=1, baseline=4, ratio_budget=0.5, correct=True)
    done = run(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert table_row(done.stdout, "bench_fast").split()[-1] == "ok"
    assert "10.0 ms" in table_row(done.stdout, "bench_fast")
    assert "2 of 2 passed" in done.stdout


def test_a_missed_budget_fails_the_run(tmp_path):
    write(tmp_path, "bench_fast", figure=10, baseline=5, ratio_budget=3, correct=True)
    write(tmp_path, "bench_slow", figure=40, baseline=5, ratio_budget=3, correct=True)
    done = run(tmp_path)
    assert done.returncode == 1
    assert table_row(done.stdout, "bench_slow").split()[-1] == "FAIL"
    assert table_row(done.stdout, "bench_fast").split()[-1] == "ok"
    assert "figure/baseline 8 ≤ 3" in done.stdout
    assert "FAILED: bench_slow" in done.stdout


def test_a_failed_check_fails_the_run_within_budget(tmp_path):
    write(tmp_path, "bench_wrong", figure=1, baseline=5, ratio_budget=3, correct=False)
    done = run(tmp_path)
    assert done.returncode == 1
    assert table_row(done.stdout, "bench_wrong").split()[-1] == "FAIL"
    assert "the fake answer is right" in done.stdout


def test_lowering_the_budgets_fails_a_passing_script(tmp_path):
    """The same script passes at its budget and fails once every budget is scaled down."""
    (tmp_path / "bench_counted.py").write_text(textwrap.dedent("""
        from _contract import Result
        work = sum(range(200_000))        # the figure: counted work, not time
        baseline = sum(range(100_000))
        result = Result("bench_counted", "counted work")
        result.measured(figure=work, baseline=baseline, unit="units", baseline_label="half the work")
        result.ratio_at_most(5)
        result.check("the sums are right", work == 199_999 * 100_000)
        result.finish()
    """))
    assert run(tmp_path).returncode == 0
    lowered = run(tmp_path, "--budget-scale", "0.1")
    assert lowered.returncode == 1
    assert table_row(lowered.stdout, "bench_counted").split()[-1] == "FAIL"


def test_a_script_without_a_result_or_that_crashes_fails(tmp_path):
    (tmp_path / "bench_silent.py").write_text('print("a timestamp: 2026-12-04T04:00:00")\n')
    (tmp_path / "bench_crash.py").write_text('raise SystemExit("no database")\n')
    done = run(tmp_path)
    assert done.returncode == 1
    assert table_row(done.stdout, "bench_silent").split()[-1] == "FAIL"
    assert table_row(done.stdout, "bench_crash").split()[-1] == "FAIL"
    assert "no BENCH-RESULT line" in done.stdout


def test_a_script_without_a_budget_fails(tmp_path):
    (tmp_path / "bench_unbudgeted.py").write_text(textwrap.dedent("""
        from _contract import Result
        result = Result("bench_unbudgeted", "no budget")
        result.measured(figure=1, baseline=1, unit="ms", baseline_label="same")
        result.check("right", True)
        result.finish()
    """))
    done = run(tmp_path)
    assert done.returncode == 1
    assert "a budget stated" in done.stdout


def test_every_real_benchmark_uses_the_contract():
    scripts = sorted((ROOT / "bench").glob("bench_*.py"))
    assert len(scripts) >= 10
    for script in scripts:
        text = script.read_text()
        assert "from _contract import" in text, script.name
        assert ".finish()" in text and ".measured(" in text, script.name
        assert "isoformat()" not in text, script.name  # no timestamp printed as a result
