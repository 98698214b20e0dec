"""The export formats (mailscope_tools.writers): what each writer produces parses back as that
format (gzip without name or time, JSON lines with string values, key=value lines, CSV rows at
the lines they claim), and the scale set's line templates agree with the event builder."""

import csv
import gzip
import io
import json
import os
import random
import unittest

from mailscope_tools.scenario.hosts import DNS_SERVER, TPMS, EdrModel, EHost
from mailscope_tools.scenario.mail import Msg
from mailscope_tools.writers import csv_export, falcon, mde, output, sentinelone, siem_v1, siem_v2, ttp

from .support import read_bytes, temp_dir

DAY_MS = 1_793_577_600_000   # 2026-11-02T00:00:00Z


def message(r, **kw):
    args = dict(kind="partner", t=DAY_MS + 3_600_000, env="a.b@partner.example", hdr="a.b@partner.example",
                ip="192.0.2.10", subject="Quarterly results", direction="Inbound", rcpts=["x.y@acme-corp.example"])
    args.update(kw)
    return Msg(r, args.pop("kind"), args.pop("t"), args.pop("env"), args.pop("hdr"), args.pop("ip"), args.pop("subject"),
               args.pop("direction"), args.pop("rcpts"), msgid="<1@mail.partner.example>", **args)


def attachment():
    return {"name": "PO-1.pdf", "ext": "pdf", "mime": "application/pdf", "size": 1234,
            "md5": "0" * 32, "sha1": "1" * 40, "sha256": "2" * 64}


class Gzip(unittest.TestCase):
    def assertReproducibleGzip(self, blob, data):
        self.assertEqual(blob[:2], b"\x1f\x8b")
        self.assertEqual(blob[3] & 0x08, 0, "FNAME flag set: the file name would be in the file")
        self.assertEqual(blob[4:8], b"\0\0\0\0", "mtime set: reruns would differ")
        self.assertEqual(gzip.decompress(blob), data)

    def test_gzip_bytes_has_no_name_or_time(self):
        data = "ünïcode line\n".encode() * 100
        self.assertReproducibleGzip(output.gzip_bytes(data), data)
        self.assertEqual(output.gzip_bytes(data), output.gzip_bytes(data))

    def test_gz_has_no_name_or_time_at_every_level(self):
        data = b'{"a":"b"}\n' * 1000
        for level in (1, 6, 9):
            self.assertReproducibleGzip(output.gz(data, level), data)

    def test_out_records_what_it_wrote(self):
        out = output.Out(temp_dir(self))
        out.write("x/y.json", b"a\nb\n", fmt="f", lines=2, records=2, by_type={"t": 2})
        entry = out.files[0]
        self.assertEqual(read_bytes(os.path.join(out.root, "x/y.json")), b"a\nb\n")
        self.assertEqual((entry["bytes"], entry["records"], entry["events_by_type"]), (4, 2, {"t": 2}))


class SiemV2(unittest.TestCase):
    def events(self):
        r = random.Random(1)
        v2 = siem_v2.V2(random.Random(2))
        m = message(r, atts=[attachment()])
        rc = m.rcpts[0]
        v2.receipt_acc(m, rc, m.t)
        v2.process(m, m.t + 10, "Acc")
        v2.delivery(m, rc, m.t + 20, "Route", "mx.example", "198.51.100.1")
        v2.spam(m, rc, m.t + 30, tagged=("true", "false"))
        v2.attachment_protect(m, m.t + 40, m.atts[0], rcpt=rc, full=True)
        v2.journal(m, rc, m.t + 50)
        return v2.events

    def test_a_line_is_the_event_with_offset_and_partition_in_sorted_keys(self):
        for ev in self.events():
            line = siem_v2.v2_line(ev, 1234, 58)
            back = json.loads(line)
            self.assertEqual(back, {**ev, "_offset": 1234, "_partition": 58})
            keys = list(back)
            if ev["type"] == "spam":   # the sample puts the two flags right after _offset/_partition
                self.assertEqual(keys[:4], ["_offset", "_partition", "taggedExternal", "taggedMalicious"])
            else:
                self.assertEqual(keys, sorted(keys))

    def test_numbers_and_booleans_are_strings_as_mimecast_writes_them(self):
        for ev in self.events():
            for k, v in ev.items():
                if k != "timestamp":
                    self.assertFalse(isinstance(v, (int, float, bool)), f"{ev['type']}.{k} = {v!r}")

    def test_the_scale_sets_pieces_make_the_same_line(self):
        for ev in self.events():
            ts, pre, tail = siem_v2.ev_parts(ev)
            self.assertEqual(ts, ev["timestamp"])
            self.assertEqual("{" + pre + '"_offset":7,"_partition":61,' + tail, siem_v2.v2_line(ev, 7, 61))

    def test_the_receipt_template_parses_as_a_receipt(self):
        line = "{" + '"_offset":1,"_partition":58,' + siem_v2.T_RECEIPT % (
            "agg", "Inbound", '"<m@x>"', 0, "pid_1", "rc@acme-corp.example", "s@x.example", "s@x.example", "192.0.2.1",
            "28", "null", 3, '"Hello"', DAY_MS, "null", "null")
        ev = json.loads(line)
        self.assertEqual((ev["type"], ev["subtype"], ev["recipients"], ev["spamScore"]), ("receipt", "Acc", "rc@acme-corp.example", "3"))

    def test_batch_files_are_gzip_ndjson_and_the_overlap_repeats_forty_events(self):
        r = random.Random(3)
        v2 = siem_v2.V2(random.Random(4))
        for i in range(300):
            m = message(r, t=DAY_MS + i * 60_000)
            v2.receipt_acc(m, m.rcpts[0], m.t)
        out = output.Out(temp_dir(self))
        dup = siem_v2.write_v2(out, v2.events)
        lines = []
        for f in out.files:
            blob = read_bytes(os.path.join(out.root, f["path"]))
            self.assertEqual(blob[4:8], b"\0\0\0\0")
            lines += [json.loads(x) for x in gzip.decompress(blob).decode().splitlines() if x]
        self.assertEqual(dup["count"], 40)
        self.assertEqual(len(lines), 300 + 40)
        self.assertEqual(len({(e["processingId"], e["timestamp"]) for e in lines}), 300)


class SiemV1(unittest.TestCase):
    def test_key_value_lines_parse_back(self):
        row = {"acc": "CUSA1B2C3", "datetime": "2026-11-01T10:00:00+0100", "aCode": "abc",
               "Subject": "Quarterly | results, v2", "Sender": "a@b.example", "SpamLimit": 28, "Act": "Acc",
               "SpamProcessingDetail": {"spf": {"allow": True}}, "TlsVer": None}
        line = siem_v1.kv_line(row)
        self.assertNotIn("TlsVer", line)                       # None is left out
        self.assertIn("Subject=\\Quarterly | results, v2\\", line)   # spaces: backslash-wrapped
        back = siem_v1.parse_kv(line)
        self.assertEqual(back["Subject"], "Quarterly | results, v2")
        self.assertEqual(back["SpamLimit"], "28")
        self.assertEqual(json.loads(back["SpamProcessingDetail"]), {"spf": {"allow": True}})
        self.assertEqual(list(back)[:3], ["datetime", "aCode", "acc"])   # the export's key order


class TtpLogs(unittest.TestCase):
    def test_pages_are_the_api_envelope_newest_first(self):
        recs = [ttp.ttp_url_record(clicker=f"u{i}@acme-corp.example", sender="s@x.example", url=f"https://x.example/{i}",
                                   subject="s", action="allow", actions="Allow", scan="clean", category="Business",
                                   sending_ip="192.0.2.1", awareness="N/A", ms=DAY_MS + i * 1000, route="inbound",
                                   method="User Click", msgid="<m@x>") for i in range(150)]
        main = {"ttp_url": recs, "ttp_ap": [], "ttp_ip": []}
        out = output.Out(temp_dir(self))
        ttp.write_ttp(out, main, random.Random(1))
        pages = [json.loads(gzip.decompress(read_bytes(os.path.join(out.root, f["path"])))) for f in out.files
                 if "url_logs" in f["path"]]
        self.assertEqual([len(p["data"][0]["clickLogs"]) for p in pages], [100, 50])
        first, second = (p["meta"]["pagination"] for p in pages)
        self.assertEqual((sorted(first), sorted(second)), (["next", "pageSize"], ["pageSize", "previous"]))
        dates = [x["date"] for p in pages for x in p["data"][0]["clickLogs"]]
        self.assertEqual(dates, sorted(dates, reverse=True))
        self.assertIn(b"\\/", gzip.decompress(read_bytes(os.path.join(out.root, out.files[0]["path"]))))


class EdrExports(unittest.TestCase):
    """One host's events rendered by each product's writer, written as CSV and read back."""

    def model(self, product):
        user = {"address": "dana.whitfield@acme-corp.example"}
        h = EHost(user, "dwhitfield", 7, product, "upn", "10.20.1.7", "ab" * 10)
        M = EdrModel(random.Random(5))
        explorer = M.proc(h, "explorer.exe", DAY_MS, None)
        excel = M.proc(h, "EXCEL.EXE", DAY_MS + 1000, explorer, doc="C:\\Users\\dwhitfield\\a, \"b\".xlsx", prec=7)
        M.file(h, excel, DAY_MS + 2000, "C:\\Users\\dwhitfield\\a.xlsx", {"md5": "0" * 32, "sha1": "1" * 40, "sha256": "2" * 64},
               5000, prec=7)
        M.dns(h, excel, DAY_MS + 3000, "x.example", "192.0.2.9", prec=7)
        M.conn(h, excel, DAY_MS + 4000, "x.example", "192.0.2.9", scheme=True, prec=7)
        return M

    def roundtrip(self, rows, columns, newline, bom):
        data, starts = csv_export.write_csv_rows(rows, columns, newline, bom)
        header, back = csv_export.read_csv_rows(data)
        self.assertEqual(header, columns)
        self.assertEqual([line for line, _ in back], starts)
        self.assertEqual([dict(zip(header, rec)) for _, rec in back], rows)
        return data

    def test_mde_rows_round_trip(self):
        rows = [row for i, ev in enumerate(self.model("mde").events) for row in mde.render_mde(ev, 1000 + i)]
        self.assertEqual([r["ActionType"] for r in rows],
                         ["ProcessCreated", "ProcessCreated", "FileCreated", "DnsConnectionInspected", "ConnectionSuccess"])
        self.assertEqual(rows[1]["InitiatingProcessFileName"], "explorer.exe")
        self.assertEqual(json.loads(rows[3]["AdditionalFields"])["query"], "x.example")
        self.assertEqual(rows[4]["RemoteUrl"], "https://x.example")
        data = self.roundtrip(rows, mde.MDE_COLUMNS, "\r\n", False)
        self.assertEqual(data.count(b"\r\n"), data.count(b"\n"))

    def test_falcon_rows_round_trip(self):
        rows = [row for ev in self.model("crowdstrike").events for row in falcon.render_cs(ev)]
        names = [r["#event_simpleName"] for r in rows]
        self.assertEqual(names, ["ProcessRollup2", "ProcessRollup2", "OoxmlFileWritten", "DnsRequest", "NetworkConnectIP4"])
        self.assertTrue(rows[2]["TargetFileName"].startswith("\\Device\\HarddiskVolume3\\Users"))
        self.assertEqual(rows[3]["ContextProcessId"], rows[1]["TargetProcessId"])   # joined through the process
        self.roundtrip(rows, falcon.CS_COLUMNS, "\n", False)

    def test_sentinelone_rows_round_trip_with_a_bom(self):
        rows = [row for ev in self.model("sentinelone").events for row in sentinelone.render_s1(ev)]
        self.assertEqual(rows[1]["Target Process Name"], "EXCEL.EXE")
        self.assertEqual(rows[1]["Source Process Name"], "explorer.exe")
        self.assertEqual(rows[1]["Source Process User"], "ACME\\dwhitfield")
        data = self.roundtrip(rows, sentinelone.S1_COLUMNS, "\n", True)
        self.assertTrue(data.startswith(b"\xef\xbb\xbf"))

    def test_a_field_holding_crlf_moves_the_next_rows_start_line(self):
        data, starts = csv_export.write_csv_rows([{"a": "x\r\ny", "b": "1"}, {"a": "z", "b": "2"}], ["a", "b"], "\r\n", False)
        self.assertEqual(starts, [2, 4])
        self.assertEqual(list(csv.reader(io.StringIO(data.decode(), newline="")))[1], ["x\r\ny", "1"])

    def test_mde_time_prints_zero_to_seven_fraction_digits(self):
        s = DAY_MS // 1000 * 10_000_000
        self.assertEqual(mde.mde_time(s), "2026-11-02T00:00:00Z")
        self.assertEqual(mde.mde_time(s + 1_230_000), "2026-11-02T00:00:00.123Z")
        self.assertEqual(mde.mde_time(s + 1_234_567), "2026-11-02T00:00:00.1234567Z")
        self.assertEqual(TPMS, 10_000)

    def test_the_scale_row_templates_put_each_value_in_its_column(self):
        host, init = "devid,ws-0001.corp.acme-corp.example", "powershell.exe,C:\\p.exe,p.exe -c x,,acme,dw,d@x,cmd.exe"
        rows = {"T_DNS": mde.T_DNS % (host, "10.24.1.1", '"{""query"":""x.example""}"', "5"),
                "T_CONN": mde.T_CONN % (host, "https://x.example", "192.0.2.9", "443", "10.24.1.1", init, "6")}
        for name, row in rows.items():
            rec = next(csv.reader(io.StringIO("2026-11-02T00:00:00.0000000Z" + row)))
            d = dict(zip(mde.MDE_COLUMNS, rec))
            with self.subTest(template=name):
                self.assertEqual(len(rec), len(mde.MDE_COLUMNS))
                self.assertEqual(d["DeviceName"], "ws-0001.corp.acme-corp.example")
                self.assertEqual(d["LocalIP"], "10.24.1.1")
        dns = dict(zip(mde.MDE_COLUMNS, next(csv.reader(io.StringIO("t" + rows["T_DNS"])))))
        self.assertEqual((dns["ActionType"], dns["RemoteIP"], dns["RemotePort"], dns["ReportId"]),
                         ("DnsConnectionInspected", DNS_SERVER, "53", "5"))
        self.assertEqual(json.loads(dns["AdditionalFields"]), {"query": "x.example"})
        conn = dict(zip(mde.MDE_COLUMNS, next(csv.reader(io.StringIO("t" + rows["T_CONN"])))))
        self.assertEqual((conn["ActionType"], conn["RemoteIP"], conn["InitiatingProcessFileName"],
                          conn["InitiatingProcessParentFileName"], conn["ReportId"]),
                         ("ConnectionSuccess", "192.0.2.9", "powershell.exe", "cmd.exe", "6"))

if __name__ == "__main__":
    unittest.main()
