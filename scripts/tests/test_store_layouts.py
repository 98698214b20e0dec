"""store-experiment (mailscope_tools.bench.store_layouts): each layout reads back the same rows under
the same names and keeps its indexes (interned columns by key), and the rules are compared on both."""

import os
import sqlite3
import unittest

from mailscope_tools.bench import store_layouts as layouts

from .support import run_script, temp_dir

RULE = """id: MS-T-001
title: t
sql: |
  SELECT m.id, m.subject FROM mail_message m
  WHERE m.sender_domain = :domain AND m.ts BETWEEN :since AND :until
params:
  domain: "evil.example"
"""

# Thirty columns interned by a join each: three copies of the view in one query pass SQLite's
# limit of 64 tables in a join, as the `all` variant does on the real schema.
WIDE = ", ".join(f"c{i} TEXT" for i in range(30))
SELF_JOIN = """id: MS-T-002
title: t
sql: |
  SELECT a.id FROM mail_message a JOIN mail_message b ON b.id = a.id JOIN mail_message c ON c.id = b.id
  WHERE a.ts BETWEEN :since AND :until
"""


class Interning(unittest.TestCase):
    def setUp(self):
        self.dir = temp_dir(self)
        self.db = os.path.join(self.dir, "case.db")
        db = sqlite3.connect(self.db)
        db.executescript(f"""
            CREATE TABLE mail_message (id INTEGER PRIMARY KEY, file_id INTEGER, line_no INTEGER, dedup BLOB, ts INTEGER,
                event TEXT, sender TEXT, sender_domain TEXT, subject TEXT, message_id TEXT, extra TEXT, {WIDE});
            CREATE INDEX mail_message_sender_domain ON mail_message(sender_domain, ts);
            CREATE INDEX mail_message_msgid ON mail_message(message_id);
            CREATE INDEX mail_message_receipt ON mail_message(ts) WHERE event = 'receipt';
        """)
        rows = [(i, 1, i, bytes([i]), 1000 + i, "receipt" if i % 2 else "delivery", f"s{i % 3}@evil.example",
                 "evil.example" if i % 3 else "good.example", "Invoice <b>\\u0000'; DROP TABLE x;--" if i % 2 else None,
                 f"m{i}@x", '{"k":1}', *[f"v{i % 4}"] * 30) for i in range(1, 41)]
        db.executemany(f"INSERT INTO mail_message VALUES ({', '.join('?' * 41)})", rows)
        db.commit()
        db.close()
        self.rules = os.path.join(self.dir, "rules")
        os.makedirs(self.rules)
        for name, text in (("MS-T-001.yml", RULE), ("MS-T-002.yml", SELF_JOIN)):
            with open(os.path.join(self.rules, name), "w", encoding="utf-8") as f:
                f.write(text)

    def rows(self, path):
        db = sqlite3.connect(path)
        try:
            return db.execute("SELECT * FROM mail_message ORDER BY id").fetchall()
        finally:
            db.close()

    def test_each_variant_reads_back_every_row_under_the_same_names(self):
        before = self.rows(self.db)
        for variant in ("interned-all", "interned-mixed", "interned-display"):
            target = os.path.join(self.dir, f"{variant}.db")
            interned = layouts.build(self.db, target, variant)["mail_message"]
            self.assertEqual(self.rows(target), before, variant)
            db = sqlite3.connect(target)
            kind = db.execute("SELECT type FROM sqlite_master WHERE name = 'mail_message'").fetchone()[0]
            index = db.execute("SELECT tbl_name, sql FROM sqlite_master WHERE name = 'mail_message_sender_domain'").fetchone()
            partial = db.execute("SELECT sql FROM sqlite_master WHERE name = 'mail_message_receipt'").fetchone()[0]
            db.close()
            self.assertEqual(kind, "view", variant)
            self.assertEqual(index[0], "mail_message_row", variant)
            self.assertIn("WHERE event = 'receipt'", partial)
            if variant == "interned-display":
                self.assertNotIn("sender_domain", interned)
                self.assertIn("sender_domain, ts", index[1])
            else:
                self.assertEqual(interned["sender_domain"], "join")
                self.assertIn("sender_domain_k, ts", index[1])
        self.assertEqual(layouts.interned_columns([("message_id", "TEXT")], "interned-all"), {"message_id": "join"})
        self.assertEqual(layouts.interned_columns([("message_id", "TEXT")], "interned-mixed"), {})
        self.assertEqual(layouts.interned_columns([("subject", "TEXT"), ("ts", "INTEGER"), ("event", "TEXT")], "interned-display"),
                         {"subject": "subquery"})

    def test_rules_are_compared_and_the_join_limit_is_reported(self):
        result = layouts.experiment(self.db, work=self.dir, repeat=1, rules_dir=self.rules)
        self.assertEqual(result["events"], 40)
        for variant, figures in result["variants"].items():
            self.assertTrue(figures["rules"]["MS-T-001"]["same_rows"], variant)
            self.assertGreater(figures["bytes_per_event"], 0)
        self.assertEqual(result["variants"]["interned-all"]["rules_failing"], ["MS-T-002"])
        self.assertIn("64 tables", result["variants"]["interned-all"]["rules"]["MS-T-002"]["error"])
        for variant in ("interned-mixed", "interned-display", "partitioned"):
            self.assertEqual(result["variants"][variant]["rules_failing"], [], variant)
            self.assertTrue(result["variants"][variant]["rules"]["MS-T-002"]["same_rows"], variant)
        self.assertEqual(sorted(os.listdir(self.dir)), ["case.db", "rules"])   # the copies are removed

    def test_partitions_split_at_the_median_time_and_keep_every_row_and_index(self):
        before = self.rows(self.db)
        target = os.path.join(self.dir, "partitioned.db")
        cuts = layouts.build_partitioned(self.db, target)
        self.assertEqual(cuts, {"mail_message": 1021})
        self.assertEqual(self.rows(target), before)
        db = sqlite3.connect(target)
        counts = [db.execute(f"SELECT COUNT(*) FROM mail_message_{p}").fetchone()[0] for p in ("p1", "p2")]
        indexes = sorted(n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"))
        db.close()
        self.assertEqual(counts, [20, 20])
        self.assertEqual(indexes, [f"{i}_{p}" for i in ("mail_message_msgid", "mail_message_receipt", "mail_message_sender_domain")
                                   for p in ("p1", "p2")])

    def test_the_script_refuses_an_unknown_layout(self):
        done = run_script("store-experiment", self.db, "--layouts", "columnar")
        self.assertEqual(done.returncode, 2)
        self.assertIn("unknown layout columnar", done.stderr)


if __name__ == "__main__":
    unittest.main()
