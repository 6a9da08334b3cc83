"""The Grafana dashboard's structure (its queries are evaluated against a live
Prometheus in tests/integration/test_prometheus.py)."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

GRAFANA = Path(__file__).resolve().parents[2] / "deploy" / "grafana"
DASHBOARD = json.loads((GRAFANA / "dashboards" / "tocsin.json").read_text())
BUILTIN_VARIABLES = {"__rate_interval", "__interval", "__range", "__all"}
VARIABLE = re.compile(r"\$\{?(\w+)")


def panels() -> list[dict[str, Any]]:
    return DASHBOARD["panels"]


def test_the_json_is_what_the_generator_writes() -> None:
    spec = importlib.util.spec_from_file_location("grafana_dashboard", GRAFANA / "dashboard.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    assert (GRAFANA / "dashboards" / "tocsin.json").read_text() == module.render(), "run: python deploy/grafana/dashboard.py"


def test_panel_ids_are_unique_and_panels_do_not_overlap() -> None:
    ids = [p["id"] for p in panels()]
    assert len(ids) == len(set(ids))
    cells = set()
    for panel in panels():
        grid = panel["gridPos"]
        assert 0 <= grid["x"] and grid["x"] + grid["w"] <= 24, panel["title"]
        mine = {(x, y) for x in range(grid["x"], grid["x"] + grid["w"]) for y in range(grid["y"], grid["y"] + grid["h"])}
        assert not cells & mine, f"{panel['title']} overlaps another panel"
        cells |= mine


def test_every_query_panel_uses_the_datasource_variable() -> None:
    variables = {v["name"]: v for v in DASHBOARD["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
    queried = [p for p in panels() if p["type"] != "row"]
    assert queried
    for panel in queried:
        assert panel["targets"], panel["title"]
        for source in [panel["datasource"], *(t["datasource"] for t in panel["targets"])]:
            assert source == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        ref_ids = [t["refId"] for t in panel["targets"]]
        assert len(ref_ids) == len(set(ref_ids)), panel["title"]


def test_no_dangling_template_variables() -> None:
    defined = {v["name"] for v in DASHBOARD["templating"]["list"]}
    used = set()
    texts = [t["expr"] for p in panels() for t in p.get("targets", [])]
    texts += [json.dumps(v.get("query", "")) for v in DASHBOARD["templating"]["list"]]
    for text in texts:
        used |= set(VARIABLE.findall(text))
    assert used - BUILTIN_VARIABLES <= defined, f"undefined: {used - BUILTIN_VARIABLES - defined}"
    assert defined - {"datasource"} <= used, f"unused: {defined - used}"


def test_provisioning_points_grafana_at_the_dashboard_and_prometheus() -> None:
    provider = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "tocsin.yml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
    datasource = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())["datasources"][0]
    default = next(v for v in DASHBOARD["templating"]["list"] if v["name"] == "datasource")["current"]["value"]
    assert datasource["type"] == "prometheus" and datasource["uid"] == default
