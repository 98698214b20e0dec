"""The EDR exports the scenario writes: one file per product (and an MDE file for the day
before the campaign), each in its product's columns, line endings, BOM and row order, and the
directory export identities.csv. Rows whose event carries a tag are located (file, line) for
the ground truth."""

from __future__ import annotations

import csv
import hashlib
import io
import os

from ..writers.csv_export import write_csv_rows
from ..writers.falcon import CS_COLUMNS, render_cs
from ..writers.mde import MDE_COLUMNS, render_mde
from ..writers.sentinelone import S1_COLUMNS, render_s1
from .common import rng_for
from .hosts import iso_ms

EDR_MDE = "edr/mde_advanced_hunting_2026-11-02.csv"
EDR_MDE_PRE = "edr/mde_advanced_hunting_2026-10-30.csv"
EDR_CS = "edr/crowdstrike_events_2026-11-02.csv"
EDR_S1 = "edr/sentinelone_dv_2026-11-02.csv"
IDENTITIES = "identities.csv"
EDR_FORMATS = {
    EDR_MDE: {"product": "mde", "format": "mde_advanced_hunting_csv", "columns": MDE_COLUMNS,
              "newline": "\r\n", "bom": False, "order": "ascending", "type_col": "ActionType"},
    EDR_MDE_PRE: {"product": "mde", "format": "mde_advanced_hunting_csv", "columns": MDE_COLUMNS,
                  "newline": "\r\n", "bom": False, "order": "ascending", "type_col": "ActionType"},
    EDR_CS: {"product": "crowdstrike", "format": "crowdstrike_event_search_csv", "columns": CS_COLUMNS,
             "newline": "\n", "bom": False, "order": "descending", "type_col": "#event_simpleName"},
    EDR_S1: {"product": "sentinelone", "format": "sentinelone_dv_console_csv", "columns": S1_COLUMNS,
             "newline": "\n", "bom": True, "order": "ascending", "type_col": "Event Type"},
}


def write_edr_files(out_dir, s):
    """Render the day's (s.M) and the day before's (s.PM) events per product and write them;
    returns the files' ground-truth entries, where each tagged event's row is, which rows hold
    each indicator, and the bytes of identities.csv."""
    outputs = render(s)
    ioc_strings = {"attachment_sha256": s.att["sha256"], "attachment_name": "INV-88341",
                   "phish_domain": s.a2["url"]["registrable_domain"], "payload_host": s.payload_host,
                   "update_exe_sha256": s.upd["sha256"]}
    files, tag_loc = [], {}
    ioc_rows = {k: [] for k in ioc_strings}
    for rel in (EDR_MDE, EDR_MDE_PRE, EDR_CS, EDR_S1):
        files.append(write_export(out_dir, rel, outputs[rel], tag_loc, ioc_strings, ioc_rows))
    idata = write_identities(out_dir, s.directory)
    return {"files": files, "tag_loc": tag_loc, "ioc_rows": ioc_rows, "identities": idata}


def render(s):
    """Every event of both models as its product's rows: file -> [(t, seq, i, row, tag)]."""
    outputs = {EDR_MDE: [], EDR_MDE_PRE: [], EDR_CS: [], EDR_S1: []}
    rid = rng_for("edr/report-ids")
    for model, day_file in ((s.M, EDR_MDE), (s.PM, EDR_MDE_PRE)):
        for seq, ev in enumerate(sorted(model.events, key=lambda e: (e["t"], e["host"].name))):
            prod = ev["host"].product
            if prod == "mde":
                rows, dest = render_mde(ev, rid.randrange(1000, 90000)), day_file
            elif prod == "crowdstrike":
                rows, dest = render_cs(ev), EDR_CS
            else:
                rows, dest = render_s1(ev), EDR_S1
            for i, row in enumerate(rows):
                outputs[dest].append((ev["t"], seq, i, row, ev["tag"] if i == 0 else None))
    return outputs


def write_export(out_dir, rel, rendered, tag_loc, ioc_strings, ioc_rows):
    spec = EDR_FORMATS[rel]
    items = sorted(rendered, key=lambda x: (x[0], x[1], x[2]),
                   reverse=spec["order"] == "descending")
    rows = [x[3] for x in items]
    data, starts = write_csv_rows(rows, spec["columns"], spec["newline"], spec["bom"])
    for (t, _s, _i, row, tg), line in zip(items, starts):
        if tg:
            tag_loc[tg] = {"file": rel, "line": line,
                           "event_type": row[spec["type_col"]], "time": iso_ms(t)}
        for k, s in ioc_strings.items():
            if any(s in v for v in row.values()):
                ioc_rows[k].append([rel, line])
    by = {}
    for row in rows:
        by[row[spec["type_col"]]] = by.get(row[spec["type_col"]], 0) + 1
    path = os.path.join(out_dir, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    times = [x[0] for x in items]
    return {"path": rel, "product": spec["product"], "format": spec["format"], "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(), "header": spec["columns"],
            "line_ending": "CRLF" if spec["newline"] == "\r\n" else "LF", "utf8_bom": spec["bom"],
            "row_order": spec["order"] + " by time", "rows": len(rows),
            "physical_lines": data.count(b"\n"),
            "hosts": len({(r_.get("DeviceName") or r_.get("ComputerName") or r_.get("Endpoint Name")) for r_ in rows}),
            "rows_by_event_type": dict(sorted(by.items())),
            "first_event_utc": iso_ms(min(times)), "last_event_utc": iso_ms(max(times))}


def write_identities(out_dir, directory):
    """identities.csv (directory export: CRLF, header, one row per account); returns its bytes."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["email", "upn", "account", "host"])
    for d in directory:
        w.writerow([d["email"], d["upn"], d["account"], d["host"]])
    idata = buf.getvalue().encode("utf-8")
    with open(os.path.join(out_dir, IDENTITIES), "wb") as f:
        f.write(idata)
    return idata
