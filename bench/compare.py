"""This tree against an earlier commit, side by side in one run: the engine's model pass
(bench.engine_speed in each tree) and served throughput (gunicorn from each tree, the same
distinct dev articles, alternating runs, cache off). Ratios only: the machine is shared.

    python -m bench.compare --base 713211b [--count 200] [--concurrency 16] [--rounds 2]

The earlier commit is checked out into a temporary git worktree that borrows this tree's
prepared models and virtualenv. Traffic goes to 127.0.0.1 only; every run is bounded."""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from bench.common import REPO_ROOT, load_articles, machine
from bench.load import drive
from bench.server import free_port


def _worktree(base: str, folder: Path) -> Path:
    tree = folder / "base"
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(tree), base], cwd=REPO_ROOT, check=True, capture_output=True
    )
    (tree / "models" / "embedded").symlink_to(REPO_ROOT / "models" / "embedded")
    (folder / "shared").symlink_to(REPO_ROOT.parent / "shared")  # the dev articles, where each tree looks
    return tree


def _engine_seconds(tree: Path, articles: int) -> float:
    """Seconds per article of the embedded engine alone (batches of 8), run in `tree`."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.engine_speed",
            "--models",
            "embedded",
            "--articles",
            str(articles),
            "--batch-sizes",
            "8",
        ],
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(re.findall(r"\| 8 \| ([0-9.]+) \|", out.stdout)[-1])


def _serve(tree: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "CACHE_MAX_BYTES": "0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "docker/gunicorn.conf.py"],
        cwd=tree,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/readyz", timeout=2).status_code == 200:
                return process, url
        except requests.RequestException:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"{tree} did not become ready:\n{log.read_text(errors='replace')[-2000:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the commit to compare with")
    parser.add_argument("--count", type=int, default=200, help="distinct dev articles per served run")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2, help="alternating runs of each tree")
    parser.add_argument("--engine-articles", type=int, default=50)
    args = parser.parse_args(argv)

    payloads = [{"text": row["article"]} for row in load_articles(limit=args.count)]
    trees = {"this tree": REPO_ROOT}
    with tempfile.TemporaryDirectory() as folder:
        trees[args.base] = _worktree(args.base, Path(folder))
        try:
            engine = {name: [] for name in trees}
            served = {name: [] for name in trees}
            for _ in range(args.rounds):
                for name, tree in trees.items():
                    engine[name].append(_engine_seconds(tree, args.engine_articles))
            # Both servers up at once (an idle one costs no CPU), driven in turn.
            servers = {
                name: _serve(tree, Path(folder) / f"{name.replace(' ', '-')}.log") for name, tree in trees.items()
            }
            try:
                for name, (_, url) in servers.items():
                    drive(url, payloads[:16], args.concurrency, name)  # warm-up
                for _ in range(args.rounds):
                    for name, (_, url) in servers.items():
                        served[name].append(drive(url, payloads, args.concurrency, name).throughput)
            finally:
                for process, _ in servers.values():
                    process.terminate()
                    process.wait(60)
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(trees[args.base])], cwd=REPO_ROOT, capture_output=True
            )
    base, here = args.base, "this tree"
    print(f"Machine: {machine()}; {args.count} dev articles at concurrency {args.concurrency}, cache off\n")
    print("| measure | this tree | " + base + " | ratio (this / base) |\n| --- | ---: | ---: | ---: |")
    e_here, e_base = statistics.median(engine[here]), statistics.median(engine[base])
    print(
        f"| model pass, s / article (median of {args.rounds}) | {e_here:.4f} | {e_base:.4f} | "
        f"{e_base / e_here:.3f}× speed |"
    )
    s_here, s_base = statistics.median(served[here]), statistics.median(served[base])
    print(f"| served articles / s (median of {args.rounds}) | {s_here:.2f} | {s_base:.2f} | {s_here / s_base:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
