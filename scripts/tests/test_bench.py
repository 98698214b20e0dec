"""The benchmarks' inputs (mailscope_tools.bench): the generators are deterministic, every event
type and ActionType has its fields, the files are reproducible gzip, and the peers' query set
is spelt for each engine."""

import contextlib
import csv
import gzip
import hashlib
import io
import json
import unittest
from pathlib import Path

from mailscope_tools.bench import edr_data, peer_children, siem_data

from .support import GOLDEN, read_bytes, temp_dir


def quiet(fn, *args):
    """fn(*args) without its progress lines on stderr."""
    with contextlib.redirect_stderr(io.StringIO()):
        return fn(*args)


class SiemInput(unittest.TestCase):
    def test_the_same_seed_gives_the_same_events(self):
        a, b = siem_data.Generator(7), siem_data.Generator(7)
        self.assertEqual([a.event() for _ in range(500)], [b.event() for _ in range(500)])

    def test_the_events_are_what_they_always_were(self):
        g = siem_data.Generator(siem_data.SEED)
        text = "".join(json.dumps(g.event(), sort_keys=True) for _ in range(2000))
        self.assertEqual(hashlib.sha256(text.encode()).hexdigest(), GOLDEN["bench-ingest first 2000 events"])

    def test_every_type_has_its_fields(self):
        g = siem_data.Generator(1)
        seen = {}
        for _ in range(5000):
            e = g.event()
            seen.setdefault(e["type"], e)
        self.assertEqual(set(seen), {t for t, _ in siem_data.TYPE_MIX})
        self.assertEqual(set(siem_data.FIELDS), set(seen))
        required = {"receipt": "senderIp", "process": "emailSize", "delivery": "deliveryTime", "spam": "senderDomain",
                    "journal": "senderEnvelope", "attachment protect": "sha256", "url protect": "url",
                    "impersonation protect": "policyDefinition", "av": "virusFound"}
        for t, field in required.items():
            with self.subTest(type=t):
                self.assertIn(field, seen[t])
                self.assertTrue(seen[t]["aggregateId"] and seen[t]["processingId"])

    def test_the_file_is_reproducible_gzip_ndjson(self):
        d = Path(temp_dir(self))
        meta = quiet(siem_data.generate, d, 1)
        blob = read_bytes(meta["file"])
        self.assertEqual(blob[4:8], b"\0\0\0\0")
        lines = gzip.decompress(blob).decode().splitlines()
        self.assertEqual(len(lines), meta["events"])
        self.assertEqual(sum(meta["type_counts"].values()), meta["events"])
        self.assertTrue(all(json.loads(x)["accountId"] == "CUSB4A274" for x in lines[:100]))
        again = quiet(siem_data.generate, Path(temp_dir(self)), 1)
        self.assertEqual(read_bytes(again["file"]), blob)


class EdrInput(unittest.TestCase):
    def test_every_row_has_every_column_and_every_action_occurs(self):
        g = edr_data.EdrGenerator(3)
        rows = [g.row() for _ in range(3000)]
        self.assertTrue(all(len(r) == len(edr_data.EDR_COLUMNS) for r in rows))
        self.assertEqual({r[3] for r in rows}, set(edr_data.ROWS))
        dns = next(r for r in rows if r[3] == "DnsConnectionInspected")
        self.assertIn(json.loads(dns[edr_data.EDR_COLUMNS.index("AdditionalFields")])["rcode_name"], ("NOERROR", "NXDOMAIN"))

    def test_the_rows_are_what_they_always_were(self):
        g = edr_data.EdrGenerator(edr_data.CSV_SEED)
        text = json.dumps([g.row() for _ in range(2000)])
        self.assertEqual(hashlib.sha256(text.encode()).hexdigest(), GOLDEN["bench-ingest first 2000 CSV rows"])

    def test_the_same_seed_gives_the_same_rows(self):
        a, b = edr_data.EdrGenerator(3), edr_data.EdrGenerator(3)
        self.assertEqual([a.row() for _ in range(300)], [b.row() for _ in range(300)])

    def test_the_csv_parses_back_to_its_rows(self):
        meta = quiet(edr_data.generate_csv, Path(temp_dir(self)), 2000)
        text = gzip.decompress(read_bytes(meta["file"])).decode()
        rows = list(csv.reader(io.StringIO(text, newline="")))
        self.assertEqual(rows[0], edr_data.EDR_COLUMNS)
        self.assertEqual(len(rows) - 1, 2000)
        self.assertTrue(all(len(r) == len(edr_data.EDR_COLUMNS) for r in rows))


class PeerQueries(unittest.TestCase):
    def test_epoch_is_spelt_per_engine(self):
        sql = "SELECT {epoch(a.date)} + 1"
        self.assertEqual(peer_children.spell(sql, "sqlite"), "SELECT CAST(strftime('%s', substr(a.date, 1, 19)) AS INTEGER) + 1")
        self.assertIn("epoch(CAST(substr(CAST(a.date AS VARCHAR)", peer_children.spell(sql, "duckdb"))
        for name, (_what, q) in peer_children.QUERIES.items():
            with self.subTest(query=name):
                self.assertNotIn("{epoch", peer_children.spell(q, "sqlite"))


if __name__ == "__main__":
    unittest.main()
