"""Deployment files, checked without Docker or a cluster: compose structure,
Kubernetes schemas (kubernetes-validate), the systemd unit, and the TOML the
deployments ship must load as Tocsin settings."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tocsin.settings import load_settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S_VERSION = "1.33"
# Role -> the tocsin command line; webhooks are delivered by the deliver role alone.
ROLES = {"poller": ["poll"], "worker": ["worker", "--no-deliver"], "deliver": ["deliver"]}


def k8s_documents() -> list[dict[str, Any]]:
    return [
        doc
        for path in sorted((DEPLOY / "k8s").glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for doc in yaml.safe_load_all(path.read_text())
    ]


def by_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in k8s_documents() if d["kind"] == kind}


def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_kubernetes_manifests_match_the_api_schemas() -> None:
    for doc in k8s_documents():
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_the_schema_check_catches_a_mistake() -> None:
    broken = yaml.safe_load((DEPLOY / "k8s" / "poller.yaml").read_text())
    broken["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"]["paht"] = "/healthz"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)


def test_kustomization_lists_every_manifest() -> None:
    listed = set(yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text())["resources"])
    assert listed == {p.name for p in (DEPLOY / "k8s").glob("*.yaml")} - {"kustomization.yaml"}


def test_every_role_has_probes_resources_config_and_secrets() -> None:
    deployments = by_kind("Deployment")
    assert set(deployments) == {f"tocsin-{role}" for role in ROLES}
    for role, command in ROLES.items():
        pod = deployments[f"tocsin-{role}"]["spec"]["template"]["spec"]
        container = pod["containers"][0]
        assert container["args"] == command
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert {"requests", "limits"} <= set(container["resources"])
        assert pod["securityContext"]["runAsNonRoot"] is True
        volumes = {v["name"]: v for v in pod["volumes"]}
        assert volumes["config"]["configMap"]["name"] in by_kind("ConfigMap")
        assert volumes["webhook-secrets"]["secret"]["secretName"] in by_kind("Secret")


def test_pollers_and_workers_scale_horizontally() -> None:
    targets = {h["spec"]["scaleTargetRef"]["name"] for h in by_kind("HorizontalPodAutoscaler").values()}
    assert targets == {"tocsin-poller", "tocsin-worker"}


def test_configmap_toml_loads_with_the_secret_mounted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _clear_tocsin_env(monkeypatch)
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    for name, value in next(iter(by_kind("Secret").values()))["stringData"].items():
        (secrets / name).write_text(value)
    toml = next(iter(by_kind("ConfigMap").values()))["data"]["tocsin.toml"].replace("/run/secrets/tocsin", str(secrets))
    settings = load_settings(_write(tmp_path / "tocsin.toml", toml))
    assert settings.webhooks.endpoints and settings.kafka.bootstrap_servers


def test_compose_has_every_service_and_a_kraft_kafka() -> None:
    services = compose()["services"]
    assert {"kafka", "poller", "worker", "deliver", "prometheus", "grafana"} <= set(services)
    kafka = services["kafka"]
    assert re.fullmatch(r"apache/kafka:4\.0\.\d+", kafka["image"])
    assert "controller" in kafka["environment"]["KAFKA_PROCESS_ROLES"]
    for service, command in ROLES.items():
        tocsin = services[service]
        assert tocsin["command"] == command
        assert tocsin["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
        assert tocsin["depends_on"]["kafka"]["condition"] == "service_healthy"
        assert tocsin["environment"]["TOCSIN_KAFKA__BOOTSTRAP_SERVERS"] == "kafka:9092"


def test_compose_mounts_exist_and_prometheus_scrapes_every_role() -> None:
    services = compose()["services"]
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).exists(), volume
    scraped = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())["scrape_configs"]
    names = {n for job in scraped for sd in job.get("dns_sd_configs", []) for n in sd["names"]}
    assert names == set(ROLES)


def test_compose_tocsin_config_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _clear_tocsin_env(monkeypatch)
    content = compose()["configs"]["tocsin-config"]["content"]
    # What `docker compose` interpolates: ${VAR:-default} → default.
    toml = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", content)
    monkeypatch.setenv("TOCSIN_KAFKA__BOOTSTRAP_SERVERS", "kafka:9092")
    settings = load_settings(_write(tmp_path / "tocsin.toml", toml))
    assert settings.webhooks.endpoints[0].name == "receiver"


def test_dockerfile_is_multi_stage_slim_and_non_root() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    bases = re.findall(r"^FROM (\S+)", dockerfile, re.MULTILINE)
    assert len(bases) >= 2 and all("slim" in b for b in bases)
    user = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert user and not user[-1].startswith(("0", "root"))
    # The build context is the repository root; everything it copies must exist there.
    for source in re.findall(r"^COPY (?!--from)(.+) \S+$", dockerfile, re.MULTILINE):
        for path in source.split():
            assert (DEPLOY.parent / path).exists(), path


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_unit_verifies(tmp_path: Path) -> None:
    unit = tmp_path / "tocsin@run.service"
    unit.write_text((DEPLOY / "systemd" / "tocsin@.service").read_text())
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, cwd=tmp_path)
    # The one complaint allowed: the virtualenv is not installed on this machine.
    problems = [
        line for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and "/opt/tocsin/bin/tocsin is not executable" not in line
    ]
    assert not problems, problems


def _clear_tocsin_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in [k for k in os.environ if k.startswith("TOCSIN_")]:
        monkeypatch.delenv(key)


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path
