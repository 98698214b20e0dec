"""The exchange files of the committed example report (reports/example, which RunCLITests keeps
equal to a fresh run) pass the ecosystem's own validators:

- iocs.stix.json: stix2-validator (OASIS), STIX 2.1, no errors and no warnings;
- iocs.misp.json: every event loads with PyMISP's MISPEvent().load(), attributes typed as MISP
  knows them, to_ids only on campaign-specific indicators, the TLP and ATT&CK tags present;
- findings.ocsf.jsonl: every event against the OCSF 1.5.0 JSON Schema compiled from the
  official schema source (docs/ocsf/, scripts/ocsf-schema-subset), and every Detection Finding
  through py-ocsf-models' pydantic model as well.

HostileCampaignTests runs the built binary (MAILSCOPE_BIN, or .build/debug/mailscope) over a
click whose subject, category and URL carry quotes, backslashes, `]`, a newline, `<script>` and
a bidi override, and puts its three files through the same validators.

scripts/test installs the validators with pip. Outside CI a missing package skips its test with
a message; in CI (CI=true) it fails. scripts/test runs this file again after the build with
MAILSCOPE_BIN set, where a missing binary fails too.
"""

import csv
import importlib
import json
import os
import subprocess
import unittest

from mailscope_tools.paths import ROOT
from .support import class_temp_dir

EXAMPLE = os.path.join(ROOT, "reports", "example")
OCSF_SCHEMA = os.path.join(ROOT, "docs", "ocsf", "ocsf-1.5.0-findings.schema.json")


def need(module):
    """Import `module`, or skip (fail in CI) with what to install."""
    try:
        return importlib.import_module(module)
    except ImportError:
        if os.environ.get("CI") == "true":
            raise
        raise unittest.SkipTest(f"{module} is not installed (scripts/test installs it with pip)")


def load(name):
    with open(os.path.join(EXAMPLE, name), encoding="utf-8") as f:
        return f.read()


def campaign_indicators():
    """(type, value) of iocs.csv: the campaign-specific indicators."""
    rows = csv.DictReader(load("iocs.csv").splitlines())
    return {(r["type"], r["value"]) for r in rows}


def stix_problems(path):
    """stix2-validator's errors and warnings on the bundle at `path`, but the UUID version one.

    {103} "not a valid UUIDv4 ID" is expected: STIX 2.1 recommends random (version 4) ids;
    MailScope's are name-based (version 5) on purpose, so that the same evidence gives the same
    ids and a re-import updates instead of duplicating."""
    validator = need("stix2validator")
    result = validator.validate_file(path, validator.ValidationOptions(version="2.1"))
    problems = [f"{o.object_id}: {e}" for o in result.object_results for e in o.errors]
    problems += [f"{o.object_id}: {w}" for o in result.object_results for w in o.warnings if "{103}" not in str(w)]
    if not result.is_valid and not problems:
        problems.append("not valid")
    strict = validator.validate_file(path, validator.ValidationOptions(version="2.1", disabled=["uuid-check"]))
    problems += [f"with uuid-check off: {w}" for o in strict.object_results for w in list(o.errors) + list(o.warnings)]
    return problems


def misp_events(path):
    """Every event of the file at `path` loaded with PyMISP."""
    pymisp = need("pymisp")
    with open(path, encoding="utf-8") as f:
        document = json.load(f)
    events = []
    for item in document["response"]:
        event = pymisp.MISPEvent()
        event.load(item)
        events.append(event)
    return events


def ocsf_problems(path):
    """Schema errors of every event of the file at `path`, and py-ocsf-models' for Detection Findings."""
    jsonschema = need("jsonschema")
    need("py_ocsf_models")
    from py_ocsf_models.events.findings.detection_finding import DetectionFinding
    with open(OCSF_SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    names = {2004: "detection_finding", 2005: "incident_finding"}
    problems = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            event = json.loads(line)
            if event["metadata"]["version"] != "1.5.0":
                problems.append(f"line {n}: metadata.version {event['metadata']['version']}")
            validator = jsonschema.Draft202012Validator({**schema, "$ref": f"#/$defs/{names[event['class_uid']]}"})
            problems += [f"line {n}: {list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(event)]
            if event["class_uid"] == 2004:
                finding = DetectionFinding(**event)
                if finding.finding_info.uid != event["finding_info"]["uid"]:
                    problems.append(f"line {n}: py-ocsf-models read another uid")
    return problems


class StixBundleTests(unittest.TestCase):
    def test_bundle_passes_stix2_validator_with_no_error_and_only_the_uuid_version_warning(self):
        self.assertEqual(stix_problems(os.path.join(EXAMPLE, "iocs.stix.json")), [])

    def test_one_indicator_per_campaign_indicator_of_iocs_csv(self):
        bundle = json.loads(load("iocs.stix.json"))
        indicators = [o for o in bundle["objects"] if o["type"] == "indicator"]
        found = {(label, o["name"].split(" ", 1)[1]) for o in indicators for label in o["labels"]}
        self.assertEqual(found, campaign_indicators())
        for o in indicators:
            self.assertRegex(o["pattern"], r"^\[[a-z0-9-]+:[a-z_]+(\.'SHA-256')? = '.*'\]$")
            self.assertIn(o["confidence"], (40, 60, 75, 85))
        reports = [o for o in bundle["objects"] if o["type"] == "report"]
        self.assertEqual(len(reports), len(json.loads(load("report.json"))["incidents"]))
        ids = {o["id"] for o in bundle["objects"]}
        self.assertEqual(len(ids), len(bundle["objects"]), "every object has its own id")
        for r in reports:
            self.assertTrue(set(r["object_refs"]) <= ids, r["name"])


class MispEventTests(unittest.TestCase):
    def test_every_event_loads_in_pymisp_with_typed_attributes(self):
        events = misp_events(os.path.join(EXAMPLE, "iocs.misp.json"))
        document = json.loads(load("iocs.misp.json"))
        report = json.loads(load("report.json"))
        self.assertEqual(len(document["response"]), len(report["incidents"]))
        campaign = {v for _t, v in campaign_indicators()}
        allowed = {"sha256", "domain", "url", "ip-src", "ip-dst", "email-src", "filename", "email-subject"}
        uuids = [a["uuid"] for item in document["response"] for a in item["Event"]["Attribute"]]
        uuids += [item["Event"]["uuid"] for item in document["response"]]
        self.assertEqual(len(uuids), len(set(uuids)), "every event and attribute has its own uuid")
        for event in events:
            self.assertTrue(event.info.startswith("MailScope incident #"))
            tags = {t.name for t in event.tags}
            self.assertIn("tlp:amber", tags)
            self.assertTrue(any(t.startswith('misp-galaxy:mitre-attack-pattern="') for t in tags), tags)
            self.assertTrue(event.attributes, event.info)
            for a in event.attributes:
                self.assertIn(a.type, allowed)
                self.assertIn(a.type, a.describe_types["category_type_mappings"][a.category], f"{a.type} in {a.category}")
                self.assertEqual(bool(a.to_ids), a.type != "email-subject" and a.value in campaign and "shared infrastructure" not in a.comment,
                                 f"{event.info}: {a.type} {a.value}")


class OcsfFindingTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.events = [json.loads(line) for line in load("findings.ocsf.jsonl").splitlines()]

    def test_every_event_matches_the_ocsf_schema_of_its_class_and_py_ocsf_models(self):
        self.assertEqual(ocsf_problems(os.path.join(EXAMPLE, "findings.ocsf.jsonl")), [])

    def test_incidents_link_the_findings_written_before_them(self):
        uids = [e["finding_info"]["uid"] for e in self.events if e["class_uid"] == 2004]
        self.assertEqual(len(uids), len(set(uids)), "finding uids are unique")
        incidents = [e for e in self.events if e["class_uid"] == 2005]
        self.assertEqual(len(incidents), len(json.loads(load("report.json"))["incidents"]))
        for e in incidents:
            self.assertTrue(e["finding_info_list"])
            self.assertTrue({i["uid"] for i in e["finding_info_list"]} <= set(uids))
        for e in self.events:
            for ev in e.get("evidences", []):
                self.assertRegex(ev["data"]["locator"], r"^fixtures/scenario/.+:\d+(#\d+)?$")


class HostileCampaignTests(unittest.TestCase):
    HOSTILE = "Pay 'now' \"x\" \\ ] \n<script>alert(1)</script> \u202egpj.exe"

    @classmethod
    def setUpClass(cls):
        binary = os.environ.get("MAILSCOPE_BIN") or os.path.join(ROOT, ".build", "debug", "mailscope")
        if not os.path.exists(binary):
            if os.environ.get("MAILSCOPE_BIN"):
                raise AssertionError(f"MAILSCOPE_BIN={binary} does not exist")
            raise unittest.SkipTest("no built mailscope (swift build --product mailscope); scripts/test runs this after the build")
        cls.dir = class_temp_dir(cls)
        click = {"userEmailAddress": "ana.lima@acme-corp.example", "fromUserEmailAddress": "boss@evil-payroll.example",
                 "url": "https://evil-payroll.example/a'b\\c]d<script>", "ttpDefinition": "d", "subject": cls.HOSTILE,
                 "action": "allow", "adminOverride": "N/A", "userOverride": "None", "scanResult": "malicious", "category": cls.HOSTILE,
                 "sendingIp": "203.0.113.5", "userAwarenessAction": "N/A", "date": "2026-11-02T09:55:00+0000", "actions": "Allow",
                 "route": "inbound", "creationMethod": "User Click", "emailPartsDescription": ["Body"], "messageId": "<x1@evil-payroll.example>"}
        with open(os.path.join(cls.dir, "ttp.ndjson"), "w", encoding="utf-8") as f:
            f.write(json.dumps(click) + "\n")
        db, out = os.path.join(cls.dir, "case.db"), os.path.join(cls.dir, "out")
        for args in (["ingest", os.path.join(cls.dir, "ttp.ndjson"), "--db", db], ["detect", "--db", db],
                     ["report", "--db", db, "--out", out, "--format", "stix,misp,ocsf"]):
            r = subprocess.run([binary, *args], capture_output=True, text=True)
            if r.returncode != 0:
                raise AssertionError(f"mailscope {' '.join(args)}: {r.stderr}")
        cls.out = out

    def test_hostile_text_passes_every_validator_and_keeps_its_exact_value(self):
        stix = os.path.join(self.out, "iocs.stix.json")
        self.assertEqual(stix_problems(stix), [])
        with open(stix, encoding="utf-8") as f:
            patterns = [o["pattern"] for o in json.load(f)["objects"] if o["type"] == "indicator"]
        self.assertIn("[url:value = 'evil-payroll.example/a\\'b\\\\c]d<script>']", patterns)
        events = misp_events(os.path.join(self.out, "iocs.misp.json"))
        subjects = [a.value for e in events for a in e.attributes if a.type == "email-subject"]
        self.assertEqual(subjects, [self.HOSTILE])
        ocsf = os.path.join(self.out, "findings.ocsf.jsonl")
        self.assertEqual(ocsf_problems(ocsf), [])
        with open(ocsf, encoding="utf-8") as f:
            lines = f.read().splitlines()
        self.assertTrue(any(json.loads(line).get("unmapped", {}).get("subject") == self.HOSTILE for line in lines))
        self.assertFalse(any("\u202e" in line for line in lines), "the bidi override is written \\u202e")


if __name__ == "__main__":
    unittest.main()
