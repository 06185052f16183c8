"""A report as CSV, JSON or PDF.

CSV cells that a spreadsheet would run as a formula (starting with = + - @,
a tab or a carriage return) get a leading apostrophe: a company called
"=HYPERLINK(...)" must stay text when a manager opens the export. CSV and JSON
hold every table of the report, or the one named by `table`.
"""

import csv
import io
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from touchbase.core import cells

from .selectors import Report

CHROMIUM = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")


def neutralise(value):
    """A report cell: empty for None, otherwise the shared rule (a negative number stays a number)."""
    return "" if value is None else cells.neutralise(value)


class NoSuchTable(ValueError):
    """A table name the report does not have; the message lists the ones it has."""


def table_rows(report: Report, name: str) -> list[dict]:
    tables = report.tables()
    if name not in tables:
        raise NoSuchTable(f"{name!r} is not a table of the report: use one of {', '.join(tables)}.")
    return tables[name]


def to_csv(report: Report, table: str = "") -> str:
    """Every table in one file, the first column naming the table; or one table with its own header."""
    out = io.StringIO()
    writer = csv.writer(out)
    if table:
        rows = table_rows(report, table)
        if rows:
            writer.writerow(rows[0].keys())
        for row in rows:
            writer.writerow([neutralise(v) for v in row.values()])
        return out.getvalue()
    writer.writerow(["report", neutralise(report.title)])  # the title holds a seller's name
    for name, rows in report.tables().items():
        writer.writerow([])
        if not rows:
            writer.writerow([name, "(none)"])
            continue
        writer.writerow(["table", *rows[0].keys()])
        for row in rows:
            writer.writerow([name, *(neutralise(v) for v in row.values())])
    return out.getvalue()


def to_json(report: Report, table: str = "") -> str:
    tables = {table: table_rows(report, table)} if table else report.tables()
    return json.dumps({
        "report": report.title, "period": report.period.name, "kind": report.period.kind.value,
        "scope": report.scope.kind, "seller": getattr(report.scope.seller, "email", None),
        "time_zone": str(report.period.zone), "empty": report.empty,
        "generated_at": report.generated_at.isoformat(), "tables": tables,
    }, indent=2, default=str)


def to_html(report: Report) -> str:
    """The printable page: the report body with the style sheets inlined, so it needs no server."""
    css = "".join(Path(finders.find(path)).read_text() for path in ("css/touchbase.css", "metrics/reports.css"))
    # Links in a file or a PDF have no page to be relative to: they point at the server.
    return render_to_string("metrics/print.html", {"report": report, "css": css,
                                                    "base_url": settings.TOUCHBASE_URL.rstrip("/")})


class PdfUnavailable(RuntimeError):
    """No way to print a PDF on this machine; the message says what to install."""


def find_chromium() -> str | None:
    for name in CHROMIUM:
        path = shutil.which(name)
        if path:
            return path
    return None


def to_pdf(report: Report) -> bytes:
    """Print the standalone HTML with headless Chromium (Debian's `chromium` package)."""
    browser = find_chromium()
    if browser is None:
        raise PdfUnavailable("PDF needs Chromium, which is not installed: run `sudo apt-get install chromium` "
                             "(Debian/Ubuntu), or export --format html and print it from a browser.")
    with tempfile.TemporaryDirectory(prefix="touchbase-report-") as folder:
        page, pdf = Path(folder) / "report.html", Path(folder) / "report.pdf"
        page.write_text(to_html(report))
        # --no-sandbox: Chromium refuses to start as root otherwise, and the page is our own file.
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                   f"--user-data-dir={folder}/profile", f"--print-to-pdf={pdf}", page.as_uri()]
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired as exc:
            raise PdfUnavailable(f"{browser} did not finish printing the PDF within two minutes.") from exc
        if not pdf.exists() or pdf.stat().st_size == 0:
            raise PdfUnavailable(f"{browser} printed no PDF (exit {run.returncode}): {run.stderr.strip()[-500:]}")
        return pdf.read_bytes()
