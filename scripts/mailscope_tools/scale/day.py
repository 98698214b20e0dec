"""One day of the scale set, generated and written in a worker process: the mail (with the
day's campaigns), its API 2.0 batch files per type and hour, the TTP log pages, then the
endpoint rows and their Defender CSV parts. Files are compressed and written on a background
thread (Writer)."""

from __future__ import annotations

import bisect
import gc
import hashlib
import os
import queue
import threading
import time

from ..scenario.common import b64id, dumps
from ..writers.mde import MDE_COLUMNS
from ..writers.output import gz
from ..writers.ttp import ttp_ap_record, ttp_url_record
from .campaigns import Campaigns
from .common import BY_TIME, DUPLICATE_OVERLAP, EDR_PART_ROWS, HMS, PARTITIONS, TTP_PAGE, V2_TYPES, day_name, rng
from .edr_day import EdrDay
from .mail_day import MailDay
from .world import World

# What forked worker processes inherit from the parent (set by share()).
WORLD: World | None = None
CFG: dict = {}


def share(world: World, cfg: dict):
    """Make the world and the parameters visible to the workers forked after this call."""
    global WORLD, CFG
    WORLD, CFG = world, cfg


class Writer:
    """Compresses and writes a day's files on a background thread (zlib and file I/O release the
    GIL, so with a spare core this overlaps the generation); at most a few files are in flight."""

    def __init__(self, out_dir: str, level: int):
        self.out_dir, self.level = out_dir, level
        self.files = []
        self.q = queue.Queue(maxsize=3)
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while True:
            item = self.q.get()
            if item is None:
                return
            if self.error:
                continue
            rel, data, kind, records, extra = item
            try:
                blob = gz(data, self.level)
                path = os.path.join(self.out_dir, rel)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as f:
                    f.write(blob)
            except OSError as e:
                self.error = e
                continue
            e = {"path": rel, "kind": kind, "records": records, "bytes": len(blob), "raw_bytes": len(data),
                 "sha256": hashlib.sha256(blob).hexdigest()}
            if extra:
                e.update(extra)
            self.files.append(e)

    def put(self, rel, data: bytes, kind: str, records: int, extra=None):
        self.q.put((rel, data, kind, records, extra))

    def close(self) -> list:
        self.q.put(None)
        self.thread.join()
        if self.error:
            raise self.error
        return self.files


def generate_day(task):
    """Generate and write one day; returns its statistics and ground-truth fragments."""
    day_index = task
    W, cfg = WORLD, CFG
    # Millions of tuples live until the day is written and none is part of a reference cycle:
    # the cyclic collector would only walk them again and again.
    gc.disable()
    t_start = time.perf_counter()
    day0 = cfg["start"] + day_index * 86400
    date = day_name(day0)
    writer = Writer(cfg["out"], cfg["gzip_level"])
    counts = {}
    # ---- mail
    mail = MailDay(W, cfg, day_index, day0)
    mail.generate()
    camp_ids = [cid for cid, d in cfg["campaign_days"].items() if d == day_index]
    camps = Campaigns(W, cfg, mail, camp_ids)
    camps.run_mail()
    t_mail = time.perf_counter()
    dups = write_siem_batches(writer, mail, day_index, date, counts)
    write_ttp_pages(writer, mail, cfg, date, counts)
    mail_info = {"counts": dict(mail.counts), "background": mail.background, "clicks": len(mail.clicks),
                 "opens": len(mail.opens)}
    clicks_n = len(mail.clicks)
    t_mail_written = time.perf_counter()
    # ---- endpoint rows
    edr = EdrDay(W, cfg, day_index, day0, mail)
    for tr in camps.traces:
        tr(edr)
    campaign_users = set()
    for tt in camps.truth:
        for x in tt.get("clickers", []) + tt.get("releases", []):
            campaign_users.add(W.by_email[x["user"]].idx)
    edr.generate(campaign_users)
    mail = None
    t_edr = time.perf_counter()
    counts["edr rows"] = write_edr_parts(writer, edr, date, day0)
    edr = None
    files = writer.close()
    gc.enable()
    t_end = time.perf_counter()
    return {"day_index": day_index, "date": date, "files": files, "counts": counts, "mail": mail_info,
            "duplicates": dups, "campaigns": camps.truth, "clicks": clicks_n,
            "seconds": {"mail": round(t_mail - t_start, 2), "mail_write": round(t_mail_written - t_mail, 2),
                        "edr": round(t_edr - t_mail_written, 2), "edr_write": round(t_end - t_edr, 2),
                        "total": round(t_end - t_start, 2)}}


def write_siem_batches(writer, mail, day_index, date, counts):
    """API 2.0 batch files: per type and hour, sorted by time; offsets per partition; the noon
    receipt batch starts with the previous batch's last events (an overlapping download).
    Returns the number of duplicate lines."""
    dups = 0
    dup_hour = 12
    prev_tail = {}
    for ti, tname in enumerate(V2_TYPES):
        fname = tname.replace(" ", "_")
        for h in range(24):
            b = mail.buckets[ti * 24 + h]
            if not b:
                continue
            b.sort(key=BY_TIME)
            part = PARTITIONS[(ti + h) % 4]
            off = 1_000_000 + day_index * 40_000_000 + ti * 2_000_000 + h * 80_000
            fmt = '{%s"_offset":%d,"_partition":' + str(part) + ',%s'
            lines = []
            dup_n = 0
            if tname == "receipt" and h == dup_hour and prev_tail:
                # an overlapping download: this batch starts with the previous batch's last events
                lines = [(fmt % (pre, off + i, tail)).encode() for i, (_ts, pre, tail) in enumerate(prev_tail["events"])]
                dup_n = len(lines)
                off += dup_n
                dups += dup_n
            # encoded line by line: one subject with a character beyond Latin-1 would otherwise make
            # the whole joined batch a 2-byte-per-character string, slow to join and to encode
            lines += [(fmt % (pre, off + i, tail)).encode() for i, (_ts, pre, tail) in enumerate(b)]
            if tname == "receipt":
                prev_tail = {"events": b[-DUPLICATE_OVERLAP:]}
            data = b"\n".join(lines) + b"\n"
            rel = f"siem_v2/{date}/{fname}_{date}T{h:02d}.json.gz"
            writer.put(rel, data, "siem_v2", len(lines),
                       {"duplicates": dup_n} if dup_n else None)
            counts["v2 " + tname] = counts.get("v2 " + tname, 0) + len(b)
            mail.buckets[ti * 24 + h] = None
    return dups


def write_ttp_pages(writer, mail, cfg, date, counts):
    """TTP logs (API 1.0 envelope), newest first, TTP_PAGE records a page."""
    url_recs = []
    for x in mail.ttp_url:
        if x[0] == "rec":
            url_recs.append(x[2])
        else:
            (_k, cts, rc, sender, url, subj, action, actions, scan, cat, ip, aware, route, method, msgid, tagmap) = x
            url_recs.append(ttp_url_record(clicker=rc, sender=sender, url=url, subject=subj, action=action,
                                           actions=actions, scan=scan, category=cat, sending_ip=ip, awareness=aware,
                                           ms=cts, route=route, method=method, msgid=msgid, tagmap=tagmap))
    url_recs.sort(key=lambda x: (x["date"], x["userEmailAddress"], x["url"]), reverse=True)
    ap_recs = [ttp_ap_record(sender=s, rcpt=rc, att={"name": n, "mime": mi, "sha256": h}, result=res,
                             action_triggered=act, ms=ts, msgid=mid, subject=subj, details=det)
               for (ts, rc, s, n, mi, h, mid, subj, res, act, det) in mail.ttp_ap]
    ap_recs.sort(key=lambda x: (x["date"], x["recipientAddress"], x["fileName"]), reverse=True)
    ip_recs = sorted(mail.ttp_ip, key=lambda x: (x["eventTime"], x["recipientAddress"]), reverse=True)
    tok = rng(cfg["seed"], cfg["mailboxes"], "ttp-pages", date)
    for kind, recs, key in (("url", url_recs, "clickLogs"), ("attachment", ap_recs, "attachmentLogs"),
                            ("impersonation", ip_recs, "impersonationLogs")):
        pages = [recs[i:i + TTP_PAGE] for i in range(0, len(recs), TTP_PAGE)] or [[]]
        tokens = [b64id(tok, 40) for _ in pages]
        for i, pg in enumerate(pages):
            pag = {"pageSize": TTP_PAGE}
            if i + 1 < len(pages):
                pag["next"] = tokens[i + 1]
            if i > 0:
                pag["previous"] = tokens[i - 1]
            body = {key: pg}
            if kind == "impersonation":
                body["resultCount"] = len(pg)
            doc = {"meta": {"status": 200, "pagination": pag}, "data": [body], "fail": []}
            data = (dumps(doc) + "\n").encode("utf-8")
            writer.put(f"ttp/{date}/ttp_{kind}_logs_page{i + 1:02d}.json.gz", data, "ttp", len(pg))
        counts["ttp " + kind] = len(recs)
    counts["ttp url clicks"] = sum(1 for x in url_recs if x["creationMethod"] == "User Click")


def write_edr_parts(writer, edr, date, day0):
    """The day's rows, sorted by time, as Defender CSV parts of at most EDR_PART_ROWS rows; each
    tagged (planted) row's file, line and event type go into its tag. Returns the row count."""
    rows = edr.rows
    rows.extend((k, row) for k, row, _info in edr.tagged)
    rows.sort(key=BY_TIME)
    tag_at = {}
    for k, row, info in edr.tagged:
        i = bisect.bisect_left(rows, k, key=BY_TIME)
        while rows[i][1] is not row:
            i += 1
        tag_at[id(info)] = i
    header = ",".join(MDE_COLUMNS) + "\r\n"
    date_t, tick0 = date + "T", day0 * 10_000_000
    nparts = max(1, -(-len(rows) // EDR_PART_ROWS))
    part_names = []
    for p in range(nparts):
        chunk = rows[p * EDR_PART_ROWS:(p + 1) * EDR_PART_ROWS]
        # the Timestamp column: ISO 8601 UTC with 7 fraction digits, as advanced hunting prints it
        data = header.encode() + b"\r\n".join([f"{date_t}{HMS[(k - tick0) // 10_000_000]}.{(k - tick0) % 10_000_000:07d}Z{row}".encode()
                                                 for k, row in chunk]) + (b"\r\n" if chunk else b"")
        rel = f"edr/{date}/mde_advanced_hunting_{date}_p{p + 1:02d}.csv.gz"
        part_names.append(rel)
        writer.put(rel, data, "edr", len(chunk))
    for k, row, info in edr.tagged:
        i = tag_at[id(info)]
        info["file"] = part_names[i // EDR_PART_ROWS]
        info["line"] = i % EDR_PART_ROWS + 2
        info["event_type"] = row.split(",", 4)[3]   # the row starts with the empty Timestamp
    return len(rows)
