"""The Acme Corp scenario (mailscope_tools.scenario): the generator writes the committed
fixtures, the same bytes every time, every planted attack is in the files as its ground truth
says, and --check notices when a file changes."""

import contextlib
import gzip
import io
import json
import os
import unittest

from mailscope_tools.paths import ROOT
from mailscope_tools.scenario import generate as scenario
from mailscope_tools.scenario.check import check
from mailscope_tools.scenario.org import build_org
from mailscope_tools.scenario.truth import agg_base

from .support import class_temp_dir, read_bytes, temp_dir, tree, write_bytes

FIXTURES = os.path.join(ROOT, "fixtures", "scenario")


def quietly(fn, *args):
    """fn(*args) with its stdout and stderr captured: (result, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        result = fn(*args)
    return result, out.getvalue(), err.getvalue()


def v2_events(folder, truth):
    events = []
    for f in truth["files"]:
        if f["format"].startswith("siem_v2"):
            data = gzip.decompress(read_bytes(os.path.join(folder, f["path"]))).decode()
            events += [json.loads(line) for line in data.splitlines() if line]
    return events


def ttp_records(folder, truth, key):
    recs = []
    for f in truth["files"]:
        if f["path"].startswith("ttp/"):
            doc = json.loads(gzip.decompress(read_bytes(os.path.join(folder, f["path"]))))
            recs += doc["data"][0].get(key, [])
    return recs


class GeneratedScenario(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out = os.path.join(class_temp_dir(cls), "scenario")
        cls.truth = scenario.generate(cls.out)

    def test_the_generator_writes_exactly_the_committed_fixtures(self):
        written, committed = tree(self.out), tree(FIXTURES)
        self.assertEqual(sorted(written), sorted(committed))
        differing = [p for p in written if written[p] != committed[p]]
        self.assertEqual(differing, [], "fixtures/scenario differs from the generator's output")

    def test_a_second_run_writes_the_same_bytes(self):
        again = os.path.join(temp_dir(self), "scenario")
        scenario.generate(again)
        self.assertEqual(tree(again), tree(self.out))

    def test_check_passes_on_what_the_generator_wrote(self):
        code, out, err = quietly(check, self.out)
        self.assertEqual(code, 0, err)
        self.assertIn("0 error(s); 40 duplicate v2 events", out)

    def test_every_planted_attack_has_its_mail_events(self):
        events = v2_events(self.out, self.truth)
        self.assertEqual([a["id"] for a in self.truth["attacks"]],
                         ["malicious-attachment", "credential-phish-url", "bec-impersonation"])
        for attack in self.truth["attacks"]:
            aggs = set(attack["aggregate_ids"])
            mine = [e for e in events if agg_base(e["aggregateId"]) in aggs]
            receipts = {e["recipients"] for e in mine if e["type"] == "receipt"}
            delivered = {e["recipients"] for e in mine if e["type"] == "delivery" and e["delivered"] == "true"}
            with self.subTest(attack=attack["id"]):
                self.assertEqual(receipts, set(attack["recipients"]))
                self.assertEqual(delivered, set(attack["delivered_recipients"]))
                self.assertFalse(delivered & set(attack["held_recipients"]))

    def test_the_attacks_ttp_records_are_in_the_logs(self):
        a1, a2, a3 = self.truth["attacks"]
        mids = lambda a: {m for m in a["message_ids"]}
        ap = [x for x in ttp_records(self.out, self.truth, "attachmentLogs") if x["messageId"].strip("<>") in mids(a1)]
        self.assertEqual(sorted(x["recipientAddress"] for x in ap), a1["recipients"])
        self.assertTrue(all(x["result"] == "malicious" and x["fileHash"] == a1["attachment"]["sha256"] for x in ap))
        clicks = [x for x in ttp_records(self.out, self.truth, "clickLogs")
                  if (x["messageId"] or "").strip("<>") in mids(a2) and x["creationMethod"] == "User Click"]
        self.assertEqual(sorted(x["userEmailAddress"] for x in clicks), sorted(c["user"] for c in a2["clickers"]))
        imp = [x for x in ttp_records(self.out, self.truth, "impersonationLogs") if x["messageId"].strip("<>") in mids(a3)]
        self.assertEqual(sorted(x["recipientAddress"] for x in imp), a3["recipients"])

    def test_the_endpoint_identities_split_as_documented(self):
        self.assertEqual(self.truth["edr"]["identity_resolution_counts"],
                         {"ambiguous": 2, "directory": 56, "local_part": 8, "upn": 134})
        self.assertEqual(sum(self.truth["edr"]["hosts_by_product"].values()), 200)

    def test_check_flags_a_changed_file(self):
        copy = os.path.join(temp_dir(self), "scenario")
        for rel, data in tree(self.out).items():
            os.makedirs(os.path.dirname(os.path.join(copy, rel)), exist_ok=True)
            write_bytes(os.path.join(copy, rel), data)
        victim = "siem_v1/2026-11-01/jrnl_20261102000016020.json"
        doc = json.loads(read_bytes(os.path.join(copy, victim)))
        doc["data"].pop()
        write_bytes(os.path.join(copy, victim), (json.dumps(doc) + "\n").encode())
        code, _out, err = quietly(check, copy)
        self.assertEqual(code, 1)
        self.assertIn(f"{victim}: sha256 differs", err)
        self.assertIn("records, truth says", err)


class Organisation(unittest.TestCase):
    def test_two_hundred_distinct_mailboxes_with_the_fixed_cast(self):
        users = build_org()
        addresses = [u["address"] for u in users]
        self.assertEqual(len(addresses), 200)
        self.assertEqual(len(set(addresses)), 200)
        self.assertEqual(addresses, sorted(addresses))
        self.assertIn("dana.whitfield@acme-corp.example", addresses)
        self.assertIn("soren.nygaard@acme-corp.example", addresses)   # Søren, ASCII-folded

    def test_the_same_people_every_time(self):
        self.assertEqual(build_org(), build_org())


if __name__ == "__main__":
    unittest.main()
