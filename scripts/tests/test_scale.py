"""The scale data set (mailscope_tools.scale, scripts/make-scale-data): the same parameters give
the same bytes whatever --jobs is, --verify notices a damaged file, every planted campaign's
mail and endpoint evidence is where the ground truth says, and --check-report compares a
report with the expected incidents."""

import csv
import gzip
import io
import json
import os
import unittest
from datetime import datetime, timezone

from mailscope_tools.scale.campaigns import plan_campaigns

from .support import GOLDEN, class_temp_dir, read_bytes, run_script, temp_dir, tree, tree_digest, write_bytes

SMALL = ["--days", "2", "--mailboxes", "60", "--messages-per-day", "4", "--edr-events-per-host", "20"]


def without_timings(manifest):
    for k in ("seconds", "seconds_world", "rate"):
        manifest.pop(k)
    for d in manifest["days"]:
        d.pop("seconds")
    manifest["params"].pop("jobs")
    return manifest


class ScaleSet(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out = os.path.join(class_temp_dir(cls), "scale")
        p = run_script("make-scale-data", *SMALL, "--jobs", "2", "--out", cls.out)
        assert p.returncode == 0, p.stderr
        with open(os.path.join(cls.out, "ground-truth.json")) as f:
            cls.truth = json.load(f)

    def gunzip(self, rel):
        return gzip.decompress(read_bytes(os.path.join(self.out, rel))).decode()

    def test_the_small_set_is_what_it_always_was(self):
        self.assertEqual(tree_digest(self.out, skip=("manifest.json",)), GOLDEN["scale 2 days x 60 mailboxes"])

    def test_the_same_parameters_give_the_same_bytes_with_one_process(self):
        again = os.path.join(temp_dir(self), "scale")
        p = run_script("make-scale-data", *SMALL, "--jobs", "1", "--out", again)
        self.assertEqual(p.returncode, 0, p.stderr)
        a, b = tree(self.out), tree(again)
        ma, mb = (without_timings(json.loads(t.pop("manifest.json"))) for t in (a, b))
        self.assertEqual(sorted(a), sorted(b))
        self.assertEqual([k for k in a if a[k] != b[k]], [])
        self.assertEqual(ma, mb)

    def test_verify_reads_every_file_back(self):
        p = run_script("make-scale-data", "--verify", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("0 error(s)", p.stderr)

    def test_verify_names_a_damaged_file(self):
        copy = os.path.join(temp_dir(self), "scale")
        for rel, data in tree(self.out).items():
            os.makedirs(os.path.dirname(os.path.join(copy, rel)), exist_ok=True)
            write_bytes(os.path.join(copy, rel), data)
        victim = next(f["path"] for f in json.loads(read_bytes(os.path.join(copy, "manifest.json")))["files"]
                      if f["kind"] == "siem_v2")
        lines = gzip.decompress(read_bytes(os.path.join(copy, victim))).split(b"\n")
        write_bytes(os.path.join(copy, victim), gzip.compress(b"\n".join(lines[:-2] + [b""])))
        p = run_script("make-scale-data", "--verify", copy)
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"{victim}: SHA-256 differs from the manifest", p.stderr)
        self.assertIn(f"{victim}: {len(lines) - 2} records, manifest says {len(lines) - 1}", p.stderr)

    def test_every_campaign_is_planted_and_its_mail_is_in_the_receipts(self):
        self.assertEqual(sorted(c["id"] for c in self.truth["campaigns"]),
                         ["bec-ceo-wire", "credential-phish-lookalike", "malicious-attachment-macro", "partner-compromise-retro"])
        mids = set()
        for f in json.loads(read_bytes(os.path.join(self.out, "manifest.json")))["files"]:
            if f["path"].startswith("siem_v2/") and "/receipt_" in f["path"]:
                mids |= {(json.loads(x).get("messageId") or "").strip("<>") for x in self.gunzip(f["path"]).splitlines()}
        for c in self.truth["campaigns"]:
            with self.subTest(campaign=c["id"]):
                self.assertTrue(set(c["message_ids"]) <= mids)

    def test_every_evidence_row_is_where_the_ground_truth_says(self):
        checked = 0
        for c in self.truth["campaigns"]:
            for h in c["hosts"]:
                for ev in h["evidence"]:
                    text = self.gunzip(ev["file"])
                    row = next(csv.reader(io.StringIO(text.split("\r\n")[ev["line"] - 1])))
                    header = text.split("\r\n", 1)[0].split(",")
                    d = dict(zip(header, row))
                    with self.subTest(campaign=c["id"], step=ev["step"]):
                        self.assertEqual(d["ActionType"], ev["event_type"])
                        self.assertEqual(d["DeviceName"].split(".")[0].upper(), h["host"])
                        self.assertEqual(d["Timestamp"], ev["time"])
                    checked += 1
        self.assertGreater(checked, 5)

    def test_check_report_compares_the_incidents(self):
        incidents = []
        for e in self.truth["expected_incidents"]:
            people = [{"user": u, "stage": e.get("stages", {}).get(u, "delivery")} for u in e["recipients"]]
            incidents.append({"key": e["key"], "severity": e["severity"], "stage": e.get("stage"), "people": people,
                              "host_details": [{"host": k, "stage": v} for k, v in e.get("hosts", {}).items()],
                              "title": "t"})
        report = os.path.join(temp_dir(self), "report.json")
        write_bytes(report, json.dumps({"incidents": incidents}).encode())
        p = run_script("make-scale-data", "--check-report", self.out, report)
        self.assertEqual(p.returncode, 0, p.stdout)
        incidents[0]["severity"] = "info"
        write_bytes(report, json.dumps({"incidents": incidents[1:] + incidents[:1]}).encode())
        self.assertIn("DIFFERS", run_script("make-scale-data", "--check-report", self.out, report).stdout)
        write_bytes(report, json.dumps({"incidents": incidents[1:]}).encode())
        p = run_script("make-scale-data", "--check-report", self.out, report)
        self.assertEqual(p.returncode, 1)
        self.assertIn("MISSING", p.stdout)


class CampaignDays(unittest.TestCase):
    def test_campaigns_fall_on_weekdays_after_the_first_day(self):
        start = int(datetime(2026, 8, 5, tzinfo=timezone.utc).timestamp())
        for days in (2, 7, 30, 90):
            plan = plan_campaigns(days, start)
            for cid, d in plan.items():
                with self.subTest(days=days, campaign=cid):
                    self.assertTrue(1 <= d < days)
                    self.assertLess(datetime.fromtimestamp(start + d * 86400, timezone.utc).weekday(), 5)
        self.assertEqual(len(set(plan_campaigns(90, start).values())), 4)


if __name__ == "__main__":
    unittest.main()
