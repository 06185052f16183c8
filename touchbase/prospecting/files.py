"""Reading lead lists: CSV in any common dialect and encoding, and XLSX, as a stream of rows.

`open_table(path)` sniffs what the file is, reads its header, and hands back the data rows one at
a time with their row number (the header is row 1, as a spreadsheet shows it), so a file of any
size is read in bounded memory. Anything that is not a readable table raises `BadFile`, whose
message names the file, the row and the column.
"""

import codecs
import csv
import io
import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

# A longer cell is not a lead list value but a broken or hostile file; reading stops there.
MAX_CELL = 65_536
MAX_COLUMNS = 500
_SAMPLE = 64 * 1024
_DELIMITERS = ",;\t|"
_CONTROL = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r", "\x0c"}


class BadFile(Exception):
    """A lead list that cannot be imported, and where the problem is."""

    def __init__(self, path: os.PathLike | str, message: str, *, row: int | None = None,
                 column: int | str | None = None):
        self.path, self.message, self.row, self.column = Path(path), message, row, column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [self.path.name]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


@dataclass
class Table:
    path: Path
    format: str
    encoding: str
    delimiter: str
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    progress: Callable[[], tuple[int, int]]
    close: Callable[[], None]


class _CountingReader(io.RawIOBase):
    """A binary file that counts the bytes handed out, for the progress bar."""

    def __init__(self, raw):
        self.raw, self.count = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer)
        self.count += n or 0
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


def open_table(path: os.PathLike | str) -> Table:
    path = Path(path)
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            sample = f.read(_SAMPLE)
    except FileNotFoundError:
        raise BadFile(path, "there is no such file") from None
    except IsADirectoryError:
        raise BadFile(path, "this is a folder, not a CSV or XLSX file") from None
    except OSError as exc:
        raise BadFile(path, f"the file cannot be read ({exc.strerror})") from None
    if not sample.strip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n"):
        raise BadFile(path, "the file is empty")
    if sample.startswith(b"PK\x03\x04"):
        return _open_xlsx(path)
    if sample.startswith(b"\xd0\xcf\x11\xe0"):
        raise BadFile(path, "this is an old Excel (.xls) workbook; save it as .xlsx or CSV and import that")
    if sample.startswith(b"%PDF") or sample.startswith(b"\x89PNG") or sample.startswith(b"\xff\xd8\xff"):
        raise BadFile(path, "this is not a CSV or XLSX file (it looks like a PDF or an image)")
    encoding = _sniff_encoding(path, sample)
    text = _decode_sample(sample, encoding)
    if sum(ch in _CONTROL for ch in text) > max(2, len(text) // 100):
        raise BadFile(path, "this is not a CSV or XLSX file: it holds binary data")
    delimiter = _sniff_delimiter(text)
    return _open_csv(path, size, encoding, delimiter)


def _sniff_encoding(path: Path, sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = sample[:4096]
    even_nuls, odd_nuls = head[0::2].count(0), head[1::2].count(0)
    if odd_nuls > len(head) // 4 and even_nuls < odd_nuls // 4:
        return "utf-16-le"
    if even_nuls > len(head) // 4 and odd_nuls < even_nuls // 4:
        return "utf-16-be"
    if b"\x00" in sample:
        raise BadFile(path, "this is not a CSV or XLSX file: it holds binary data")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page; in western Europe and the US that is 1252.
        return "cp1252"


def _decode_sample(sample: bytes, encoding: str) -> str:
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample, final=False)


def _sniff_delimiter(text: str) -> str:
    lines = text.splitlines()[:20]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=_DELIMITERS).delimiter
    except csv.Error:
        header = lines[0] if lines else ""
        counts = {d: header.count(d) for d in _DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _open_csv(path: Path, size: int, encoding: str, delimiter: str) -> Table:
    counter = _CountingReader(open(path, "rb"))
    text = io.TextIOWrapper(io.BufferedReader(counter, 1 << 20), encoding=encoding, newline="")
    record = 0
    read = 0  # characters read since the last record: no cell of a record is longer than its lines

    def lines() -> Iterator[str]:
        # readline with a limit keeps a 50 MB cell from being read whole: the cut line says where it is.
        nonlocal read
        while True:
            try:
                line = text.readline(MAX_CELL * 2)
            except UnicodeDecodeError as exc:
                raise BadFile(path, f"bytes that are not {encoding} text ({exc.reason}); save the file as "
                                    "UTF-8 and import it again", row=record + 1) from None
            if not line:
                return
            read += len(line)
            if len(line) >= MAX_CELL * 2 and not line.endswith(("\n", "\r")):
                fields = next(csv.reader([line], delimiter=delimiter), [])
                raise BadFile(path, f"a cell is longer than {MAX_CELL:,} characters", row=record + 1,
                              column=_column_name(header, max(0, len(fields) - 1)))
            yield line

    reader = csv.reader(lines(), delimiter=delimiter)
    header: list[str] = []

    def next_record() -> list[str] | None:
        nonlocal record
        try:
            row = next(reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            raise BadFile(path, f"this is not readable CSV ({exc})", row=record + 1) from None
        record += 1
        return row

    first = next_record()
    while first is not None and not any(cell.strip() for cell in first):
        first = next_record()
    if first is None:
        raise BadFile(path, "the file is empty")
    header = [cell.strip() for cell in first]
    if len(header) > MAX_COLUMNS:
        raise BadFile(path, f"the header has {len(header)} columns; a lead list has at most {MAX_COLUMNS}", row=record)
    if len(header) == 1 and len(header[0]) > 200:
        raise BadFile(path, "the first line is not a header row of column names", row=record)
    for n, cell in enumerate(header):
        if len(cell) > 200:
            raise BadFile(path, "a column name is longer than 200 characters", row=record,
                          column=_column_name(header, n))

    def rows() -> Iterator[tuple[int, list[str]]]:
        # The loop reads the csv reader itself, not through next_record, and looks at cell lengths only
        # when the record's lines could hold a long one: two calls less per row of a million-row list.
        nonlocal record, read
        width = len(header)
        read = 0
        try:
            for row in reader:
                record += 1
                if len(row) != width or read > MAX_CELL:
                    row = fitted(row, width)
                    if row is None:
                        continue
                read = 0
                yield record, row
        except csv.Error as exc:
            raise BadFile(path, f"this is not readable CSV ({exc})", row=record + 1) from None

    def fitted(row: list[str], width: int) -> list[str] | None:
        """The row fitted to the header's width (None for a blank line); BadFile if it cannot be imported."""
        if len(row) > width:
            if any(cell.strip() for cell in row[width:]):
                raise BadFile(path, f"the row has {len(row)} fields but the header has {width}",
                              row=record, column=width + 1)
            row = row[:width]
        elif len(row) == 1 and row[0] == "":
            return None
        elif len(row) < width:
            row = row + [""] * (width - len(row))
        if max(map(len, row)) > MAX_CELL:
            n = next(i for i, cell in enumerate(row) if len(cell) > MAX_CELL)
            raise BadFile(path, f"a cell is longer than {MAX_CELL:,} characters", row=record,
                          column=_column_name(header, n))
        return row

    def progress() -> tuple[int, int]:
        return counter.count, size

    return Table(path, "csv", encoding, delimiter, header, rows(), progress, text.close)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _open_xlsx(path: Path) -> Table:
    handle = open(path, "rb")
    try:
        # A file object, not the path: openpyxl refuses paths whose suffix is not .xlsx, but sniffing decides.
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        handle.close()
        raise BadFile(path, f"this is not a readable XLSX workbook ({exc})") from None
    sheet = workbook.worksheets[0]
    total = sheet.max_row or 0

    def close() -> None:
        workbook.close()
        handle.close()

    source = sheet.iter_rows(values_only=True)
    done = 0
    header: list[str] = []
    for values in source:
        done += 1
        cells = [_cell(v).strip() for v in values]
        if any(cells):
            header = cells
            break
    while header and not header[-1]:
        header.pop()
    if not header:
        close()
        raise BadFile(path, "the first sheet is empty")
    if len(header) > MAX_COLUMNS:
        close()
        raise BadFile(path, f"the header has {len(header)} columns; a lead list has at most {MAX_COLUMNS}", row=done)

    def rows() -> Iterator[tuple[int, list[str]]]:
        nonlocal done
        width = len(header)
        for values in source:
            done += 1
            row = [_cell(v) for v in values]
            if len(row) > width:
                if any(cell.strip() for cell in row[width:]):
                    extra = next(i for i in range(width, len(row)) if row[i].strip())
                    raise BadFile(path, f"the row has a value beyond the last named column ({width})", row=done,
                                  column=_column_letter(extra))
                row = row[:width]
            elif len(row) < width:
                row += [""] * (width - len(row))
            if any(row):
                yield done, row

    def progress() -> tuple[int, int]:
        return done, total

    return Table(path, "xlsx", "xlsx", "", header, rows(), progress, close)


def _column_letter(index: int) -> str:
    return get_column_letter(index + 1)


def _column_name(header: list[str], index: int) -> str:
    """How an error names a column: its number, and its header when there is one."""
    if 0 <= index < len(header) and header[index]:
        return f"{index + 1} ({header[index]})"
    return str(index + 1)
