"""The scenario families (mailscope_tools.families): a seed always writes the same folder, seeds
vary what the families say they vary (names, products, delays), every case's evidence is in
the exports it claims, and the scorer tells a right report from a wrong one."""

import csv
import json
import os
import unittest
from datetime import datetime, timezone

from mailscope_tools.families import plant, score
from mailscope_tools.writers import falcon, mde, sentinelone

from .support import GOLDEN, read_bytes, temp_dir, tree, tree_digest


def lines(path):
    with open(path) as f:
        return [json.loads(x) for x in f if x.strip()]


def ms(iso):
    """Milliseconds of 2026-11-02T08:15:00.123Z."""
    return int(datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp() * 1000)


def csv_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


class Seeds(unittest.TestCase):
    def test_a_seed_writes_the_same_bytes_every_time(self):
        a, b = (os.path.join(temp_dir(self), "seed-3") for _ in range(2))
        plant.plant(3, a)
        plant.plant(3, b)
        self.assertEqual(tree(a), tree(b))

    def test_seed_one_writes_what_it_always_has(self):
        out = os.path.join(temp_dir(self), "seed-1")
        plant.plant(1, out)
        self.assertEqual(tree_digest(out), GOLDEN["families seed 1"])

    def test_seeds_vary_names_delays_and_the_late_verdicts_product(self):
        folders = [os.path.join(temp_dir(self), f"seed-{seed}") for seed in range(1, 9)]
        truths = [plant.plant(seed, folder) for seed, folder in zip(range(1, 9), folders)]
        indicators = [{c["indicator"] for c in t["cases"]} for t in truths]
        for i in range(len(indicators)):
            for j in range(i + 1, len(indicators)):
                self.assertLessEqual(len(indicators[i] & indicators[j]), 2, f"seeds {i + 1} and {j + 1}")
        late = {next(c["product"] for c in t["cases"] if c["family"] == "late-verdict") for t in truths}
        self.assertGreater(len(late), 1, "late-verdict ran on one product for eight seeds")
        delays = set()
        for t, folder in zip(truths, folders):
            c = next(c for c in t["cases"] if c["family"] == "attachment-c2" and c["product"] == "mde")
            rows = [r for r in csv_rows(os.path.join(folder, "mde_advanced_hunting.csv"))
                    if r["DeviceName"].split(".")[0] == c["hosts"][0]]
            opened = next(r["Timestamp"] for r in rows if r["ActionType"] == "FileCreated")
            called = next(r["Timestamp"] for r in rows if r["ActionType"] == "ConnectionSuccess")
            delays.add(ms(called) - ms(opened))
        self.assertGreater(len(delays), 4, "the script host called back after the same delay for different seeds")

    def test_every_family_is_planted_and_the_endpoint_ones_on_every_product(self):
        truth = plant.plant(1, temp_dir(self))
        self.assertEqual(len(truth["cases"]), 22)
        by_family = {}
        for c in truth["cases"]:
            by_family.setdefault(c["family"], []).append(c.get("product"))
        for family in ("attachment-c2", "archive-script"):
            self.assertEqual(sorted(by_family[family]), ["crowdstrike", "mde", "sentinelone"], family)
        self.assertEqual(by_family["click-download-run"], ["mde"])
        self.assertEqual(sorted(by_family["click-reach"]), ["crowdstrike", "sentinelone"])
        self.assertEqual(len(by_family), 17)


    def test_the_administration_families_leave_the_earlier_families_data_as_it_was(self):
        """The administration families come last and their extra people come from their own
        stream: the rows the earlier families wrote for a seed are the first rows of each file."""
        truth = plant.plant(4, temp_dir(self))
        earlier = [c for c in truth["cases"] if c["family"] not in
                   ("admin-release-exec", "allow-list-campaign", "allow-list-partner", "console-brute-force", "console-typo")]
        self.assertEqual(len(earlier), 17)
        self.assertEqual([c["family"] for c in truth["cases"][:17]], [c["family"] for c in earlier])

    def test_every_row_of_a_message_carries_its_aggregate_id(self):
        """Receipt, hold and delivery rows of one message (a delivery after a release too) share
        the aggregateId, whose suffix is the message's receipt time, as Mimecast writes it."""
        released = 0
        for seed in range(1, 9):
            out = temp_dir(self)
            plant.plant(seed, out)
            rows = lines(os.path.join(out, "receipt_0001.json")) + lines(os.path.join(out, "delivery_0001.json"))
            by_message = {}
            for r in rows:
                by_message.setdefault(r["messageId"], set()).add(r["aggregateId"])
            self.assertEqual({m: a for m, a in by_message.items() if len(a) > 1}, {}, f"seed {seed}")
            released += sum(1 for r in lines(os.path.join(out, "delivery_0001.json"))
                            if any(x["action"] == "Hld" and x["messageId"] == r["messageId"]
                                   for x in lines(os.path.join(out, "receipt_0001.json")) if x.get("action")))
        self.assertGreater(released, 0, "no seed logged the delivery of a released copy")

    def test_the_administration_cases_say_what_an_analyst_concludes(self):
        out = temp_dir(self)
        truth = plant.plant(6, out)
        release = next(c for c in truth["cases"] if c["family"] == "admin-release-exec")
        self.assertEqual(release["severity"], "critical")
        self.assertEqual(set(release["delivery"].values()) - {"delivered", "stopped"}, set())
        self.assertEqual([v for v in release["delivery"].values()].count("delivered"), 1)
        releases = lines(os.path.join(out, "release_0001.json"))
        self.assertEqual([r["to"][0]["emailAddress"] for r in releases], release["interacted"])
        self.assertNotIn("messageId", releases[0], "the release log has no Message-ID")
        held = [r for r in lines(os.path.join(out, "receipt_0001.json")) if r.get("action") == "Hld"]
        self.assertEqual(len(held), 1)
        audits = lines(os.path.join(out, "audit_0001.json"))
        brute = next(c for c in truth["cases"] if c["family"] == "console-brute-force")
        failed = [a for a in audits if a["auditType"] == "Logon Authentication Failed" and brute["indicator"] in a["eventInfo"]]
        self.assertGreater(len(failed), 3, "more failures than Sentinel's threshold of 3")
        for a in audits:
            # The grammar: summary, Date, Time, IP, Application, then Method/Reason (mimecast-more.md §1).
            info = a["eventInfo"]
            self.assertLess(info.index(", Date: "), info.index(", IP: "))
            self.assertLess(info.index(", IP: "), info.index(", Application: "))
            for key in (", Reason: ", ", Method: "):
                if key in info:
                    self.assertGreater(info.index(key), info.index(", Application: "))
        allow = next(c for c in truth["cases"] if c["family"] == "allow-list-campaign")
        entry = next(a for a in audits if allow["indicator"] in a["eventInfo"])
        receipt = min(r["timestamp"] for r in lines(os.path.join(out, "receipt_0001.json")) if allow["indicator"] in r.get("senderEnvelope", ""))
        self.assertLess(ms(entry["eventTime"].replace("+0000", ".000Z")), receipt, "the allow entry comes before the campaign")


class Exports(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import tempfile
        d = tempfile.TemporaryDirectory(prefix="mailscope-tools-test-")
        cls.addClassCleanup(d.cleanup)
        cls.out = d.name
        cls.truth = plant.plant(2, cls.out)

    def case(self, family, product=None):
        return next(c for c in self.truth["cases"] if c["family"] == family and (product is None or c["product"] == product))

    def test_every_recipient_has_a_receipt(self):
        receipts = lines(os.path.join(self.out, "receipt_0001.json"))
        for c in self.truth["cases"]:
            for rc in c.get("recipients", []):
                self.assertTrue(any(r.get("recipients") == rc for r in receipts), f"{c['family']}: no receipt for {rc}")

    def test_the_edr_exports_are_in_each_products_columns(self):
        for name, columns, product in (("mde_advanced_hunting.csv", mde.SHORT_COLUMNS, "mde"),
                                       ("crowdstrike_events.csv", falcon.SHORT_COLUMNS, "crowdstrike"),
                                       ("sentinelone_dv.csv", sentinelone.SHORT_COLUMNS, "sentinelone")):
            data = read_bytes(os.path.join(self.out, name))
            with self.subTest(product=product):
                self.assertEqual(data.split(b"\r\n" if product == "mde" else b"\n")[0].decode().split(","), columns)
                self.assertEqual(data.count(b"\r\n") == data.count(b"\n"), product == "mde")
                self.assertTrue(csv_rows(os.path.join(self.out, name)))

    def test_the_attachment_c2_host_calls_the_senders_domain(self):
        c = self.case("attachment-c2", "crowdstrike")
        host = c["hosts"][0].upper()
        rows = [r for r in csv_rows(os.path.join(self.out, "crowdstrike_events.csv")) if r["ComputerName"] == host]
        written = [r for r in rows if r["event_simpleName"] == "OoxmlFileWritten"]
        self.assertEqual([r["SHA256HashData"] for r in written], [c["indicator"]])
        started = [r for r in rows if r["event_simpleName"] == "ProcessRollup2"]
        self.assertEqual([r["ParentBaseFileName"] for r in started], ["OUTLOOK.EXE", "EXCEL.EXE"])
        dns = [r["DomainName"] for r in rows if r["event_simpleName"] == "DnsRequest"]
        self.assertEqual(len(dns), 1)
        sender = next(a["senderAddress"] for a in lines(os.path.join(self.out, "ttp_attachment_0001.json"))
                      if a["fileHash"] == c["indicator"])
        self.assertEqual(dns[0], "cdn." + sender.split("@")[1])

    def test_the_late_verdict_arrives_only_the_night_after(self):
        c = self.case("late-verdict")
        night1 = lines(os.path.join(self.out, "ttp_attachment_0001.json"))
        night2 = lines(os.path.join(self.out, "night2", "ttp_attachment_0002.json"))
        self.assertFalse([a for a in night1 if a["fileHash"] == c["indicator"]])
        self.assertEqual([(a["fileHash"], a["result"]) for a in night2], [(c["indicator"], "malicious")])

    def test_no_delivery_logs_means_no_delivery_events(self):
        c = self.case("no-delivery-logs")
        deliveries = lines(os.path.join(self.out, "delivery_0001.json"))
        self.assertFalse([d for d in deliveries if d["recipients"] in c["recipients"]])

    def test_the_ti_feed_lists_the_ti_only_domain(self):
        with open(os.path.join(self.out, "ti-feed.txt")) as f:
            feed = [x.strip() for x in f if x.strip() and not x.startswith("#")]
        self.assertEqual(feed, [self.case("ti-only")["indicator"]])


class Scoring(unittest.TestCase):
    case = {"family": "credential-phish", "product": None, "indicator": "evil.example", "recipients": ["a@x"],
            "interacted": ["a@x"], "hosts": [], "stages": {"a@x": "interaction"}, "severity": "critical",
            "actions": ["Reset the passwords"]}

    def report(self, **changes):
        inc = {"id": 1, "severity": "critical", "title": "Credential phishing", "recipients": ["a@x"],
               "interacted_users": ["a@x"], "hosts": [], "people": [{"user": "a@x", "stage": "interaction"}],
               "reasons": [], "actions": ["Reset the passwords and revoke the sessions of a@x"],
               "indicators": {"domains": ["evil.example"]},
               "graph": {"nodes": [{"id": "sender:s@evil.example", "kind": "sender", "label": "s@evil.example", "column": 1},
                                   {"id": "message:1", "kind": "message", "label": "Reset", "column": 2},
                                   {"id": "recipient:a@x", "kind": "recipient", "label": "a@x", "stage": "interaction", "column": 3}],
                         "edges": [{"from": "sender:s@evil.example", "to": "message:1", "relation": "sent", "rules": [], "strength": "strong"},
                                   {"from": "message:1", "to": "recipient:a@x", "relation": "delivered", "rules": [], "strength": "strong"}]}}
        inc.update(changes)
        return {"incidents": [inc]}

    def failing(self, report, case=None):
        return [name for name, ok, _detail in score.check(case or self.case, report) if not ok]

    def test_a_report_that_concludes_as_an_analyst_would_passes(self):
        self.assertEqual(self.failing(self.report()), [])

    def test_each_wrong_conclusion_fails_its_own_check(self):
        self.assertEqual(self.failing(self.report(severity="high")), ["severity"])
        self.assertEqual(self.failing(self.report(people=[{"user": "a@x", "stage": "delivery"}])), ["stage"])
        self.assertEqual(self.failing(self.report(actions=["Block evil.example"])), ["actions"])
        self.assertEqual(self.failing(self.report(indicators={"domains": ["other.example"]})), ["found"])

    def test_a_graph_that_misses_or_misplaces_a_person_fails_the_graph_check(self):
        graph = self.report()["incidents"][0]["graph"]
        at_delivery = {**graph, "nodes": [{**n, "stage": "delivery"} if n["kind"] == "recipient" else n for n in graph["nodes"]]}
        self.assertEqual(self.failing(self.report(graph=at_delivery)), ["graph"])
        counted = {"nodes": graph["nodes"][:2] + [{"id": "recipients:delivered", "kind": "recipients", "label": "1 more", "count": 1, "column": 3}],
                   "edges": graph["edges"][:1]}
        self.assertEqual(self.failing(self.report(graph=counted)), ["graph"], "a person who went further must be drawn")
        backwards = {**graph, "edges": graph["edges"] + [{"from": "recipient:a@x", "to": "message:1", "relation": "sent", "rules": [], "strength": "strong"}]}
        self.assertEqual(self.failing(self.report(graph=backwards)), ["graph"])
        with_host = dict(self.case, hosts=["WS-1"])
        self.assertEqual(self.failing(self.report(hosts=["WS-1"]), with_host), ["graph"], "the host is not on the graph")

    def test_missing_delivery_logs_must_be_drawn_as_unknown(self):
        case = dict(self.case, reason="delivery unknown for 1 of 1 recipients", actions=[])
        graph = self.report()["incidents"][0]["graph"]
        held = {**graph, "edges": [dict(e, relation="stopped") if e["from"] == "message:1" else e for e in graph["edges"]]}
        self.assertIn("graph", self.failing(self.report(graph=held, reasons=["delivery unknown for 1 of 1 recipients"]), case))
        unknown = {**graph, "edges": [dict(e, relation="delivery_unknown") if e["from"] == "message:1" else e for e in graph["edges"]]}
        self.assertNotIn("graph", self.failing(self.report(graph=unknown, reasons=["delivery unknown for 1 of 1 recipients"]), case))

    def test_a_benign_look_alike_may_not_raise_medium_or_above(self):
        benign = {"family": "namesake-file", "benign": True, "user": "a@x", "host": "ws-1000"}
        self.assertEqual(self.failing(self.report(severity="low"), benign), [])
        self.assertEqual(self.failing(self.report(severity="medium"), benign), ["no incident ≥ medium"])


if __name__ == "__main__":
    unittest.main()
