"""store-bytes (mailscope_tools.bench.store_bytes): rows, pages and value bytes of a database,
read back on a small one whose sizes are known."""

import json
import os
import sqlite3
import unittest

from mailscope_tools.bench import store_bytes

from .support import run_script, temp_dir


class StoreBytes(unittest.TestCase):
    def database(self):
        path = os.path.join(temp_dir(self), "case.db")
        db = sqlite3.connect(path)
        db.executescript("""
            CREATE TABLE mail_message (id INTEGER PRIMARY KEY, message_id TEXT, size INTEGER, score REAL, extra TEXT);
            CREATE INDEX mail_message_msgid ON mail_message(message_id);
            CREATE TABLE finding (id INTEGER PRIMARY KEY, note TEXT);
            INSERT INTO mail_message (message_id, size, score, extra) VALUES
                ('a@x', 0, NULL, NULL), ('bb@x', 200, 1.5, '{"k":1}'), ('é@x', 70000, NULL, NULL);
            INSERT INTO finding (note) VALUES ('not an event');
        """)
        db.commit()
        db.close()
        return path

    def test_rows_and_value_bytes_are_counted_as_sqlite_stores_them(self):
        result = store_bytes.measure(self.database(), ["mail_message"])
        self.assertEqual(result["events"], 3)                      # finding is not an event table
        table = result["tables"]["mail_message"]
        self.assertEqual(table["rows"], 3)
        self.assertEqual(set(table["indexes"]), {"mail_message_msgid"})
        self.assertGreater(table["table_bytes"], 0)
        columns = result["column_value_bytes"]["mail_message"]
        self.assertEqual(columns["message_id"]["bytes"], 3 + 4 + 4)   # UTF-8 bytes, not characters
        self.assertEqual(columns["size"]["bytes"], 0 + 2 + 3)         # 0 in the header, 200 in 2, 70000 in 3
        self.assertEqual(columns["score"]["bytes"], 8)
        self.assertEqual(columns["extra"]["bytes"], 7)
        self.assertEqual(result["bytes_per_event"], round(result["file_bytes"] / 3, 1))

    def test_the_script_writes_json(self):
        path = self.database()
        out = os.path.join(os.path.dirname(path), "bytes.json")
        done = run_script("store-bytes", path, "--columns", "mail_message", "--out", out)
        self.assertEqual(done.returncode, 0, done.stderr)
        with open(out) as f:
            self.assertEqual(json.load(f)["tables"]["mail_message"]["rows"], 3)
        missing = run_script("store-bytes", path + ".absent")
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn("no such database", missing.stderr)


if __name__ == "__main__":
    unittest.main()
