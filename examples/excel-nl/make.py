#!/usr/bin/env python3
"""Regenerates the Dutch Excel versions of the bundled example (examples/data/*.csv).

    python3 examples/excel-nl/make.py

writes
  csv/*.csv    as Excel in a Dutch locale saves "CSV (puntkomma-gescheiden)": ';' between fields,
               decimal comma with '.' between thousands (24.000,00), dd-mm-yyyy dates, WAAR/ONWAAR
               for booleans, Windows-1252 text, CR LF line ends;
  xlsx/*.xlsx  one workbook per table (sheet "Sheet1"), written with openpyxl: numbers as number
               cells (amounts formatted #,##0.00), dates as date cells (dd-mm-yyyy), booleans as
               boolean cells, everything else as text.

Both must compute to exactly the results of examples/data (Tests/IncentivesCLITests/ExcelInputTests.swift).
"""
import csv
import datetime
import os
from decimal import Decimal

import openpyxl

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "data")

# The typed columns (Sources/IncentiveSheets/ReadColumns.swift); every other column is text.
DATES = {"achieved_on", "expires_on", "submitted_on", "active_from", "active_until", "enrolled_on",
         "booked_on", "shipped_on", "valid_from"}
NUMBERS = {("bookings.csv", "amount"), ("bookings.csv", "quantity"), ("fx.csv", "rate")}
BOOLEANS = {("partners.csv", "provider"), ("services.csv", "strategic")}
INTEGERS = {("bookings.csv", "line")}


def dutch_number(text):
    """1234567.5 -> 1.234.567,5 (the decimals as written)."""
    negative = text.startswith("-")
    whole, _, decimals = text.lstrip("-").partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return ("-" if negative else "") + ".".join(groups) + ("," + decimals if decimals else "")


def dutch_date(text):
    year, month, day = text.split("-")
    return f"{day}-{month}-{year}"


def main():
    os.makedirs(os.path.join(HERE, "csv"), exist_ok=True)
    os.makedirs(os.path.join(HERE, "xlsx"), exist_ok=True)
    for name in sorted(os.listdir(SOURCE)):
        if not name.endswith(".csv"):
            continue
        with open(os.path.join(SOURCE, name), encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        header, body = rows[0], rows[1:]

        with open(os.path.join(HERE, "csv", name), "w", encoding="cp1252", newline="") as handle:
            writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
            writer.writerow(header)
            for row in body:
                out = []
                for column, value in zip(header, row):
                    if value == "":
                        out.append(value)
                    elif column in DATES:
                        out.append(dutch_date(value))
                    elif (name, column) in NUMBERS:
                        out.append(dutch_number(value))
                    elif (name, column) in BOOLEANS:
                        out.append("WAAR" if value.lower() in ("true", "yes", "1") else "ONWAAR")
                    else:
                        out.append(value)
                writer.writerow(out)

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "Sheet1"
        sheet.append(header)
        for row in body:
            sheet.append([None] * len(header))
            line = sheet.max_row
            for index, (column, value) in enumerate(zip(header, row), start=1):
                cell = sheet.cell(row=line, column=index)
                if value == "":
                    continue
                if column in DATES:
                    cell.value = datetime.date.fromisoformat(value)
                    cell.number_format = "dd-mm-yyyy"
                elif (name, column) in NUMBERS:
                    # A double, as Excel stores every number.
                    cell.value = float(Decimal(value))
                    cell.number_format = "#,##0.00" if column == "amount" else "0.######"
                elif (name, column) in INTEGERS:
                    cell.value = int(value)
                elif (name, column) in BOOLEANS:
                    cell.value = value.lower() in ("true", "yes", "1")
                else:
                    cell.value = value
        book.save(os.path.join(HERE, "xlsx", name[:-4] + ".xlsx"))


if __name__ == "__main__":
    main()
