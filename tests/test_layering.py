"""The project's imports: no circle inside an app, nothing imported against the chain.

The chain and the sub-package orders are read from docs/decisions.md, so the page that states
the order is the one the test holds the code to.
"""

import textwrap

import pytest

from tests.layering import ROOT, circles, stated_chain, stated_sub_orders, upward, walk

DECISIONS = (ROOT / "docs" / "decisions.md").read_text(encoding="utf-8")
CHAIN = stated_chain(DECISIONS)
BELOW_ALL = ("core",)

# Circles known today and being removed on another branch; each names who removes it. A pending
# app whose circle is gone passes too: delete its line then.
PENDING: dict[str, str] = {}


@pytest.fixture(scope="module")
def graph():
    return walk(ROOT, (*BELOW_ALL, *CHAIN))


def test_every_app_is_on_the_chain():
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")}
    assert apps == set(CHAIN) | set(BELOW_ALL)


def test_no_circle_inside_any_app(graph):
    found = [c for c in circles(graph) if c[0].split(".")[0] not in PENDING]
    assert found == [], "modules importing each other in a circle: " + "; ".join(" ↔ ".join(c) for c in found)


def test_no_import_against_the_chain(graph):
    bad = upward(graph, CHAIN, BELOW_ALL, stated_sub_orders(DECISIONS))
    assert bad == [], "imports against the chain: " + "; ".join(f"{a} → {b}" for a, b in bad)


# The checks themselves, on circles and upward imports added on purpose.


def test_a_circle_added_to_the_project_is_found(graph):
    bent = {name: set(targets) for name, targets in graph.items()}
    assert "accounts.models" in bent["accounts.views"]
    bent["accounts.models"].add("accounts.views")
    assert ["accounts.models", "accounts.views"] in [
        [m for m in c if m in ("accounts.models", "accounts.views")] for c in circles(bent)
    ]


def test_an_upward_import_added_to_the_project_is_found(graph):
    bent = {name: set(targets) for name, targets in graph.items()}
    bent["workflow.models"].add("windows.models")
    bent["core.errors"].add("accounts.models")
    assert upward(bent, CHAIN, BELOW_ALL) == [
        ("core.errors", "accounts.models"),
        ("workflow.models", "windows.models"),
    ]


def _package(tmp_path, files: dict[str, str]):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def test_the_walker_reads_a_circle_through_a_deferred_relative_import(tmp_path):
    root = _package(
        tmp_path,
        {
            "low/__init__.py": "",
            "low/a.py": "from .b import thing\n",
            "low/b.py": """
                def thing():
                    from . import c
                    return c
            """,
            "low/c.py": "import low.a\n",
            "low/d.py": "from low import a\n",
            "low/migrations/0001_initial.py": "from low import d\n",
            "high/__init__.py": "",
            "high/x.py": "from low.a import thing\n",
        },
    )
    graph = walk(root, ["low", "high"])
    assert graph["low.b"] == {"low.c"}
    assert graph["high.x"] == {"low.a"}
    assert "low.migrations.0001_initial" not in graph
    assert circles(graph) == [["low.a", "low.b", "low.c"]]
    assert upward(graph, ["low", "high"], ()) == []
    assert upward(graph, ["high", "low"], ()) == [("high.x", "low.a")]


def test_sub_packages_follow_their_stated_order(tmp_path):
    root = _package(
        tmp_path,
        {
            "big/__init__.py": "",
            "big/models.py": "from .one.models import A\nfrom .two.models import B\n",
            "big/one/__init__.py": "",
            "big/one/models.py": "",
            "big/one/services.py": "from ..two import services\n",
            "big/two/__init__.py": "",
            "big/two/models.py": "from big.one.models import A\n",
            "big/two/services.py": "from big.models import B\n",
        },
    )
    graph = walk(root, ["big"])
    orders = stated_sub_orders("big sub-packages, bottom up: `one` ← `two`\n")
    assert orders == {"big": ["one", "two"]}
    assert circles(graph) == []
    assert upward(graph, ["big"], (), orders) == [
        ("big.one.services", "big.two.services"),
        ("big.two.services", "big.models"),
    ]
