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
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO, get_args

from tqdm import tqdm

from service.config import Settings, configure_torch
from service.editorial.purposes import describe
from service.engines.base import Purpose
from service.schemas import LanguageMode, Layout, Length, SummaryOut

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_UNAVAILABLE = 0, 1, 2, 3
IN_PROCESS = "in-process"  # the request id of an in-process run's problems
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
    options = {
        "length": args.length,
        "max_sentences": args.max_sentences,
        "max_words": args.max_words,
        "max_chars": args.max_chars,
        "format": args.format,
        "focus": args.focus,
        "purpose": args.purpose,
        "language": args.language,
    }
    return {k: v for k, v in options.items() if v is not None}


def _output_row(result: dict[str, Any]) -> dict[str, Any]:
    """One item as the batch endpoint, a job's results or the in-process run answer it, as an
    output row: the summary without the request's transport fields, or the item's problem."""
    if result["status"] == 200:
        body = result["result"]
        return {"id": result["id"], **{k: body[k] for k in SummaryOut.model_fields if k in body}}
    return {"id": result["id"], "error": result["error"]}


class InProcess:
    """Summarise with a model loaded here, through the use case (one engine call a chunk)."""

    def __init__(self, settings: Settings) -> None:
        from service.engines.registry import load_engine
        from service.summarizer import Summarizer

        configure_torch(settings, processes=1)
        self.settings = settings
        self.summarizer = Summarizer(load_engine(settings))

    def run(self, items: list[dict[str, Any]], options: dict[str, Any]) -> list[dict[str, Any]]:
        from service.errors import item_result
        from service.inputs import parse_item

        parsed = [parse_item(item, i, self.settings, defaults=options) for i, item in enumerate(items)]
        outcomes = self.summarizer.summarize_many([request for _, request in parsed])
        return [
            _output_row(item_result(item_id, outcome, IN_PROCESS))
            for (item_id, _), outcome in zip(parsed, outcomes, strict=True)
        ]


class Remote:
    """Summarise through a running server, with the Python client (retries included)."""

    def __init__(self, url: str, api_key: str | None) -> None:
        from service.client import PrecisClient

        self.client = PrecisClient(url, api_key=api_key)

    def run(self, items: list[dict[str, Any]], options: dict[str, Any]) -> list[dict[str, Any]]:
        results = self.client.summarize_batch([options | item for item in items])
        return [_output_row(r) for r in results]


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
    length.add_argument("--length", choices=get_args(Length))
    length.add_argument("--max-sentences", type=int)
    length.add_argument("--max-words", type=int)
    length.add_argument("--max-chars", type=int)
    run.add_argument("--format", choices=get_args(Layout))
    run.add_argument("--focus", metavar="TEXT", help="what the summaries should be about (up to 200 characters)")
    run.add_argument("--purpose", choices=get_args(Purpose), help=describe(quote=""))
    run.add_argument(
        "--language",
        choices=get_args(LanguageMode),
        help="auto (default): refuse articles in a language the model does not support; force: summarise",
    )
    run.add_argument("--batch-size", type=int, default=16, help="articles per engine call or request")
    run.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    run.add_argument(
        "--job",
        action="store_true",
        help="with --url: submit all the articles as one archive job (/v1/jobs), wait, write its results",
    )
    commands.add_parser("settings", help="print the settings table (Markdown) that the README carries")
    from service import calibration

    calibration.add_arguments(commands.add_parser("calibrate", help="fit a house-style ranker profile"))
    return parser


def _shown_default(name: str, default: Any) -> str:
    if name == "model_store":
        return "`models/`"
    if default is None or default in ("", ()):
        return "unset"
    if isinstance(default, bool):
        return "`on`" if default else "`off`"
    return f"`{' '.join(map(str, default)) if isinstance(default, tuple) else default}`"


def settings_table() -> str:
    """Every setting as a Markdown table: environment variable, default, meaning."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        aliases = getattr(field.validation_alias, "choices", None) or [name]
        variable = str(aliases[0]).upper()
        rows.append(f"| `{variable}` | {_shown_default(name, field.default)} | {field.description} |")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    if args.command == "settings":
        stdout.write(settings_table())
        return EXIT_OK
    if args.command == "calibrate":
        from service import calibration

        return calibration.run(args)
    return summarize(args, settings, stdin, stdout)


def summarize(args: argparse.Namespace, settings: Settings, stdin: TextIO, stdout: TextIO) -> int:
    try:
        items = [item for path in args.paths for item in _items_from_path(path, stdin)]
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not items:
        print("error: no articles found", file=sys.stderr)
        return EXIT_USAGE
    if args.job:
        return summarize_job(args, settings, items, stdout)
    try:
        runner: InProcess | Remote = (
            Remote(args.url, args.api_key or settings.precis_api_key or None)
            if args.url
            else InProcess(settings.model_copy(update={"model": args.model}) if args.model else settings)
        )
    except Exception as exc:  # any failure to load the model is "unavailable"
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
                except Exception as exc:  # a server that went away
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


def summarize_job(args: argparse.Namespace, settings: Settings, items: list[dict[str, Any]], stdout: TextIO) -> int:
    """--job: the articles as one archive job on the server; its results in input order."""
    from service.client import PrecisClient

    if not args.url:
        print("error: --job needs --url (the server that runs the job)", file=sys.stderr)
        return EXIT_USAGE
    client = PrecisClient(args.url, api_key=args.api_key or settings.precis_api_key or None)
    try:
        job = client.submit_job(items, **_options(args))
        with tqdm(total=job["total"], unit="article", disable=args.no_progress, file=sys.stderr) as progress:

            def advance(current: dict[str, Any]) -> None:
                progress.update(current["succeeded"] + current["failed"] - progress.n)

            job = client.wait(job["id"], poll=0.5, on_progress=advance)
        rows = [_output_row(r) for r in client.results(job["id"])]
    except Exception as exc:  # a server that went away, or jobs off there
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    out = args.output.open("w", encoding="utf-8") if args.output else stdout
    try:
        out.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    finally:
        if args.output:
            out.close()
    failed = sum("error" in row for row in rows) + len(items) - len(rows)
    if failed or job["status"] != "succeeded":
        print(
            f"job {job['id']} {job['status']}: {failed} of {len(items)} articles failed or did not run", file=sys.stderr
        )
    return EXIT_SOME_FAILED if failed else EXIT_OK
