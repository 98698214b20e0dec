"""The exchange files of the committed example report (reports/example, which RunCLITests keeps
equal to a fresh run) pass the ecosystem's own validators:

- iocs.stix.json: stix2-validator (OASIS), STIX 2.1, no errors and no warnings;
- iocs.misp.json: every event loads with PyMISP's MISPEvent().load(), attributes typed as MISP
  knows them, to_ids only on campaign-specific indicators, the TLP and ATT&CK tags present;
- findings.ocsf.jsonl: every event against the OCSF 1.5.0 JSON Schema compiled from the
  official schema source (docs/ocsf/, scripts/ocsf-schema-subset), and every Detection Finding
  through py-ocsf-models' pydantic model as well.

scripts/test installs the validators with pip. Outside CI a missing package skips its test with
a message; in CI (CI=true) it fails.
"""

import csv
import importlib
import json
import os
import re
import unittest

from mailscope_tools.paths import ROOT

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


class StixBundleTests(unittest.TestCase):
    def test_bundle_passes_stix2_validator_with_no_error_and_only_the_uuid_version_warning(self):
        validator = need("stix2validator")
        result = validator.validate_file(os.path.join(EXAMPLE, "iocs.stix.json"), validator.ValidationOptions(version="2.1"))
        errors = [f"{o.object_id}: {e}" for o in result.object_results for e in o.errors]
        self.assertTrue(result.is_valid, "\n".join(errors))
        self.assertEqual(errors, [])
        # The one warning allowed: {103} "not a valid UUIDv4 ID". STIX 2.1 recommends random
        # (version 4) ids; MailScope's are name-based (version 5) on purpose, so that the same
        # evidence gives the same ids and a re-import updates instead of duplicating.
        warnings = [str(w) for o in result.object_results for w in o.warnings]
        self.assertEqual([w for w in warnings if "{103}" not in w], [])
        strict = validator.validate_file(os.path.join(EXAMPLE, "iocs.stix.json"),
                                         validator.ValidationOptions(version="2.1", disabled=["uuid-check"]))
        self.assertEqual([str(w) for o in strict.object_results for w in list(o.errors) + list(o.warnings)], [])

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
        pymisp = need("pymisp")
        document = json.loads(load("iocs.misp.json"))
        report = json.loads(load("report.json"))
        self.assertEqual(len(document["response"]), len(report["incidents"]))
        campaign = {v for _t, v in campaign_indicators()}
        allowed = {"sha256", "domain", "url", "ip-src", "ip-dst", "email-src", "filename", "email-subject"}
        uuids = [a["uuid"] for item in document["response"] for a in item["Event"]["Attribute"]]
        uuids += [item["Event"]["uuid"] for item in document["response"]]
        self.assertEqual(len(uuids), len(set(uuids)), "every event and attribute has its own uuid")
        for item in document["response"]:
            event = pymisp.MISPEvent()
            event.load(item)
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

    def test_every_event_matches_the_ocsf_schema_of_its_class(self):
        jsonschema = need("jsonschema")
        with open(OCSF_SCHEMA, encoding="utf-8") as f:
            schema = json.load(f)
        names = {2004: "detection_finding", 2005: "incident_finding"}
        for event in self.events:
            self.assertEqual(event["metadata"]["version"], "1.5.0")
            validator = jsonschema.Draft202012Validator({**schema, "$ref": f"#/$defs/{names[event['class_uid']]}"})
            errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(event)]
            self.assertEqual(errors, [], event.get("message"))

    def test_detection_findings_load_in_py_ocsf_models(self):
        need("py_ocsf_models")
        from py_ocsf_models.events.findings.detection_finding import DetectionFinding
        detections = [e for e in self.events if e["class_uid"] == 2004]
        self.assertTrue(detections)
        for event in detections:
            finding = DetectionFinding(**event)
            self.assertEqual(finding.finding_info.uid, event["finding_info"]["uid"])

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


if __name__ == "__main__":
    unittest.main()
