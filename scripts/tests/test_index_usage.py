"""index-usage (mailscope_tools.bench.index_usage): which statements use which index, on a small
database whose plans are known, with a rule catalog and a SQL trace written for it."""

import json
import os
import sqlite3
import unittest

from mailscope_tools.bench import index_usage

from .support import run_script, temp_dir

RULE = """id: MS-T-001
title: t
sql: |
  SELECT id FROM mail_message
  WHERE recipient = :who AND ts BETWEEN :since AND :until
params:
  who: "a@x"
"""

SOURCE = 'let sql = """\nSELECT ts FROM mail_message WHERE message_id = ?\n"""\n'


class IndexUsage(unittest.TestCase):
    def setUp(self):
        self.dir = temp_dir(self)
        self.db = os.path.join(self.dir, "case.db")
        db = sqlite3.connect(self.db)
        db.executescript("""
            CREATE TABLE mail_message (id INTEGER PRIMARY KEY, ts INTEGER, recipient TEXT, message_id TEXT, sender TEXT);
            CREATE INDEX mail_message_rcpt ON mail_message(recipient, ts);
            CREATE INDEX mail_message_msgid ON mail_message(message_id);
            CREATE INDEX mail_message_sender ON mail_message(sender);
            INSERT INTO mail_message (ts, recipient, message_id, sender) VALUES (1, 'a@x', 'm1', 's@y'), (2, 'b@x', 'm2', 's@y');
        """)
        db.commit()
        db.close()
        self.rules = os.path.join(self.dir, "rules")
        os.makedirs(self.rules)
        with open(os.path.join(self.rules, "MS-T-001.yml"), "w") as f:
            f.write(RULE)
        self.sources = os.path.join(self.dir, "Sources")
        os.makedirs(os.path.join(self.sources, "Investigate"))
        with open(os.path.join(self.sources, "Investigate", "MessageTrace.swift"), "w") as f:
            f.write(SOURCE)
        self.trace = os.path.join(self.dir, "trace.jsonl")
        with open(self.trace, "w") as f:
            for sql, expanded in [("PRAGMA user_version", "PRAGMA user_version"),
                                  ("SELECT ts FROM mail_message WHERE message_id = ?",
                                   "SELECT ts FROM mail_message WHERE message_id = 'm1'"),
                                  ("SELECT id FROM mail_message\nWHERE recipient = :who AND ts BETWEEN :since AND :until",
                                   "SELECT id FROM mail_message\nWHERE recipient = 'a@x' AND ts BETWEEN 0 AND 9")]:
                f.write(json.dumps({"sql": sql, "expanded": expanded}) + "\n")

    def test_each_index_lists_the_rules_and_traced_statements_that_use_it(self):
        result = index_usage.analyse(self.db, [self.trace], self.rules, without=True, sources=self.sources)
        self.assertEqual(result["failed"], {})
        indexes = result["indexes"]
        self.assertEqual(indexes["mail_message_rcpt"]["statements"],
                         ["MS-T-001", "run of MS-T-001: SELECT id FROM mail_message WHERE recipient = :who AND ts BETWEEN :sin"])
        self.assertEqual(indexes["mail_message_msgid"]["statements"],
                         ["Investigate/MessageTrace.swift: SELECT ts FROM mail_message WHERE message_id = ?"])
        self.assertEqual(indexes["mail_message_rcpt"]["needed_by"], indexes["mail_message_rcpt"]["statements"])
        self.assertEqual(indexes["mail_message_sender"]["statements"], [])
        self.assertEqual(indexes["mail_message_sender"]["plans_changed_without_it"], [])   # no plan needs it
        self.assertNotIn("plans_changed_without_it", indexes["mail_message_rcpt"])
        self.assertEqual(result["events"], 2)
        self.assertGreater(indexes["mail_message_rcpt"]["bytes"], 0)
        self.assertEqual(result["statements"], 3)                 # the PRAGMA is not planned
        # The what-if drop was rolled back.
        names = {r[0] for r in sqlite3.connect(self.db).execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        self.assertIn("mail_message_sender", names)

    def test_the_script_prints_a_markdown_table_and_fails_on_sql_that_does_not_plan(self):
        with open(os.path.join(self.rules, "MS-T-002.yml"), "w") as f:
            f.write("id: MS-T-002\nsql: SELECT nope FROM absent_table\n")
        done = run_script("index-usage", self.db, "--rules", self.rules, "--markdown")
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("| `mail_message_rcpt` |", done.stdout)
        self.assertIn("| `mail_message_sender` | ", done.stdout)
        self.assertIn("**none**", done.stdout)


if __name__ == "__main__":
    unittest.main()
