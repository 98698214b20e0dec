"""The Public Suffix List compiled into MailScope (mailscope_tools.public_suffix): rules parsed
as the list's format says, the version taken from the list's header (or, for a list older
than its header lines, from KNOWN_LISTS), and --check noticing a stale or edited file."""

import os
import shutil
import unittest

from mailscope_tools import public_suffix as psl

from .support import read_bytes, run_script, temp_dir, write_bytes

HEADED = b"""// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0.

// VERSION: 2025-06-24_08-07-41_UTC
// COMMIT: 0123456789abcdef0123456789abcdef01234567

// ===BEGIN ICANN DOMAINS===
ac
com.ac   trailing text after whitespace is not part of the rule
  // an indented comment

*.ck
!www.ck\r
"""


class Rules(unittest.TestCase):
    def test_comments_blank_lines_and_text_after_whitespace_are_dropped(self):
        self.assertEqual(psl.rules(HEADED.decode()), ["ac", "com.ac", "*.ck", "!www.ck"])

    def test_the_kept_list_has_the_rules_the_swift_file_has(self):
        rules = psl.rules(read_bytes(psl.DATA).decode())
        with open(psl.SWIFT, encoding="utf-8") as f:
            swift = f.read()
        body = swift.split('static let rulesText = #"""\n', 1)[1].split('\n"""#', 1)[0]
        self.assertEqual(body.split("\n"), rules)
        self.assertIn("co.uk", rules)
        self.assertIn("*.kawasaki.jp", rules)


class Provenance(unittest.TestCase):
    def test_the_version_and_commit_come_from_the_lists_header(self):
        p = psl.provenance(HEADED)
        self.assertEqual((p["version"], p["commit"]), ("2025-06-24_08-07-41_UTC", "0123456789abcdef0123456789abcdef01234567"))
        self.assertEqual(len(p["sha256"]), 64)

    def test_the_kept_february_2023_list_is_known_by_its_hash(self):
        p = psl.provenance(read_bytes(psl.DATA))
        self.assertEqual(p["version"], "2023-02-09_23-26-35_UTC")
        self.assertEqual(p["commit"], "9e8325c62adb9f7c6211cb7c4f6970a27fcb67f1")
        self.assertEqual(p["sha256"], "87d2e11f3602b504fc5dbea9218429a4ce3c0f62aa6ce7a1371024add024baed")

    def test_a_list_without_header_lines_and_unknown_is_refused(self):
        edited = read_bytes(psl.DATA) + b"example-new-suffix.example\n"
        with self.assertRaises(psl.ListError) as e:
            psl.provenance(edited)
        self.assertIn("no // VERSION: and // COMMIT: lines", str(e.exception))

    def test_the_generated_file_records_what_it_was_made_from(self):
        self.assertEqual(psl.recorded(psl.swift(HEADED)),
                         {"version": "2025-06-24_08-07-41_UTC", "commit": "0123456789abcdef0123456789abcdef01234567",
                          "sha256": psl.provenance(HEADED)["sha256"]})


class Check(unittest.TestCase):
    def copies(self):
        d = temp_dir(self)
        data, swift = os.path.join(d, "list.dat"), os.path.join(d, "Rules.swift")
        shutil.copyfile(psl.DATA, data)
        shutil.copyfile(psl.SWIFT, swift)
        return data, swift

    def test_the_committed_file_is_current(self):
        self.assertEqual(psl.check(), [])
        p = run_script("update-public-suffix-list", "--check")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("2023-02-09_23-26-35_UTC", p.stdout)

    def test_an_edited_version_constant_is_reported(self):
        data, swift = self.copies()
        with open(swift, encoding="utf-8") as f:
            text = f.read()
        write_bytes(swift, text.replace('version = "2023-02-09_23-26-35_UTC"', 'version = "2024-01-01_00-00-00_UTC"').encode())
        problems = psl.check(data, swift)
        self.assertIn("records version 2024-01-01_00-00-00_UTC", problems[0])
        self.assertIn("is not what", problems[1])

    def test_an_edited_rule_is_reported(self):
        data, swift = self.copies()
        with open(swift, encoding="utf-8") as f:
            text = f.read()
        write_bytes(swift, text.replace("\nco.uk\n", "\nco.uk\nevil.co.uk\n").encode())
        self.assertEqual(len(psl.check(data, swift)), 2)

    def test_a_changed_list_makes_the_generated_file_stale(self):
        data, swift = self.copies()
        write_bytes(data, HEADED)
        problems = psl.check(data, swift)
        self.assertTrue(any("records version 2023-02-09_23-26-35_UTC" in p and "has 2025-06-24_08-07-41_UTC" in p
                            for p in problems), problems)
        psl.update(HEADED, data, swift)
        self.assertEqual(psl.check(data, swift), [])

    def test_updating_from_an_unknown_list_writes_nothing(self):
        data, swift = self.copies()
        before = read_bytes(swift)
        with self.assertRaises(psl.ListError):
            psl.update(b"ac\n", data, swift)
        self.assertEqual((read_bytes(data), read_bytes(swift)), (read_bytes(psl.DATA), before))

    def test_without_a_network_the_download_says_what_to_do(self):
        with self.assertRaises(psl.ListError) as e:
            psl.download("http://127.0.0.1:9/public_suffix_list.dat")
        self.assertIn("pass a list file instead", str(e.exception))


if __name__ == "__main__":
    unittest.main()
