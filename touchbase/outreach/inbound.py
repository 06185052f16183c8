"""What an email in the seller's INBOX is: a reply, an out-of-office, a bounce, or an unsubscribe request.

Pure functions over the raw message bytes and today's date, so each rule is
tested on real-shaped messages (Outlook, Gmail, Exchange, Postfix DSNs).
Which enrollment it belongs to is decided in `services`, from the header
links (`In-Reply-To`, `References`, the bounced original's Message-ID) this
module pulls out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from touchbase.coach import own_text

MSGID = re.compile(r"<[^<>\s]+>")
SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|aw|wg|sv|vs|antw|rif|r|tr|odp|res|enc)\s*(?:\[\d+\])?\s*[:：]\s*"
    r"|\[(?:ext|external|extern|caution)[^\]]*\]\s*|(?:external|caution)\s*:\s*)+",
    re.IGNORECASE,
)
BOUNCE_SENDER = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon|bounces?)@", re.IGNORECASE)
BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery status notification|delivery (?:has )?failed|mail delivery failed|"
    r"returned mail|failure notice|delivery failure|nondeliverable|non-delivery",
    re.IGNORECASE,
)
STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
SMTP_REPLY = re.compile(r"\b([45])\d\d[ -]")
AUTO_SUBJECT = re.compile(
    r"^\s*(?:automatic reply|auto(?:matic)?[- ]?(?:reply|response)|autoreply|out of (?:the )?office|"
    r"ooo\b|away from (?:the )?office|on vacation|on leave|abwesenheit|réponse automatique|"
    r"respuesta automática|risposta automatica|automatisch antwoord|autosvar|poissaolo)",
    re.IGNORECASE,
)
OOO_PHRASE = re.compile(
    r"\b(?:out of (?:the )?office|i am (?:currently )?(?:away|out|on (?:vacation|holiday|leave|pto))|"
    r"i'm (?:currently )?(?:away|out|on (?:vacation|holiday|leave|pto))|on (?:annual|parental|maternity|"
    r"paternity|sick) leave|limited access to (?:my )?e-?mail|will (?:be )?(?:back|returning)|"
    r"i will return|back in the office|away until|out until)\b",
    re.IGNORECASE,
)
UNSUBSCRIBE_PHRASE = re.compile(
    r"\b(?:unsubscribe|remove me|take me off|opt(?:-| )?out|stop (?:emailing|contacting|sending)|"
    r"do not (?:contact|email) me|don't (?:contact|email) me)\b",
    re.IGNORECASE,
)

MONTHS = {m: i for i, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for m in names}
WEEKDAYS = {name: i for i, names in enumerate(
    [("mon", "monday"), ("tue", "tues", "tuesday"), ("wed", "wednesday"), ("thu", "thur", "thurs", "thursday"),
     ("fri", "friday"), ("sat", "saturday"), ("sun", "sunday")]) for name in names}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s*(?P<year>\d{4}))?"
_RETURN_CUE = r"(?:back|return(?:ing)?|returns|in the office|until|till|through|thru|from)\b[^.\n]{0,40}?"
RETURN_DATES = [
    re.compile(_RETURN_CUE + r"(?P<iso>\d{4}-\d{2}-\d{2})", re.IGNORECASE),
    re.compile(_RETURN_CUE + _MONTH + r"\s+" + _DAY + r"\b" + _YEAR, re.IGNORECASE),
    re.compile(_RETURN_CUE + _DAY + r"(?:\s+of)?\s+" + _MONTH + r"\b" + _YEAR, re.IGNORECASE),
    re.compile(_RETURN_CUE + r"(?P<a>\d{1,2})[/.](?P<b>\d{1,2})(?:[/.](?P<y>\d{2,4}))?\b", re.IGNORECASE),
    re.compile(_RETURN_CUE + r"(?:on\s+)?(?:next\s+)?(?P<weekday>" + "|".join(WEEKDAYS) + r")\b", re.IGNORECASE),
]
# Later than this is not a holiday but a typo or a sabbatical: pause the default instead.
MAX_AWAY = timedelta(days=120)


@dataclass(frozen=True)
class BounceInfo:
    hard: bool
    status: str  # "5.1.1", or "" when the report has none
    recipient: str
    diagnostic: str
    original_message_id: str


@dataclass
class Inbound:
    kind: str  # "reply", "auto_reply", "bounce", "unsubscribe"
    message_id: str
    from_email: str
    subject: str
    links: list[str] = field(default_factory=list)  # Message-IDs this one answers, nearest first
    bounce: BounceInfo | None = None
    back_on: date | None = None
    own_text: str = ""


def parse(raw: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(raw)


def message_ids(value: str | None) -> list[str]:
    return MSGID.findall(str(value or ""))


def thread_subject(subject: str) -> str:
    """A subject with every Re:/Fwd:/AW:/[EXT] prefix and spacing difference taken away, lowercased."""
    return " ".join(SUBJECT_PREFIX.sub("", subject or "").split()).casefold()


def _header(msg: Message, name: str) -> str:
    try:
        return str(msg.get(name, "") or "")
    except Exception:  # a header too broken to decode says nothing we can use
        return ""


def _text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):
        content = part.get_payload(decode=True).decode("utf-8", errors="replace")
    if part.get_content_type() == "text/html":
        content = re.sub(r"<(?:br|/p|/div)[^>]*>", "\n", content, flags=re.IGNORECASE)
        content = re.sub(r"<[^>]+>", "", content)
    return content


def _dsn_fields(msg: EmailMessage) -> list[Message]:
    for part in msg.walk():
        if part.get_content_type() in ("message/delivery-status", "message/global-delivery-status"):
            payload = part.get_payload()
            if isinstance(payload, list):
                return payload
            if isinstance(payload, str):  # some parsers leave the fields as text
                return [BytesParser(policy=policy.compat32).parsebytes(block.encode())
                        for block in re.split(r"\n\s*\n", payload.strip())]
    return []


def _original_message_id(msg: EmailMessage) -> str:
    for part in msg.walk():
        kind = part.get_content_type()
        if kind in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message):
                ids = message_ids(_header(inner, "Message-ID"))
                if ids:
                    return ids[0]
        if kind in ("text/rfc822-headers", "text/rfc822-header"):
            headers = part.get_payload(decode=True) or b""
            ids = message_ids(_header(BytesParser(policy=policy.compat32).parsebytes(headers, headersonly=True),
                                      "Message-ID"))
            if ids:
                return ids[0]
    # A non-standard bounce pastes the original's headers into its text.
    found = re.search(r"^\s*Message-ID:\s*(<[^<>\s]+>)", _text(msg), re.IGNORECASE | re.MULTILINE)
    return found.group(1) if found else ""


def _is_soft(status: str) -> bool:
    # 5.2.2 is "mailbox full": permanent by code, temporary in practice, so it does not end the sequence.
    return status.startswith("4.") or status == "5.2.2"


def read_bounce(msg: EmailMessage) -> BounceInfo | None:
    """A delivery report (RFC 3464) or a plain-text bounce from a mailer daemon; None if it is not one."""
    fields = _dsn_fields(msg)
    sender = parseaddr(_header(msg, "From"))[1]
    is_report = msg.get_content_type() == "multipart/report" and \
        msg.get_param("report-type", "", header="content-type") in ("delivery-status", "global-delivery-status")
    looks_like = (BOUNCE_SENDER.match(sender) or not sender) and BOUNCE_SUBJECT.search(_header(msg, "Subject"))
    if not (is_report or fields or looks_like):
        return None
    status = recipient = diagnostic = action = ""
    for block in fields:
        if block.get("Final-Recipient") or block.get("Original-Recipient") or block.get("Status"):
            status = str(block.get("Status", "")).strip().split(" ")[0]
            recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
            diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())
            action = str(block.get("Action", "")).strip().lower()
            if action == "failed":
                break
    text = _text(msg)
    if not status:
        found = STATUS.search(text)
        status = found.group(0) if found else ""
    if not status:
        smtp = SMTP_REPLY.search(text)
        status = f"{smtp.group(1)}.0.0" if smtp else ("4.0.0" if action == "delayed" else "5.0.0")
    if action == "delayed":
        status = "4" + status[1:] if status.startswith("5") else status
    if not recipient:
        found = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text)
        recipient = found.group(0) if found else ""
    recipient = recipient.split(";")[-1].strip().strip("<>").lower()
    if not diagnostic:
        found = re.search(r"^.*\b(?:[245]\.\d{1,3}\.\d{1,3}|[45]\d\d)\b.*$", text, re.MULTILINE)
        diagnostic = found.group(0).strip() if found else ""
    return BounceInfo(hard=not _is_soft(status), status=status, recipient=recipient, diagnostic=diagnostic[:500],
                      original_message_id=_original_message_id(msg))


def is_auto_reply(msg: EmailMessage, own: str) -> bool:
    """RFC 3834 and the headers Exchange, Gmail and common responders set, then the subject and phrases."""
    auto_submitted = _header(msg, "Auto-Submitted").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return True
    if _header(msg, "X-Autoreply") or _header(msg, "X-Autorespond") or _header(msg, "X-Autoresponder"):
        return True
    if _header(msg, "Precedence").strip().lower() in ("auto_reply", "auto-reply"):
        return True
    if _header(msg, "X-Auto-Response-Suppress") and AUTO_SUBJECT.search(_header(msg, "Subject")):
        return True
    if AUTO_SUBJECT.search(_header(msg, "Subject")):
        return True
    # A person who writes "I'll be out of office next week, call me after" is replying; a short note
    # that only says they are away and when they are back is a responder without the headers.
    return bool(OOO_PHRASE.search(own)) and return_date(own, date(2000, 1, 1), limit=None) is not None \
        and len(own.split()) <= 80


def _year_for(month: int, day: int, today: date, year: str | None) -> date | None:
    try:
        if year:
            return date(int(year) + (2000 if len(year) == 2 else 0), month, day)
        found = date(today.year, month, day)
        return found if found >= today - timedelta(days=1) else date(today.year + 1, month, day)
    except ValueError:
        return None


def return_date(text: str, today: date, *, limit: timedelta | None = MAX_AWAY) -> date | None:
    """The date an out-of-office says its writer is back, if it says one."""
    for pattern in RETURN_DATES:
        for m in pattern.finditer(text):
            groups = m.groupdict()
            found = None
            if groups.get("iso"):
                try:
                    found = date.fromisoformat(groups["iso"])
                except ValueError:
                    found = None
            elif groups.get("month"):
                found = _year_for(MONTHS[groups["month"].lower()], int(groups["day"]), today, groups.get("year"))
            elif groups.get("a"):
                a, b = int(groups["a"]), int(groups["b"])
                # Month first (US) unless that cannot be a date: "25/12" is the 25th of December.
                month, day = (a, b) if a <= 12 else (b, a)
                year = groups.get("y")
                found = _year_for(month, day, today, year)
            elif groups.get("weekday"):
                ahead = (WEEKDAYS[groups["weekday"].lower()] - today.weekday()) % 7 or 7
                found = today + timedelta(days=ahead)
            if found and found >= today and (limit is None or found - today <= limit):
                return found
    return None


def read(raw: bytes, today: date) -> Inbound:
    """Classify one message from an INBOX."""
    msg = parse(raw)
    from_email = parseaddr(_header(msg, "From"))[1].lower()
    subject = " ".join(_header(msg, "Subject").split())
    links = list(reversed(message_ids(_header(msg, "References"))))
    for ref in reversed(message_ids(_header(msg, "In-Reply-To"))):
        if ref in links:
            links.remove(ref)
        links.insert(0, ref)
    message_id = (message_ids(_header(msg, "Message-ID")) or [""])[0]
    found = Inbound(kind="reply", message_id=message_id, from_email=from_email, subject=subject, links=links)
    bounce = read_bounce(msg)
    if bounce is not None:
        found.kind, found.bounce = "bounce", bounce
        if bounce.original_message_id and bounce.original_message_id not in links:
            links.insert(0, bounce.original_message_id)
        return found
    body = _text(msg)
    found.own_text = own_text(body)
    if is_auto_reply(msg, found.own_text):
        found.kind = "auto_reply"
        found.back_on = return_date(found.own_text or body, today)
    elif UNSUBSCRIBE_PHRASE.search(found.own_text) and len(found.own_text.split()) <= 25:
        found.kind = "unsubscribe"
    return found


def recipients(msg: EmailMessage) -> list[str]:
    return [a.lower() for _, a in getaddresses([_header(msg, "To"), _header(msg, "Cc")]) if a]
