"""Hostile files built in memory (never shipped as binaries): the tests refuse them, bench/files.py times and
measures the refusals. Each builder returns bytes a user could upload."""

from __future__ import annotations

import io
import struct
import zipfile
from xml.sax.saxutils import escape

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_NS}" xmlns:r="{_REL}">'
        '<sheets><sheet name="项目" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
}


def _column(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def workbook(
    rows: list[list[str]],
    *,
    dimension: str | None = None,
    shared_prologue: str = "",
    extra_strings: list[str] = (),  # type: ignore[assignment]
    sheet_padding: bytes = b"",
) -> bytes:
    """A minimal real XLSX whose cells are shared strings: `dimension` is written as the sheet's declared
    range, `shared_prologue` before the shared-string table (a DTD), `sheet_padding` inside the sheet."""
    strings = [cell for row in rows for cell in row] + list(extra_strings)
    index = {s: i for i, s in reversed(list(enumerate(strings)))}
    cells = []
    for r, row in enumerate(rows, start=1):
        inner = "".join(
            f'<c r="{_column(c)}{r}" t="s"><v>{index[text]}</v></c>' for c, text in enumerate(row, start=1)
        )
        cells.append(f'<row r="{r}">{inner}</row>')
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_NS}">{declared}<sheetData>'
        + "".join(cells)
        + "</sheetData></worksheet>"
    ).encode()
    if sheet_padding:
        sheet = sheet.replace(b"<sheetData>", b"<sheetData>" + sheet_padding, 1)
    shared = (
        f'<?xml version="1.0" encoding="UTF-8"?>{shared_prologue}<sst xmlns="{_NS}" count="{len(strings)}">'
        + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
        + "</sst>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in _PARTS.items():
            book.writestr(name, text)
        book.writestr("xl/worksheets/sheet1.xml", sheet)
        book.writestr("xl/sharedStrings.xml", shared)
    return out.getvalue()


HEADER = ["code", "name", "category", "planned_start", "planned_end", "cost_wan"]
ROW = ["B-01", "炸弹小学", "义务教育", "2022", "2024", "3000"]


def declared_dimension_bomb() -> bytes:
    """~1 KB that declares A1:XFD1048576: openpyxl would pad every row to 16,384 cells and 1,048,576 rows."""
    return workbook([HEADER, ROW], dimension="A1:XFD1048576")


def long_shared_string(chars: int = 40_000) -> bytes:
    """A workbook whose one name is longer than Excel allows a cell (32,767 characters)."""
    return workbook([HEADER, [*ROW[:1], "长" * chars, *ROW[2:]]])


def declare_unpacked_size(data: bytes, name: str, size: int) -> bytes:
    """The zip with entry `name` declaring `size` unpacked bytes (its central directory and local header),
    as a crafted bomb does: e.g. a shared-string table of hundreds of MB in a 1 KB file."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        info = book.getinfo(name)
    out = bytearray(data)
    struct.pack_into("<I", out, info.header_offset + 22, size)
    position = out.find(b"PK\x01\x02")
    while position >= 0:
        length = struct.unpack_from("<H", out, position + 28)[0]
        if out[position + 46 : position + 46 + length].decode() == name:
            struct.pack_into("<I", out, position + 24, size)
            return bytes(out)
        position = out.find(b"PK\x01\x02", position + 4)
    raise KeyError(name)


def huge_shared_strings_declared(size: int = 700 * 1024 * 1024) -> bytes:
    """A 1 KB workbook whose shared-string table declares `size` bytes (default 700 MB)."""
    return declare_unpacked_size(workbook([HEADER, ROW]), "xl/sharedStrings.xml", size)


def ratio_bomb(megabytes: int = 8) -> bytes:
    """A workbook whose sheet holds `megabytes` MB of one repeated byte: it inflates ~1000 times."""
    padding = b" " * (megabytes * 1024 * 1024)
    return workbook([HEADER, ROW], sheet_padding=padding)


BILLION_LAUGHS_DTD = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    + "]>"
)


def billion_laughs_xml() -> bytes:
    """The classic: nine levels of ten entities each, 10^9 'lol's once expanded, as MS Project XML."""
    return (
        '<?xml version="1.0"?>'
        + BILLION_LAUGHS_DTD
        + '<Project xmlns="http://schemas.microsoft.com/project"><Name>&lol9;</Name><Tasks><Task><UID>1</UID>'
        "<ID>1</ID><Name>&lol9;</Name></Task></Tasks></Project>"
    ).encode()


def billion_laughs_xlsx() -> bytes:
    """The same entity bomb in a workbook's shared-string table."""
    return workbook([HEADER, ROW], shared_prologue=BILLION_LAUGHS_DTD)


def wide_csv(columns: int = 200_000) -> bytes:
    """A CSV header of `columns` columns (~1.3 MB): every column would be an 'unknown column' error."""
    return (",".join(f"c{i}" for i in range(columns)) + "\n" + ",".join(ROW) + "\n").encode()


def many_bad_rows_csv(rows: int = 1_000) -> bytes:
    """A valid header and `rows` rows each with one error (a cost that is not a number)."""
    lines = [",".join(HEADER)] + [f"B-{i:05d},学校{i},义务教育,2022,2024,很多" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()
