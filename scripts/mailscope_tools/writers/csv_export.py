"""Generic RFC 4180 CSV, written and read back with the physical line each row starts on (a
quoted field holding CRLF makes a row span two lines; the ground truth cites lines)."""

from __future__ import annotations

import csv
import io


def csv_line(values, newline):
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator=newline, quoting=csv.QUOTE_MINIMAL).writerow(values)
    return buf.getvalue()


def write_csv_rows(rows, columns, newline, bom):
    """RFC 4180 CSV; returns (bytes, the physical line each data row starts on)."""
    parts = [("\ufeff" if bom else "") + csv_line(columns, newline)]
    starts = []
    line = 2
    for row in rows:
        s = csv_line([row[c] for c in columns], newline)
        starts.append(line)
        line += s.count("\n")
        parts.append(s)
    return "".join(parts).encode("utf-8"), starts


def read_csv_rows(data: bytes):
    """Parse an export; returns (header, [(start line, row dict)])."""
    text = data.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    rdr = csv.reader(io.StringIO(text, newline=""))
    header = next(rdr)
    out = []
    prev = rdr.line_num
    for rec in rdr:
        out.append((prev + 1, rec))
        prev = rdr.line_num
    return header, out
