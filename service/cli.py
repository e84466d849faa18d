"""Command line: summarise files, folders, stdin or JSON Lines, in process or via a server.

    python -m service summarize PATH… [-o OUT.jsonl] [--url URL] [--length short|medium|long] …

PATH is a text or HTML file, a folder (its .txt, .html, .htm, .md and .jsonl files), a
JSON Lines file (one {"id", "text"} object a line; "article" or "html" instead of "text"),
or "-" for stdin. Output is JSON Lines, one {"id", "summary", …} object per article, to
stdout or -o FILE. Exit codes: 0 all summarised, 1 some articles failed, 2 bad usage or
unreadable input, 3 the model or the server is unavailable."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator, TextIO

from tqdm import tqdm

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_UNAVAILABLE = 0, 1, 2, 3
SUFFIXES = {".txt", ".text", ".md", ".html", ".htm", ".jsonl"}


class InputError(Exception):
    pass


def _items_from_jsonl(lines: Iterator[str], origin: str) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{origin}:{number}: not JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise InputError(f"{origin}:{number}: expected a JSON object")
        item: dict[str, Any] = {"id": str(row.get("id", f"{origin}:{number}"))}
        if row.get("html") is not None:
            item["html"] = row["html"]
        else:
            item["text"] = row.get("text", row.get("article"))
        yield item


def _items_from_path(path: str, stdin: TextIO) -> Iterator[dict[str, Any]]:
    if path == "-":
        data = stdin.read()
        if data.lstrip().startswith("{"):
            yield from _items_from_jsonl(iter(data.splitlines()), "-")
        else:
            yield {"id": "-", "text": data}
        return
    target = Path(path)
    if target.is_dir():
        files = sorted(p for p in target.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    elif target.is_file():
        files = [target]
    else:
        raise InputError(f"{path}: no such file or folder")
    for file in files:
        try:
            content = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{file}: cannot read ({exc})") from exc
        if file.suffix.lower() == ".jsonl":
            yield from _items_from_jsonl(iter(content.splitlines()), str(file))
        elif file.suffix.lower() in (".html", ".htm"):
            yield {"id": str(file), "html": content}
        else:
            yield {"id": str(file), "text": content}


def _options(args: argparse.Namespace) -> dict[str, Any]:
    options = {"length": args.length, "max_sentences": args.max_sentences, "max_words": args.max_words,
               "max_chars": args.max_chars, "format": args.format}
    return {k: v for k, v in options.items() if v is not None}


def _output_row(item_id: str, body: dict[str, Any]) -> dict[str, Any]:
    keep = ("summary", "sentences", "model", "input")
    return {"id": item_id, **{k: body[k] for k in keep if k in body}}


class InProcess:
    """Summarise with a model loaded here, in batches through the engine."""

    def __init__(self, model: str | None) -> None:
        from service.config import Settings
        from service.engines.registry import load_engine

        settings = Settings.from_env()
        self.engine = load_engine(replace(settings, model=model) if model else settings)

    def run(self, items: list[dict[str, Any]], options: dict[str, Any]) -> list[dict[str, Any]]:
        from pydantic import ValidationError

        from service.errors import ProblemError, validation_problem
        from service.pipeline import check_options, prepare, render, run_engine
        from service.schemas import SummarizeRequest

        rows: list[dict[str, Any] | None] = [None] * len(items)
        ready = []
        for i, item in enumerate(items):
            try:
                request = SummarizeRequest.model_validate({k: v for k, v in item.items() if k != "id"} | options)
                check_options(request, self.engine)
                ready.append((i, prepare(request)))
            except ValidationError as exc:
                rows[i] = {"id": item["id"], "error": _problem_dict(validation_problem(exc))}
            except ProblemError as problem:
                rows[i] = {"id": item["id"], "error": _problem_dict(problem)}
        try:
            results = run_engine(self.engine, [p for _, p in ready]) if ready else []
            pairs = list(zip(ready, results))
        except ProblemError:  # one article over the limit with overflow=error: go one by one
            pairs = []
            for i, prepared in ready:
                try:
                    pairs.append(((i, prepared), run_engine(self.engine, [prepared])[0]))
                except ProblemError as problem:
                    rows[i] = {"id": items[i]["id"], "error": _problem_dict(problem)}
        for (i, prepared), result in pairs:
            body = render(prepared, result, self.engine, 0.0, items[i]["id"]).model_dump(mode="json", exclude_none=True)
            rows[i] = _output_row(items[i]["id"], body)
        return [row for row in rows if row is not None]


class Remote:
    """Summarise through a running server, with the Python client (retries included)."""

    def __init__(self, url: str, api_key: str | None) -> None:
        from service.client import PrecisClient

        self.client = PrecisClient(url, api_key=api_key)

    def run(self, items: list[dict[str, Any]], options: dict[str, Any]) -> list[dict[str, Any]]:
        results = self.client.summarize_batch([item | options for item in items])
        return [_output_row(r["id"], r["result"]) if r["status"] == 200 else {"id": r["id"], "error": r["error"]}
                for r in results]


def _problem_dict(problem: Any) -> dict[str, Any]:
    return {"status": problem.status, "title": problem.title, "detail": problem.detail}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m service", description="Précis command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("summarize", help="summarise articles", description=__doc__.split("\n\n")[1])
    run.add_argument("paths", nargs="+", metavar="PATH", help="files, folders, JSON Lines, or - for stdin")
    run.add_argument("-o", "--output", type=Path, help="write JSON Lines here (default: stdout)")
    run.add_argument("--url", help="summarise via this server instead of in process")
    run.add_argument("--api-key", help="API key for --url (default: $PRECIS_API_KEY)")
    run.add_argument("--model", help="in process: a SUMMARIZER_MODEL value (default: the embedded model)")
    length = run.add_mutually_exclusive_group()
    length.add_argument("--length", choices=["short", "medium", "long"])
    length.add_argument("--max-sentences", type=int)
    length.add_argument("--max-words", type=int)
    length.add_argument("--max-chars", type=int)
    run.add_argument("--format", choices=["paragraph", "bullets"])
    run.add_argument("--batch-size", type=int, default=16, help="articles per engine call or request")
    run.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    return parser


def main(argv: list[str] | None = None, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    import os

    args = build_parser().parse_args(argv)
    try:
        items = [item for path in args.paths for item in _items_from_path(path, stdin)]
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not items:
        print("error: no articles found", file=sys.stderr)
        return EXIT_USAGE
    try:
        runner: InProcess | Remote = (Remote(args.url, args.api_key or os.environ.get("PRECIS_API_KEY"))
                                      if args.url else InProcess(args.model))
    except Exception as exc:  # noqa: BLE001 - any failure to load the model is "unavailable"
        print(f"error: the model is unavailable: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    out = args.output.open("w", encoding="utf-8") if args.output else stdout
    failed = 0
    try:
        with tqdm(total=len(items), unit="article", disable=args.no_progress, file=sys.stderr) as progress:
            for begin in range(0, len(items), max(1, args.batch_size)):
                chunk = items[begin : begin + args.batch_size]
                try:
                    rows = runner.run(chunk, _options(args))
                except Exception as exc:  # noqa: BLE001 - a server that went away
                    print(f"error: {exc}", file=sys.stderr)
                    return EXIT_UNAVAILABLE
                for row in rows:
                    failed += "error" in row
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
                out.flush()
                progress.update(len(chunk))
    finally:
        if args.output:
            out.close()
    if failed:
        print(f"{failed} of {len(items)} articles failed", file=sys.stderr)
    return EXIT_SOME_FAILED if failed else EXIT_OK
