#!/usr/bin/env python3
"""Reads an .xlsx file with openpyxl (an independent reader) and prints every sheet and every cell as JSON.

    python3 scripts/xlsx_check.py FILE.xlsx

Output: {"sheets": [{"name", "freeze", "filter", "header_bold", "widths", "rows": [[cell, ...], ...]}]}
with each cell null (empty) or {"t": type, "v": value, "f": number format}:
  t "n" number (v: Python's repr of the float or int read, e.g. "1234.56"), "d" date (v: "YYYY-MM-DD"),
  "s" text (v: the text as Excel shows it, OOXML's _xHHHH_ escapes decoded), "b" boolean (v: true/false).
Exit status 1 with a message when the file is not a workbook openpyxl can read.
"""
import datetime
import json
import re
import sys

import openpyxl

ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def cell_json(cell):
    value = cell.value
    if value is None:
        return None
    if isinstance(value, bool):
        return {"t": "b", "v": value, "f": cell.number_format}
    if isinstance(value, datetime.datetime):
        if value.time() != datetime.time(0, 0):
            raise SystemExit(f"{cell.coordinate}: a date with a time: {value}")
        return {"t": "d", "v": value.date().isoformat(), "f": cell.number_format}
    if isinstance(value, datetime.date):
        return {"t": "d", "v": value.isoformat(), "f": cell.number_format}
    if isinstance(value, (int, float)):
        return {"t": "n", "v": repr(value), "f": cell.number_format}
    if isinstance(value, str):
        # Excel shows _xHHHH_ as the character it escapes (ECMA-376 ST_Xstring); openpyxl leaves it as read.
        return {"t": "s", "v": ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value), "f": cell.number_format}
    raise SystemExit(f"{cell.coordinate}: unexpected value {value!r}")


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: xlsx_check.py FILE.xlsx")
    try:
        book = openpyxl.load_workbook(sys.argv[1])
    except Exception as error:  # noqa: BLE001 - any failure to read is the answer
        raise SystemExit(f"{sys.argv[1]}: not a readable workbook: {error}")
    sheets = []
    for sheet in book.worksheets:
        rows = [[cell_json(cell) for cell in row] for row in sheet.iter_rows()]
        header = next(sheet.iter_rows(min_row=1, max_row=1), ())
        sheets.append({
            "name": sheet.title,
            "freeze": sheet.freeze_panes,
            "filter": sheet.auto_filter.ref,
            "header_bold": bool(header) and all(cell.font is not None and cell.font.b for cell in header),
            "widths": {key: dim.width for key, dim in sheet.column_dimensions.items()},
            "rows": rows,
        })
    json.dump({"sheets": sheets}, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
