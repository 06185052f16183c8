"""The Monday mail as a mail client gets it, through a real SMTP server (aiosmtpd) on loopback.

Gmail and Outlook show no inline SVG: the charts must arrive as PNG images the
HTML part shows by cid, with their numbers as alt text, and the plain-text
part must carry the headline numbers for readers who block images.
"""

import re
import socket
import struct
import threading
import zlib
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command

from touchbase.metrics import charts, exports


class Inbox:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


def png_pixels(data: bytes) -> tuple[int, int, bytes]:
    """Check a PNG chunk by chunk (CRCs, IHDR, IDAT, IEND) and return its size and raw scanlines."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, chunks = 8, []
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        at += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    width, height, depth, colour = struct.unpack(">IIBB", chunks[0][1][:10])
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    assert len(raw) == height * (1 + (width * channels * depth + 7) // 8)
    return width, height, raw


def parts_of(message):
    html = message.get_body(("html",))
    text = message.get_body(("plain",))
    related = next(part for part in message.walk() if part.get_content_type() == "multipart/related")
    images = {part["Content-ID"].strip("<>"): part for part in related.iter_parts()
              if part.get_content_type() == "image/png"}
    return html.get_content(), text.get_content(), images


def test_the_monday_mail_shows_png_charts_by_cid_and_the_numbers_in_text(quarter, alice, smtp, monkeypatch):
    monkeypatch.setattr(exports, "CHROMIUM", ("no-such-chromium",))  # the PDF has its own test
    call_command("report", "weekly", period="2026-W48", email=True)
    received = {rcpt[0]: message for rcpt, message in smtp.messages}
    assert set(received) == {"sam@example.com", "maya@example.com", "alice@example.com"}

    html, text, images = parts_of(received["sam@example.com"])
    shown = re.findall(r'<img src="cid:([^"]+)" alt="([^"]+)"', html)
    assert {cid for cid, _alt in shown} == set(images) and len(images) == 6  # every chart, each attached
    for cid, part in images.items():
        assert part.get_content_disposition() == "inline"
        width, height, raw = png_pixels(part.get_content())
        assert width >= 1000 and height >= 140 and len(part.get_content()) > 2000, cid
        assert len(set(raw)) > 10, f"{cid} is blank"  # bars, lines and lettering, not one flat colour
    alts = dict(shown)
    touches_alt = next(alt for cid, alt in alts.items() if cid.startswith("touches-"))
    assert touches_alt.startswith("Touches by week:") and "W48 4" in touches_alt  # the chart's numbers in words

    assert "- Touches: 4" in text and "- Revenue won: $24,000" in text  # Sam's own week, in Chicago
    assert "Touches by week:" in text and "W48 4" in text
    assert "http://127.0.0.1:8000/reports/weekly/2026-W48?seller=sam%40example.com" in text
    assert "Revenue won" in html and "$24,000" in html
    assert received["sam@example.com"].get_content_type() == "multipart/mixed"
    attached = [part.get_filename() for part in received["sam@example.com"].iter_attachments()]
    assert attached == ["touchbase-2026-W48.csv"]


def test_an_empty_week_still_mails_charts_and_says_it_is_empty(quarter, smtp, monkeypatch):
    monkeypatch.setattr(exports, "CHROMIUM", ("no-such-chromium",))
    call_command("report", "weekly", period="2020-W10", email=True)
    _rcpt, message = next((r, m) for r, m in smtp.messages if r == ["sam@example.com"])
    html, text, images = parts_of(message)
    assert "This report is empty" in html and "This report is empty" in text
    assert len(images) == 6 and all(png_pixels(part.get_content())[0] >= 1000 for part in images.values())


def test_a_chart_rasterised_keeps_its_lettering():
    with_labels = charts.trend("Touches by week", ["W47", "W48"], [3, 5], [4, 4])
    blank_labels = charts.Chart(re.sub(r"<text[^>]*>.*?</text>", "", str(with_labels)), alt="", width=560,
                                height=200)
    drawn, bare = png_pixels(charts.png(with_labels))[2], png_pixels(charts.png(blank_labels))[2]
    assert drawn != bare  # the renderer found a font: labels and numbers are in the picture
    assert with_labels.alt == "Touches by week: W47 3 (target 4), W48 5 (target 4)."


def test_a_chart_the_renderer_refuses_goes_in_words_and_the_mail_still_goes(quarter, smtp, monkeypatch):
    monkeypatch.setattr(exports, "CHROMIUM", ("no-such-chromium",))
    # A drawing resvg cannot parse, in the funnel's place: the real renderer refuses it.
    monkeypatch.setattr(charts, "funnel", lambda title, steps: charts.Chart(
        "<svg unfinished", alt=f"{title}: {len(steps)} stages.", width=560, height=200))
    call_command("report", "weekly", period="2026-W48", email=True)
    _rcpt, message = next((r, m) for r, m in smtp.messages if r == ["sam@example.com"])
    html, _text, images = parts_of(message)
    assert len(images) == 5 and not any(cid.startswith("funnel-") for cid in images)
    assert '<p style="margin:0">Stages: deals that entered, and the share that moved forward: ' in html


def test_names_in_the_mail_and_its_alt_text_are_escaped(quarter, smtp, stages, monkeypatch):
    monkeypatch.setattr(exports, "CHROMIUM", ("no-such-chromium",))
    stage = stages["Demo"]
    stage.name = '"><script>alert(1)</script>'
    stage.save()
    call_command("report", "weekly", period="2026-W48", email=True)
    _rcpt, message = next((r, m) for r, m in smtp.messages if r == ["maya@example.com"])
    html, _text, _images = parts_of(message)
    assert "<script>" not in html
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html  # in the funnel's alt text
