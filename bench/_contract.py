"""The contract every bench/bench_*.py follows (issue 14), in one place (a helper module, not a
benchmark: the runner runs only bench_*.py).

A benchmark measures its figure and a baseline in the same run (so a busy moment on this shared
box weighs on both), checks the figure against its budget — a ratio to the baseline, or an
absolute limit where the requirement itself is absolute (a statute's time limit, an issue's
stated goal) — and checks that what it measured is correct (the fast path gives the same
answer as the baseline, nothing counted twice, …). It prints a human summary and one machine
line, `BENCH-RESULT {json}`, which bench/run.py reads, and exits 1 when a budget is missed or a
check fails. Timestamps are never results.

Sizes: BENCH_SIZE=quick (what `make bench` sets: every script small enough that the whole set
finishes in a few minutes) or full (the default when a script is run by hand: the sizes the
README quotes). BENCH_BUDGET_SCALE multiplies every budget (tests of the runner use a tiny scale
to show a real benchmark failing; 1 otherwise).

    result = Result("bench_notice", "acceptance notice PDF, warm")
    result.measured(figure=105.0, baseline=13.6, unit="ms", baseline_label="one-line PDF")
    result.ratio_at_most(12)                       # figure / baseline
    result.at_most(150, why="issue 14's stated budget for the notice")
    result.check("every kind renders a PDF", ok)
    result.finish()                                # prints, exits 0 or 1
"""

import json
import os
import shutil
import statistics
import sys
import time

SIZE = os.environ.get("BENCH_SIZE", "full")
if SIZE not in ("quick", "full"):
    sys.exit(f"BENCH_SIZE must be quick or full, not {SIZE!r}")
QUICK = SIZE == "quick"
BUDGET_SCALE = float(os.environ.get("BENCH_BUDGET_SCALE", "1"))
MARKER = "BENCH-RESULT "


def sized(*, full, quick, env=None):
    """The size of this run: an explicit environment variable `env` wins, then the set's size."""
    if env and os.environ.get(env):
        return type(full)(os.environ[env])
    return quick if QUICK else full


def sqlite_url(workdir):
    """A SQLite file in `workdir` for a script's own data: a copy of the runner's migrated template
    (BENCH_SQLITE_TEMPLATE, made once per run by bench/run.py) when there is one, else empty (the
    script's migrate then builds the schema)."""
    path = os.path.join(workdir, "bench.sqlite3")
    template = os.environ.get("BENCH_SQLITE_TEMPLATE")
    if template and os.path.exists(template):
        shutil.copyfile(template, path)
    return f"sqlite:///{path}"


def create_database_sql(name):
    """CREATE DATABASE for a script's own PostgreSQL database: from the runner's migrated template
    (BENCH_PG_TEMPLATE) when there is one, so the script's migrate has nothing left to do."""
    template = os.environ.get("BENCH_PG_TEMPLATE")
    return f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")


def elapsed_ms(fn):
    """(milliseconds, result) of one call."""
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def median_ms(fn, runs, *, warm=True):
    """Median milliseconds of `runs` calls, after one warm-up call unless warm is false."""
    if warm:
        fn()
    return statistics.median(elapsed_ms(fn)[0] for _ in range(runs))


def alternating_ms(first, second, runs, *, warm=True):
    """Medians of two functions timed in alternation (a busy moment weighs on both)."""
    if warm:
        first()
        second()
    a, b = [], []
    for _ in range(runs):
        a.append(elapsed_ms(first)[0])
        b.append(elapsed_ms(second)[0])
    return statistics.median(a), statistics.median(b)


class Result:
    def __init__(self, name, what):
        self.name, self.what = name, what
        self.figure = self.baseline = None
        self.unit, self.baseline_label = "", ""
        self.budgets = []  # (text, ok)
        self.checks = []  # (text, ok)

    def measured(self, *, figure, baseline, unit, baseline_label):
        """The figure and its same-run baseline, both in `unit` (lower is better)."""
        if figure is None or baseline is None or baseline <= 0:
            raise ValueError("a benchmark needs a figure and a positive baseline from the same run")
        self.figure, self.baseline = float(figure), float(baseline)
        self.unit, self.baseline_label = unit, baseline_label
        print(f"figure: {self.what}: {self.figure:.2f} {unit}", flush=True)
        print(f"baseline (same run): {baseline_label}: {self.baseline:.2f} {unit}", flush=True)

    @property
    def ratio(self):
        return self.figure / self.baseline

    def ratio_at_most(self, limit):
        limit *= BUDGET_SCALE
        self.budgets.append((f"figure/baseline {self.ratio:.3g} ≤ {limit:.3g}", self.ratio <= limit))

    def at_most(self, limit, *, why):
        limit *= BUDGET_SCALE
        self.budgets.append((f"{self.figure:.3g} {self.unit} ≤ {limit:.3g} {self.unit} ({why})",
                             self.figure <= limit))

    def value_at_most(self, label, value, limit, unit, *, why):
        """A second budgeted quantity besides the figure (e.g. a PDF's size)."""
        limit *= BUDGET_SCALE
        self.budgets.append((f"{label} {value:.3g} {unit} ≤ {limit:.3g} {unit} ({why})", value <= limit))

    def check(self, text, ok):
        self.checks.append((text, bool(ok)))
        return bool(ok)

    @property
    def ok(self):
        return (self.figure is not None and bool(self.budgets) and bool(self.checks)
                and all(ok for _t, ok in self.budgets + self.checks))

    def finish(self):
        """Print the verdict and the machine line; exit 1 unless every budget and check holds."""
        if self.figure is None:
            self.checks.append(("figure and baseline measured", False))
        if not self.budgets:
            self.budgets.append(("a budget stated", False))
        if not self.checks:
            self.checks.append(("a correctness check stated", False))
        for kind, rows in (("budget", self.budgets), ("check", self.checks)):
            for text, ok in rows:
                print(f"{kind} {'OK  ' if ok else 'FAIL'} {text}", flush=True)
        print(MARKER + json.dumps({
            "name": self.name, "what": self.what, "size": SIZE, "unit": self.unit,
            "figure": self.figure, "baseline": self.baseline, "baseline_label": self.baseline_label,
            "ratio": self.ratio if self.figure is not None else None,
            "budgets": [{"text": t, "ok": ok} for t, ok in self.budgets],
            "checks": [{"text": t, "ok": ok} for t, ok in self.checks],
            "ok": self.ok,
        }, ensure_ascii=False), flush=True)
        sys.exit(0 if self.ok else 1)
