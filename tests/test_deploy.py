"""deploy/kubernetes: every manifest passes kubernetes-validate (strict: no unknown fields),
the kustomization names them all, and the API's shutdown outlasts its drain."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.server import REPO_ROOT
from service.config import Settings

DEPLOY = REPO_ROOT / "deploy" / "kubernetes"
MANIFESTS = sorted(p for p in DEPLOY.glob("*.yaml") if p.name != "kustomization.yaml")


def _documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def _resources() -> dict[tuple[str, str], dict[str, Any]]:
    return {(doc["kind"], doc["metadata"]["name"]): doc for path in MANIFESTS for doc in _documents(path)}


@pytest.mark.parametrize("manifest", MANIFESTS, ids=lambda p: p.name)
def test_kubernetes_validate_strict(manifest: Path) -> None:
    cli = Path(sys.executable).with_name("kubernetes-validate")
    result = subprocess.run(
        [str(cli), "--strict", "--quiet", str(manifest)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_kustomization_names_every_manifest() -> None:
    kustomization = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == [p.name for p in MANIFESTS]


def test_api_deployment_drains_before_it_stops() -> None:
    resources = _resources()
    api = resources[("Deployment", "precis-api")]["spec"]["template"]["spec"]
    container = api["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    drain = int(container["lifecycle"]["preStop"]["exec"]["command"][-1])
    config = resources[("ConfigMap", "precis-config")]["data"]
    graceful = int(config.get("GRACEFUL_TIMEOUT", Settings().graceful_timeout))
    assert api["terminationGracePeriodSeconds"] > drain + graceful
    # Keys come from the Secret, settings from the ConfigMap; every setting is a real one.
    assert {"REDIS_URL", "api-keys"} <= resources[("Secret", "precis-secrets")]["stringData"].keys()
    fields = {name.upper() for name in Settings.model_fields} | {"SUMMARIZER_MODEL"}
    assert set(config) <= fields, set(config) - fields
    for kind in ("HorizontalPodAutoscaler", "PodDisruptionBudget", "Service"):
        assert (kind, "precis-api") in resources
    assert ("Deployment", "precis-worker") in resources and ("StatefulSet", "precis-redis") in resources
