"""`touchbase coach`: review an email from a file or stdin, or a batch of JSON lines.

    touchbase coach [FILE|-] [--kind K] [--subject S] [--first-name N] [--json]
    touchbase coach --jsonl < emails.jsonl > reviews.jsonl

A batch line is `{"id", "kind", "subject", "body"}`; each gets one line out,
`{"id", "score", "chars", "countdown", "findings"}`, or for a bad line
`{"id", "error": {"code", "message", "field"}}` while the batch goes on. A
finding is `{"rule", "severity", "field", "start", "end", "message",
"suggestion", "replacement"}`, where `replacement` is `{"start", "end",
"text"}` (code points into the field) or null when the fix is not a rewrite.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import multiprocessing
import multiprocessing.pool
import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from .draft import KINDS
from .review import Review, review

_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


class _Stop(Exception):
    def __init__(self, code: int):
        self.code = code


class _Parser(argparse.ArgumentParser):
    """argparse that reports to the streams `main` was given instead of exiting the process."""

    def __init__(self, *args: Any, stdout: TextIO, stderr: TextIO, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._out, self._err = stdout, stderr

    def print_help(self, file: TextIO | None = None) -> None:
        super().print_help(self._out)

    def exit(self, status: int = 0, message: str | None = None) -> None:
        if message:
            self._err.write(message)
        raise _Stop(status)

    def error(self, message: str) -> None:
        self.print_usage(self._err)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser(stdout: TextIO, stderr: TextIO) -> _Parser:
    parser = _Parser(
        prog="touchbase coach",
        description="Review an email before it goes out: the 400-character countdown and what to fix, span by span.",
        stdout=stdout,
        stderr=stderr,
    )
    parser.add_argument("file", nargs="?", default="-", help="the email body (a file, or - for stdin)")
    parser.add_argument("--kind", default="first_touch", choices=KINDS, help="what the message is")
    parser.add_argument(
        "--subject", default=None, help="the subject line (subject rules are skipped without it)"
    )
    parser.add_argument("--first-name", default="", help="the recipient's first name, for suggestions")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the review as JSON")
    output.add_argument(
        "--jsonl", action="store_true", help="review JSON lines from stdin, one line out per line in"
    )
    return parser


def main(
    argv: list[str] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the coach CLI; returns the exit code (1 when an error-severity finding is left)."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    try:
        args = _parser(stdout, stderr).parse_args(argv)
    except _Stop as stop:
        return stop.code
    if args.jsonl:
        return _batch(stdin if stdin is not None else _stdin_text(), stdout)
    try:
        body = _read_body(args.file, stdin, stderr)
    except OSError as error:
        stderr.write(f"touchbase coach: cannot read {args.file}: {error.strerror or error}\n")
        return 2
    result = review(body, args.subject, args.kind, first_name=args.first_name)
    if args.json:
        json.dump(result.to_dict(), stdout, ensure_ascii=False, indent=2)
        stdout.write("\n")
    else:
        _report(result, body, args.subject, stdout)
    return 1 if any(f.severity == "error" for f in result.findings) else 0


def _stdin_text() -> TextIO:
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:
        return sys.stdin
    return io.TextIOWrapper(buffer, encoding="utf-8", errors="replace")


def _read_body(name: str, stdin: TextIO | None, stderr: TextIO) -> str:
    if name == "-":
        source = stdin if stdin is not None else _stdin_text()
        return source.read()
    with open(name, "rb") as handle:
        data = handle.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        stderr.write(
            f"touchbase coach: {name} is not valid UTF-8 (byte {error.start}); "
            "undecodable bytes are shown as �.\n"
        )
        return data.decode("utf-8", errors="replace")


# A batch is read in chunks of this many lines; past one chunk, the chunks are reviewed on every
# core, at most a few chunks ahead of the output (memory stays flat on a long export).
CHUNK_LINES = 250


def _batch(lines: TextIO, stdout: TextIO, workers: int | None = None) -> int:
    chunks = _chunks(lines, CHUNK_LINES)
    first = next(chunks, None)
    second = next(chunks, None)
    workers = _cores() if workers is None else workers
    if second is None or workers < 2:
        for chunk in itertools.chain([first] if first else [], [second] if second else [], chunks):
            stdout.write(_review_chunk(chunk))
        return 0
    pool = _pool(workers)
    try:
        pending: deque = deque()
        for chunk in itertools.chain([first, second], chunks):
            pending.append(pool.apply_async(_review_chunk, (chunk,)))
            if len(pending) > 2 * workers:
                stdout.write(pending.popleft().get())
        while pending:
            stdout.write(pending.popleft().get())
    except BaseException:
        pool.terminate()
        raise
    else:
        pool.close()  # the workers finish and exit on their own
    finally:
        pool.join()
    return 0


def _chunks(lines: Iterable[str], size: int) -> Iterator[list[tuple[int, str]]]:
    numbered = enumerate(lines, start=1)
    while chunk := list(itertools.islice(numbered, size)):
        yield chunk


def _review_chunk(chunk: list[tuple[int, str]]) -> str:
    """The output lines for a chunk of numbered input lines (blank lines give none)."""
    dumps = json.dumps
    return "".join(
        dumps(_batch_line(number, line), ensure_ascii=False) + "\n" for number, line in chunk if line.strip()
    )


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _pool(workers: int) -> multiprocessing.pool.Pool:
    # Forked workers start with the coach already imported (and, under `touchbase coach`, Django set up).
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return context.Pool(workers, initializer=_worker_signals)


def _worker_signals() -> None:
    # A fork inherits the parent's handlers: one that catches SIGTERM (a server, a worker loop, a test
    # run that started one) would keep Pool.terminate() from stopping the worker, and join() would hang.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops the pool


def _error(id_: Any, number: int, code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"id": id_, "line": number, "error": {"code": code, "message": message, "field": field}}


def _batch_line(number: int, line: str) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except ValueError as error:
        return _error(None, number, "invalid_json", f"line {number} is not JSON: {error}")
    if not isinstance(item, dict):
        return _error(None, number, "invalid_line", f"line {number} must be a JSON object")
    id_ = item.get("id")
    kind = item.get("kind") or "first_touch"
    subject = item.get("subject")
    body = item.get("body")
    if not isinstance(body, str):
        return _error(id_, number, "invalid_field", "body must be a string", "body")
    if subject is not None and not isinstance(subject, str):
        return _error(id_, number, "invalid_field", "subject must be a string or null", "subject")
    if kind not in KINDS:
        return _error(id_, number, "unknown_kind", f"kind must be one of {', '.join(KINDS)}", "kind")
    result = review(body, subject, kind, first_name=str(item.get("first_name") or ""))
    data = result.to_dict()
    return {
        "id": id_,
        "score": data["score"],
        "chars": data["chars"],
        "countdown": data["countdown"],
        "findings": data["findings"],
    }


def _report(result: Review, body: str, subject: str | None, stdout: TextIO) -> None:
    try:
        from rich.console import Console
        from rich.markup import escape
    except ImportError:  # rich is optional: plain text says the same
        console, escape = None, None
    else:
        console = Console(file=stdout, highlight=False, soft_wrap=True)

    def say(text: str, style: str = "") -> None:
        if console is None:
            stdout.write(text + "\n")
        else:
            console.print(f"[{style}]{escape(text)}[/]" if style else escape(text))

    countdown_style = "bold red" if result.countdown < 0 else "green"
    gauges = result.gauges
    say(
        f"Score {result.score}/100 · countdown {result.countdown} ({result.chars} characters) · "
        f"{gauges['words']} words · grade {gauges['grade']} · {gauges['questions']} questions · {gauges['asks']} asks",
        countdown_style,
    )
    if subject is None:
        say("(no --subject given: subject rules skipped)", "dim")
    _report_field(say, "subject", subject or "", result)
    _report_field(say, "body", body, result)
    if not result.findings:
        say("Nothing to fix.", "green")


def _report_field(say, field: str, text: str, result: Review) -> None:
    findings = [f for f in result.findings if f.field == field]
    if not findings:
        return
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    shown: set[int] = set()
    for finding in findings:
        number = max(i for i, start in enumerate(starts) if start <= finding.start)
        if number not in shown:
            shown.add(number)
            label = "subject" if field == "subject" else f"{number + 1:>4}"
            say(f"{label} │ {lines[number]}")
        column = finding.start - starts[number]
        span = text[finding.start : finding.end].replace("\n", " ")
        span = span if len(span) <= 40 else span[:39] + "…"
        # Long lines (a paragraph is one line) would push a caret off the screen: name the span instead.
        pad = " " * column if column <= 80 else ""
        named = "" if span in finding.message else f" “{span}”"
        say(
            f"     │ {pad}^ {finding.severity} {finding.rule}{named}: {finding.message}",
            _SEVERITY_STYLE[finding.severity],
        )
        say(f"     │ {pad}  → {finding.suggestion}", "dim")
