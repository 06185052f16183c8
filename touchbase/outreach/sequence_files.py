"""Sequences as TOML files that can live in git: `touchbase sequence load FILE.toml` and `export NAME`.

A file holds the sequence's name, the mailbox it sends from (its owner owns the sequence), the send
window, the time-zone policy and the steps. Loading goes through the same services as the web editor
(`sequence_create`, `step_save`), so a file is checked exactly like a step typed on the page: merge
fields, the follow-up's earlier email, and the coach, whose error-severity findings refuse the whole
file here instead of holding the step. One transaction: a file that fails anywhere leaves nothing.

An existing name is updated in place (step rows kept by position, so the outbox's history still points
at them), except that steps cannot change under people who are running through the sequence: the file
is refused and says how many, so nobody gets a step they were never meant to get.

Exporting writes what loading reads; `load(export(s))` is the same sequence (a test holds it to that).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

import tomli_w
from django.core.exceptions import ValidationError
from django.db import transaction

from touchbase.core.calendar import DAY_NAMES, closes_after_opening

from . import services
from .models import RUNNING, FollowUpMode, Mailbox, Sequence, Step, StepKind

# The one policy the worker has: each person's own zone, else their seller's (services.recipient_zone).
TIME_ZONE_POLICIES = {"recipient": "each person's own time zone, else the seller's"}
TOP_KEYS = {"name", "mailbox", "window", "steps", "auto_enroll_key_contacts"}
WINDOW_KEYS = {"start", "end", "days", "time_zone"}
STEP_KEYS = {"kind", "delay_days", "subject", "body", "follow_up"}
STEP_HEADER = re.compile(r"^[ \t]*\[\[\s*steps\s*\]\]", re.MULTILINE)


class SequenceFileError(ValueError):
    """A file that cannot be loaded; the message starts with FILE:LINE where the line is known."""


@dataclass
class StepSpec:
    kind: str
    delay_days: int = 0
    subject: str = ""
    body: str = ""
    follow_up_mode: str = FollowUpMode.FORWARD
    line: int | None = None


@dataclass
class SequenceSpec:
    name: str
    mailbox: Mailbox
    window_start: time
    window_end: time
    window_days: str
    auto_enroll_key_contacts: bool = False
    steps: list[StepSpec] = field(default_factory=list)


@dataclass
class LoadResult:
    sequence: Sequence
    created: bool
    steps_changed: bool


# Reading


def _where(source: str, line: int | None) -> str:
    return f"{source}:{line}" if line else source


def _line_of(text: str, pattern: str) -> int | None:
    m = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _time(value, what: str) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        try:
            return time.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{what} = {value!r} is not a time; write it as \"08:00\".")


def _days(value) -> str:
    if not isinstance(value, list) or not value:
        raise ValueError('window.days lists the weekdays to send on, e.g. ["Mon", "Tue", "Wed", "Thu", "Fri"].')
    numbers = []
    for day in value:
        name = str(day).strip()[:3].capitalize()
        if name not in DAY_NAMES:
            raise ValueError(f"window.days: {day!r} is not a weekday; use Mon, Tue, Wed, Thu, Fri, Sat, Sun.")
        numbers.append(DAY_NAMES.index(name))
    return ",".join(str(n) for n in sorted(set(numbers)))


def parse(text: str, source: str = "<sequence>") -> SequenceSpec:
    """Read and check a file's shape (not yet its templates or the coach: `load` does those)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib says "(at line N, column M)": put the line up front like a compiler would.
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        where = f"{source}:{m.group(1)}:{m.group(2)}" if m else source
        raise SequenceFileError(f"{where}: not valid TOML: {str(exc).split(' (at line')[0]}") from exc
    step_lines = [text.count("\n", 0, m.start()) + 1 for m in STEP_HEADER.finditer(text)]

    def fail(message: str, line: int | None = None):
        raise SequenceFileError(f"{_where(source, line)}: {message}")

    unknown = set(data) - TOP_KEYS
    if unknown:
        key = sorted(unknown)[0]
        fail(f"unknown key {key!r}; a sequence file has {', '.join(sorted(TOP_KEYS))}.",
             _line_of(text, rf"^[ \t]*{re.escape(key)}\s*[=.]"))
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        fail('name = "..." is missing: the sequence needs a name.')
    email = data.get("mailbox")
    if not isinstance(email, str) or not email.strip():
        fail('mailbox = "you@company.com" is missing: the mailbox the sequence sends from.')
    mailbox = Mailbox.objects.filter(email=email.strip().lower()).select_related("owner").first()
    if mailbox is None:
        fail(f"no mailbox {email!r} is connected; add it with touchbase mailbox add.", _line_of(text, r"^[ \t]*mailbox\s*="))
    window = data.get("window", {})
    window_line = _line_of(text, r"^[ \t]*\[\s*window\s*\]")
    if not isinstance(window, dict):
        fail("window is a table: [window] with start, end, days and time_zone.", window_line)
    if set(window) - WINDOW_KEYS:
        fail(f"unknown key window.{sorted(set(window) - WINDOW_KEYS)[0]}; [window] has "
             f"{', '.join(sorted(WINDOW_KEYS))}.", window_line)
    policy = window.get("time_zone", "recipient")
    if policy not in TIME_ZONE_POLICIES:
        fail(f"window.time_zone = {policy!r}: the policy touchbase has is \"recipient\" "
             f"({TIME_ZONE_POLICIES['recipient']}).", window_line)
    try:
        start = _time(window.get("start", "08:00"), "window.start")
        end = _time(window.get("end", "17:00"), "window.end")
        days = _days(window.get("days", ["Mon", "Tue", "Wed", "Thu", "Fri"]))
    except ValueError as exc:
        fail(str(exc), window_line)
    if not closes_after_opening(start, end):
        fail(f"the send window must end after it starts, or at 00:00 for midnight ({start:%H:%M}-{end:%H:%M}).",
             window_line)
    auto = data.get("auto_enroll_key_contacts", False)
    if not isinstance(auto, bool):
        fail("auto_enroll_key_contacts is true or false.", _line_of(text, r"^[ \t]*auto_enroll_key_contacts\s*="))
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        fail("the sequence has no steps: add at least one [[steps]] table.")
    spec = SequenceSpec(name=name.strip(), mailbox=mailbox, window_start=start, window_end=end, window_days=days,
                        auto_enroll_key_contacts=auto)
    for number, raw in enumerate(steps, start=1):
        line = step_lines[number - 1] if number <= len(step_lines) else None
        where = f"step {number}"
        if not isinstance(raw, dict):
            fail(f"{where} is not a table; write it as [[steps]].", line)
        if set(raw) - STEP_KEYS:
            fail(f"{where}: unknown key {sorted(set(raw) - STEP_KEYS)[0]!r}; a step has "
                 f"{', '.join(sorted(STEP_KEYS))}.", line)
        kind = raw.get("kind")
        if kind not in StepKind.values:
            fail(f"{where}: kind = {kind!r} is not a step kind; use one of {', '.join(StepKind.values)}.", line)
        delay = raw.get("delay_days", 0)
        if not isinstance(delay, int) or isinstance(delay, bool) or not 0 <= delay <= 365:
            fail(f"{where}: delay_days = {delay!r}; give whole business days from 0 to 365.", line)
        texts = {k: raw.get(k, "") for k in ("subject", "body")}
        for key, value in texts.items():
            if not isinstance(value, str):
                fail(f"{where}: {key} is text; put it in quotes.", line)
        mode = raw.get("follow_up", FollowUpMode.FORWARD)
        if mode not in FollowUpMode.values:
            fail(f"{where}: follow_up = {mode!r}; use \"forward\" or \"reply\".", line)
        spec.steps.append(StepSpec(kind=kind, delay_days=delay, subject=texts["subject"], body=texts["body"],
                                   follow_up_mode=mode, line=line))
    return spec


# Loading


def _lines(text: str) -> str:
    # A body typed in the browser has CRLF line ends; TOML (and tomli-w) write LF. The same text either way.
    return text.replace("\r\n", "\n")


def _as_written(kind: str, delay_days: int, subject: str, body: str, follow_up_mode: str) -> tuple:
    """What makes two steps the same; the follow-up mode only matters on a follow-up."""
    mode = follow_up_mode if kind == StepKind.FOLLOW_UP else ""
    return (kind, delay_days, subject.strip(), _lines(body), mode)


def _step_problem(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items())
    return " ".join(exc.messages)


def load(text: str, source: str = "<sequence>") -> LoadResult:
    """Create or update the sequence a file describes, all or nothing."""
    spec = parse(text, source)
    owner = spec.mailbox.owner
    with transaction.atomic():
        sequence = Sequence.objects.select_for_update().filter(name=spec.name).first()
        created = sequence is None
        if created:
            try:
                sequence = services.sequence_create(
                    actor=owner, name=spec.name, window_start=spec.window_start, window_end=spec.window_end,
                    window_days=spec.window_days, mailbox=spec.mailbox)
            except ValidationError as exc:
                raise SequenceFileError(f"{source}: {_step_problem(exc)}") from exc
        else:
            if hasattr(sequence, "drip"):
                raise SequenceFileError(f"{source}: “{spec.name}” runs the drip “{sequence.drip}”; drips are "
                                        "changed on their page, not from a file.")
            if sequence.owner_id != owner.pk:
                raise SequenceFileError(f"{source}: “{spec.name}” belongs to {sequence.owner}; the file names "
                                        f"{spec.mailbox.email}, which is {owner}'s.")
            sequence.window_start, sequence.window_end = spec.window_start, spec.window_end
            sequence.window_days, sequence.mailbox = spec.window_days, spec.mailbox
            sequence.save(update_fields=["window_start", "window_end", "window_days", "mailbox", "updated_at"])
        services.sequence_set_auto_enroll(actor=owner, sequence=sequence, on=spec.auto_enroll_key_contacts)
        existing = list(sequence.steps.order_by("position"))
        steps_changed = _steps_differ(existing, spec.steps)
        if steps_changed and not created:
            running = sequence.enrollments.filter(status__in=RUNNING).count()
            if running:
                raise SequenceFileError(
                    f"{source}: {running} {'person is' if running == 1 else 'people are'} running through "
                    f"“{spec.name}”; its steps cannot change under them. Load the file under a new name, or "
                    "stop their runs first. (The window and the other settings may change: only the steps "
                    "differ.)")
        if steps_changed:
            _write_steps(sequence, owner, existing, spec.steps, source)
    return LoadResult(sequence=sequence, created=created, steps_changed=steps_changed)


def _steps_differ(existing: list[Step], wanted: list[StepSpec]) -> bool:
    if len(existing) != len(wanted):
        return True
    for step, spec in zip(existing, wanted, strict=True):
        body = spec.body or (services.FOLLOW_UP_NOTE if spec.kind == StepKind.FOLLOW_UP else "")
        if (_as_written(step.kind, step.delay_days, step.subject, step.body, step.follow_up_mode)
                != _as_written(spec.kind, spec.delay_days, spec.subject, body, spec.follow_up_mode)):
            return True
    return False


def _write_steps(sequence: Sequence, owner, existing: list[Step], wanted: list[StepSpec], source: str) -> None:
    by_position = {s.position: s for s in existing}
    for extra in existing[len(wanted):]:
        if extra.messages.exists():
            raise SequenceFileError(f"{source}: step {extra.position} of “{sequence}” has sent emails, so it "
                                    "cannot be taken out; load the file under a new name instead.")
        extra.delete()
    blocked = []
    for position, spec in enumerate(wanted, start=1):
        where = f"{_where(source, spec.line)}: step {position} ({spec.kind})"
        try:
            step = services.step_save(actor=owner, sequence=sequence, kind=spec.kind, position=position,
                                      delay_days=spec.delay_days, subject=spec.subject, body=spec.body,
                                      follow_up_mode=spec.follow_up_mode, step=by_position.get(position))
        except ValidationError as exc:
            raise SequenceFileError(f"{where}: {_step_problem(exc)}") from exc
        if step.coach_blocked:
            blocked.append((where, step))
    # A later follow-up's review changes with the email it forwards, so the verdicts are read at the end.
    findings = []
    for where, step in blocked:
        step.refresh_from_db(fields=["coach_review", "coach_blocked"])
        findings += [f"{where}: coach rule {f['rule']}: {f['message']}" for f in step.coach_errors]
    for step in sequence.steps.filter(coach_blocked=True).exclude(pk__in=[s.pk for _, s in blocked]):
        spec = wanted[step.position - 1]
        findings += [f"{_where(source, spec.line)}: step {step.position} ({step.kind}): coach rule {f['rule']}: "
                     f"{f['message']}" for f in step.coach_errors]
    if findings:
        raise SequenceFileError("The coach found errors; nothing was loaded:\n" + "\n".join(findings))


def load_file(path: str | Path) -> LoadResult:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise SequenceFileError(f"{path}: no such file.") from exc
    except UnicodeDecodeError as exc:
        raise SequenceFileError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8.") from exc
    except OSError as exc:
        raise SequenceFileError(f"{path}: {exc.strerror}.") from exc
    return load(text, str(path))


# Writing


def export(sequence: Sequence) -> str:
    """The TOML that `load` turns back into this sequence."""
    if hasattr(sequence, "drip"):
        raise SequenceFileError(f"“{sequence}” runs the drip “{sequence.drip}”; drips are not exported as "
                                "sequence files.")
    mailbox = services.sequence_mailbox(sequence, sequence.owner)
    if mailbox is None:
        raise SequenceFileError(f"{sequence.owner} has no mailbox, and a sequence file names the mailbox it "
                                "sends from; connect one first.")
    steps = []
    for step in sequence.steps.order_by("position"):
        row: dict = {"kind": step.kind, "delay_days": step.delay_days}
        if step.subject:
            row["subject"] = step.subject
        if step.body:
            row["body"] = _lines(step.body)
        if step.kind == StepKind.FOLLOW_UP:
            row["follow_up"] = step.follow_up_mode
        steps.append(row)
    days = [DAY_NAMES[int(d)] for d in sequence.window_days.split(",")]
    data = {
        "name": sequence.name,
        "mailbox": mailbox.email,
        "auto_enroll_key_contacts": sequence.auto_enroll_key_contacts,
        "window": {"start": f"{sequence.window_start:%H:%M}", "end": f"{sequence.window_end:%H:%M}",
                   "days": days, "time_zone": "recipient"},
        "steps": steps,
    }
    return tomli_w.dumps(data, multiline_strings=True)
