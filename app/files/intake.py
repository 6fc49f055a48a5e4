"""What a file must pass before it is read into a table: hard caps checked before anything is materialised,
and an encoding we can name. Assume the file is hostile: a 5 KB workbook may declare A1:XFD1048576, a
1 MB one may hold a 1 GB shared string, a zip may inflate a thousandfold, a CSV may have 200,000 columns,
an XML file may expand entities a billion times, a Big5 file decodes as GB18030 garble.

- XLSX: the zip's directory is inspected with zipfile first (entries, total unpacked size, each entry's
  ratio); the shared strings are counted and measured by a streaming SAX pass (defusedxml: no DTD, no
  entities) before openpyxl loads them; the sheet's declared dimension is checked, then its rows are
  streamed (openpyxl read-only) with rows, columns, cells and cell length counted as they come.
- CSV: the byte size, then every physical line's length and the header's columns, then rows as they are
  parsed.
- Text: UTF-8 (BOM or not), UTF-16 with a BOM, else GB18030; a file that decodes only with replacement,
  or whose GB18030 reading looks like Big5 / Shift-JIS / EUC mojibake (charset-normalizer's verdict), is
  refused naming the likely encoding. Invisible format characters (a BOM inside a line, zero-width spaces,
  bidi controls) are stripped from cells, so a code never gets an invisible look-alike.

Every refusal is a FileRejected (an UnreadableFileError) whose words name the limit and the value found;
`too_large` tells a size limit (HTTP 413) from a refused content (422).
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.handler import ContentHandler

from app.i18n import Message

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class FileCaps:
    """The hard caps of one file (README "Limits"). Tests and callers pass other values as data."""

    max_file_bytes: int = 64 * MB  # what the CLI reads at all (the server's upload limit is lower)
    max_rows: int = 50_000  # rows of the table, header included
    max_columns: int = 200
    max_cells: int = 500_000  # non-empty-or-padded cells read, all rows together
    max_cell_chars: int = 32_767  # Excel's own limit on a cell
    max_line_chars: int = 100_000  # one physical line of a CSV
    max_zip_entries: int = 1_000
    max_unpacked_bytes: int = 64 * MB  # every entry of an XLSX together, as its directory declares
    max_zip_ratio: int = 100  # unpacked / packed size of one entry (Apache POI's zip-bomb rule)
    zip_ratio_floor: int = 1 * MB  # entries smaller than this unpacked are not held to the ratio
    max_shared_strings: int = 500_000
    max_problems: int = 1_000  # row errors kept (the rest are counted): bounds memory for a broken file


DEFAULT_CAPS = FileCaps()


class UnreadableFileError(Exception):
    """The file cannot be read as a project list at all (missing, empty, binary, no usable header).

    `message` is English; render(lang) gives either language when built from a Message.
    """

    def __init__(self, message: str | Message) -> None:
        self.text = message
        self.message = str(message)
        super().__init__(self.message)

    def render(self, lang: str = "zh") -> str:
        return self.text.render(lang) if isinstance(self.text, Message) else self.text


class FileRejected(UnreadableFileError):
    """A file refused before it is read: over a cap (`too_large`, HTTP 413) or in a refused content (422)."""

    def __init__(self, message: Message, *, too_large: bool) -> None:
        super().__init__(message)
        self.too_large = too_large


def _too_large(key: str, **params: object) -> FileRejected:
    return FileRejected(Message(key, **params), too_large=True)


def _n(value: int) -> str:
    return f"{value:,}"


def _mb(size: int) -> str:
    return f"{size / MB:,.1f}"


def check_size(size: int, caps: FileCaps) -> None:
    """Refuse a file larger than the caps let anyone read."""
    if size > caps.max_file_bytes:
        raise _too_large("file_over_size", size=_mb(size), limit=_mb(caps.max_file_bytes))


# ── XLSX ─────────────────────────────────────────────────────────────────────────────────────────


def check_zip(book: zipfile.ZipFile, caps: FileCaps) -> None:
    """Refuse a workbook by its zip directory alone: too many entries, too much unpacked, an entry that
    inflates more than caps.max_zip_ratio times. zipfile never reads past an entry's declared size, so
    the declared sizes bound what openpyxl can unpack."""
    entries = book.infolist()
    if len(entries) > caps.max_zip_entries:
        raise _too_large("zip_too_many_entries", count=_n(len(entries)), limit=_n(caps.max_zip_entries))
    unpacked = sum(e.file_size for e in entries)
    if unpacked > caps.max_unpacked_bytes:
        raise _too_large("zip_unpacked_too_big", size=_mb(unpacked), limit=_mb(caps.max_unpacked_bytes))
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > caps.zip_ratio_floor and ratio > caps.max_zip_ratio:
            raise _too_large(
                "zip_ratio_too_high", name=entry.filename, ratio=_n(int(ratio)), limit=_n(caps.max_zip_ratio)
            )


class _SharedStrings(ContentHandler):
    """Counts shared strings and the characters of each, refusing past the caps as the text streams in
    (a 1 GB string is refused at its 32,768th character, never held)."""

    def __init__(self, caps: FileCaps) -> None:
        super().__init__()
        self.caps, self.count, self.chars = caps, 0, 0

    def startElement(self, name: str, attrs: Any) -> None:
        if name.rpartition(":")[2] == "si":
            self.count += 1
            self.chars = 0
            if self.count > self.caps.max_shared_strings:
                raise _too_large(
                    "xlsx_too_many_strings", count=_n(self.count), limit=_n(self.caps.max_shared_strings)
                )

    def characters(self, content: str) -> None:
        self.chars += len(content)
        if self.chars > self.caps.max_cell_chars:
            raise _too_large("xlsx_string_too_long", index=_n(self.count), limit=_n(self.caps.max_cell_chars))


def check_shared_strings(book: zipfile.ZipFile, caps: FileCaps) -> None:
    """Stream the workbook's shared strings (every <si>) through the caps before openpyxl loads them all."""
    import defusedxml.sax

    names = [n for n in book.namelist() if n.lower().endswith("sharedstrings.xml")]
    for name in names:
        with book.open(name) as part:
            defusedxml.sax.parse(part, _SharedStrings(caps), forbid_dtd=True)


def check_declared_dimension(sheet: Any, caps: FileCaps) -> None:
    """Refuse a sheet whose <dimension ref> declares more rows, columns or cells than the caps (openpyxl
    would pad every row to the declared width)."""
    if sheet.max_row is None or sheet.max_column is None:
        return
    rows = sheet.max_row - (sheet.min_row or 1) + 1
    columns = sheet.max_column - (sheet.min_column or 1) + 1
    if rows > caps.max_rows or columns > caps.max_columns or rows * columns > caps.max_cells:
        raise _too_large(
            "xlsx_declares_too_much",
            ref=sheet.calculate_dimension(),
            rows=_n(rows),
            columns=_n(columns),
            max_rows=_n(caps.max_rows),
            max_columns=_n(caps.max_columns),
            max_cells=_n(caps.max_cells),
        )


# ── rows of any table ────────────────────────────────────────────────────────────────────────────

_INVISIBLE = {ch for ch in map(chr, range(0x2000, 0x2070)) if unicodedata.category(ch) == "Cf"} | {
    "\ufeff",
    "\u00ad",
    "\u061c",
    "\u180e",
}


_DROP_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE))


def clean_cell(text: str) -> str:
    """A cell without invisible format characters (a BOM inside a line, zero-width spaces, bidi
    controls), stripped of surrounding spaces: "\\ufeffWX-01" is WX-01, never a look-alike new code."""
    return text.translate(_DROP_INVISIBLE).strip() if not text.isascii() else text.strip()


def bounded_rows(
    rows: Iterable[Sequence[Any]], caps: FileCaps, to_text: Callable[[Any], str]
) -> list[list[str]]:
    """The rows as lists of clean text, refusing as soon as a cap is passed: rows, columns (trailing empty
    cells do not count), cells, characters in a cell."""
    table: list[list[str]] = []
    cells = 0
    for number, raw in enumerate(rows, start=1):
        if number > caps.max_rows:
            raise _too_large("table_too_many_rows", limit=_n(caps.max_rows))
        width = len(raw)
        while width and raw[width - 1] in (None, ""):
            width -= 1
        if width > caps.max_columns:
            raise _too_large(
                "table_too_many_columns", row=number, count=_n(width), limit=_n(caps.max_columns)
            )
        cells += width
        if cells > caps.max_cells:
            raise _too_large("table_too_many_cells", row=number, limit=_n(caps.max_cells))
        row = [clean_cell(to_text(value)) for value in raw[:width]]
        for column, text in enumerate(row, start=1):
            if len(text) > caps.max_cell_chars:
                raise _too_large(
                    "cell_too_long",
                    row=number,
                    column=column,
                    length=_n(len(text)),
                    limit=_n(caps.max_cell_chars),
                )
        table.append(row)
    return table


# ── CSV ──────────────────────────────────────────────────────────────────────────────────────────


def check_lines(text: str, delimiter: str, caps: FileCaps) -> None:
    """Refuse a CSV by its physical lines before parsing: one too long, or a header with too many columns."""
    header_seen = False
    for number, line in enumerate(_lines(text), start=1):
        if not header_seen and line.strip():
            header_seen = True
            columns = line.count(delimiter) + 1
            if columns > caps.max_columns:
                raise _too_large(
                    "table_too_many_columns", row=number, count=_n(columns), limit=_n(caps.max_columns)
                )
        if len(line) > caps.max_line_chars:
            raise _too_large(
                "line_too_long", line=number, length=_n(len(line)), limit=_n(caps.max_line_chars)
            )


def _lines(text: str) -> Iterator[str]:
    """Physical lines without copying the text into a list."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        yield text[start:end]
        start = end + 1


# ── text encodings ───────────────────────────────────────────────────────────────────────────────

# charset-normalizer's names of encodings whose bytes decode as GB18030 garble, and how we name them
_MOJIBAKE = {
    "big5": "Big5",
    "cp950": "Big5",
    "big5hkscs": "Big5-HKSCS",
    "shift_jis": "Shift-JIS",
    "cp932": "Shift-JIS",
    "shift_jis_2004": "Shift-JIS",
    "shift_jisx0213": "Shift-JIS",
    "euc_jp": "EUC-JP",
    "euc_jis_2004": "EUC-JP",
    "euc_jisx0213": "EUC-JP",
    "euc_kr": "EUC-KR",
    "cp949": "EUC-KR",
    "johab": "EUC-KR",
    "iso2022_jp": "ISO-2022-JP",
}


# other verdicts worth naming; a single-byte code page guessed for garbage (CP1125…) is not named
_OTHER_NAMED = {"utf_16": "UTF-16", "utf_16_le": "UTF-16", "utf_16_be": "UTF-16", "cp1252": "Windows-1252"}


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK and GB2312); a file in
    none of them, or one whose GB18030 reading is another encoding's garble, is refused naming it."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", "UTF-16")
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8", "UTF-8")
    if b"\x00" in data:
        raise UnreadableFileError(Message("file_binary"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _undecodable(data, exc) from None
    guess = _guess(data)
    if guess in _MOJIBAKE:
        raise FileRejected(
            Message("file_looks_like_encoding", encoding=_MOJIBAKE[guess], sample=_garble_sample(text)),
            too_large=False,
        )
    return text


def _strict(data: bytes, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileRejected(
            Message("file_damaged_encoding", encoding=name, line=line, byte=f"0x{data[exc.start]:02X}"),
            too_large=False,
        ) from None


def _guess(data: bytes) -> str | None:
    """charset-normalizer's most likely encoding of the bytes (its Python codec name), or None."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return best.encoding if best is not None else None


def _undecodable(data: bytes, exc: UnicodeDecodeError) -> FileRejected:
    """Neither UTF-8 nor GB18030: name the likely encoding and where UTF-8 reading first fails."""
    guess = _guess(data)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as utf8:
        at = utf8.start
    else:  # pragma: no cover - UTF-8 was tried first
        at = exc.start
    line = data[:at].count(b"\n") + 1
    named = _MOJIBAKE.get(guess or "") or _OTHER_NAMED.get(guess or "")
    if named:
        return FileRejected(
            Message("file_encoding_named", encoding=named, line=line, byte=f"0x{data[at]:02X}"),
            too_large=False,
        )
    return FileRejected(
        Message("file_encoding_unknown", line=line, byte=f"0x{data[at]:02X}"), too_large=False
    )


def _garble_sample(text: str) -> str:
    """A few characters of the garble, so the reader recognises what they would have got."""
    start = next((i for i, ch in enumerate(text) if ord(ch) > 0x7F), 0)
    return text[start : start + 8].replace("\n", " ")


def open_zip(data: bytes) -> zipfile.ZipFile:
    """The bytes as a zip (BadZipFile when they are not one)."""
    return zipfile.ZipFile(io.BytesIO(data))
