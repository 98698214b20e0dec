"""The checks of scripts/test (mailscope_tools.checks): the coverage check flags a field no row
kept, the PostgreSQL check's parameter rewrite and SQLite-only list, and bundle-rules' Swift
sources and their staleness."""

import json
import pathlib
import unittest

from mailscope_tools.checks import bundle_rules, coverage, postgres_sql

from .support import temp_dir, write_bytes


class Coverage(unittest.TestCase):
    record = {"type": "receipt", "timestamp": 1793577600000, "senderEnvelope": "a@evil.example",
              "messageId": "<m1@x>", "spamScore": "5", "tlsUsed": "true", "attachments": '"a.xlsm", "b.pdf"',
              "newField": "kept-nowhere", "emptyOne": ""}

    def rows(self, **extra_cols):
        row = {"line_no": 1, "record_no": None, "sender": "a@evil.example", "message_id": "m1@x", "spam_score": 5,
               "tls_used": 1, "attachment_names": '["a.xlsm","b.pdf"]', "extra": None}
        row.update(extra_cols)
        return {(1, None): [row]}

    def lost(self, rows, name="siem_v2_receipt.ndjson"):
        return coverage.lost_fields(name, [json.dumps(self.record) + "\n"], rows)

    def test_a_field_in_no_column_and_not_in_extra_is_flagged(self):
        self.assertEqual(self.lost(self.rows()),
                         ["siem_v2_receipt.ndjson:1: newField = kept-nowhere is in no column and not in extra"])

    def test_a_field_kept_in_extra_under_its_name_is_not_flagged(self):
        self.assertEqual(self.lost(self.rows(extra=json.dumps({"newField": "kept-nowhere"}))), [])

    def test_values_count_as_kept_in_their_stored_forms(self):
        # <Message-ID> without brackets, "true" as 1, "5" as 5, a text list as a JSON array; the
        # time and the record type (a listed exception) are not looked for
        record = {k: v for k, v in self.record.items() if k != "newField"}
        self.assertEqual(coverage.lost_fields("siem_v2_receipt.ndjson", [json.dumps(record)], self.rows()), [])

    def test_an_aggregate_id_counts_as_kept_as_its_key_and_suffix_columns(self):
        record = {k: v for k, v in self.record.items() if k != "newField"}
        record["aggregateId"] = "Qm9iYnk_1793615400"
        lines = [json.dumps(record)]
        kept = self.rows(aggregate_id="Qm9iYnk", aggregate_id_suffix=1793615400)
        self.assertEqual(coverage.lost_fields("siem_v2_receipt.ndjson", lines, kept), [])
        # Another suffix, or the key alone, is not the logged value.
        for row in (self.rows(aggregate_id="Qm9iYnk", aggregate_id_suffix=1793615401), self.rows(aggregate_id="Qm9iYnk")):
            self.assertEqual([p.split(": ")[1].split(" = ")[0] for p in coverage.lost_fields("siem_v2_receipt.ndjson", lines, row)],
                             ["aggregateId"])

    def test_a_value_in_any_column_of_the_records_rows_counts(self):
        self.assertEqual(self.lost(self.rows(subject="kept-nowhere")), [])

    def test_a_missing_row_loses_every_field(self):
        lost = {p.split(": ")[1].split(" = ")[0] for p in self.lost({})}
        self.assertEqual(lost, {"senderEnvelope", "messageId", "spamScore", "tlsUsed", "attachments", "newField"})

    def test_an_empty_api_page_has_nothing_to_keep(self):
        page = {"meta": {"status": 200, "pagination": {}}, "data": [], "fail": []}
        self.assertEqual(coverage.lost_fields("release.ndjson", [json.dumps(page)], {}), [])
        self.assertFalse(coverage.empty_page({"meta": {}, "data": [{"id": 1}], "fail": []}))

    def test_a_line_without_rows_is_excused_only_as_a_counted_duplicate(self):
        lines = [json.dumps(self.record), json.dumps(self.record)]
        rows = {(1, None): self.rows(extra=json.dumps({"newField": "kept-nowhere"}))[(1, None)]}
        self.assertEqual(coverage.lost_fields("siem_v2_receipt.ndjson", lines, rows, duplicates=1), [])
        self.assertTrue(coverage.lost_fields("siem_v2_receipt.ndjson", lines, rows, duplicates=0))

    def test_listed_exceptions_are_not_flagged(self):
        self.assertTrue(coverage.known("siem_v2_receipt.ndjson", "type"))
        self.assertFalse(coverage.known("ttp_url_logs.ndjson", "type"))
        self.assertEqual(coverage.forms("TRUE"), {"1", "true"})


class CoverageOfAdministrationExports(unittest.TestCase):
    def test_a_csv_field_in_no_column_is_flagged_under_sentinels_typed_name(self):
        text = 'policy_s,eventTime_t [UTC],newField_s\nConfidential,"7/29/2024, 9:00:52 PM",lost-value\n'
        rows = {(2, None): [{"line_no": 2, "record_no": None, "policy": "Confidential", "extra": None}]}
        self.assertEqual(coverage.lost_in_csv("sentinel_dlp_cl.csv", text, rows),
                         ["sentinel_dlp_cl.csv:2: newField = lost-value is in no column and not in extra"])
        self.assertEqual(coverage.sentinel_name("TimeGenerated [UTC]"), "TimeGenerated [UTC]")

    def test_records_of_an_api_reply_are_found_in_data_logs_and_dlp_logs(self):
        doc = [{"meta": {}, "data": [{"logs": [{"a": 1}]}, {"dlpLogs": [{"b": 2}]}, {"viewer": "x"}], "fail": []}]
        self.assertEqual(coverage.document_records(doc), [{"a": 1}, {"b": 2}, {"viewer": "x"}])

    def test_a_document_record_no_row_keeps_is_flagged(self):
        doc = {"data": [{"auditType": "User Logged On", "eventInfo": "x, IP: 192.0.2.1"}]}
        rows = {(3, None): [{"line_no": 3, "audit_type": "User Logged On", "extra": None}]}
        self.assertEqual(coverage.lost_in_document("a.json", doc, rows),
                         ["a.json#1: eventInfo = x, IP: 192.0.2.1 is in no column and not in extra"])


class PostgresSQL(unittest.TestCase):
    def test_named_parameters_become_positional_but_casts_stay(self):
        self.assertEqual(postgres_sql.positional("SELECT :since, x::text FROM t WHERE a = :until_ms"),
                         "SELECT $1, x::text FROM t WHERE a = $1")

    def test_sqlite_only_functions_are_listed(self):
        sql = "SELECT group_concat(x), STRFTIME('%s', ts) FROM t, json_each(t.j) WHERE instr(a, 'b') > 0"
        self.assertEqual(sorted(postgres_sql.sqlite_only(sql)), ["group_concat", "instr", "json_each", "strftime"])
        self.assertEqual(postgres_sql.sqlite_only("SELECT printed FROM t"), [])


class BundleRules(unittest.TestCase):
    def resources(self):
        root = pathlib.Path(temp_dir(self))
        for sub in ("rules", "templates"):
            (root / "res" / sub).mkdir(parents=True)
        write_bytes(root / "res/rules/b.yml", b"id: B\n")
        write_bytes(root / "res/rules/a.yml", b"id: A\nsql: SELECT '\"\"\"'\n")
        write_bytes(root / "res/templates/report.mustache", b"{{title}}\n")
        return root

    def test_the_catalog_is_one_swift_enum_in_file_order(self):
        root = self.resources()
        (rules_out, rules_text), (templates_out, _t) = bundle_rules.outputs(root / "res", root)
        self.assertEqual(rules_out, root / "Sources/MailScopeKit/Detect/BundledRules.swift")
        self.assertIn('enum BundledRules {', rules_text)
        self.assertLess(rules_text.index('("a.yml", #"""\nid: A'), rules_text.index('("b.yml", #"""\nid: B'))
        self.assertEqual(bundle_rules.stale(bundle_rules.outputs(root / "res", root)), [rules_out, templates_out])

    def test_a_written_bundle_is_current_until_a_rule_changes(self):
        root = self.resources()
        outs = bundle_rules.outputs(root / "res", root)
        for out, text in outs:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
        self.assertEqual(bundle_rules.stale(bundle_rules.outputs(root / "res", root)), [])
        write_bytes(root / "res/rules/b.yml", b"id: B\nlevel: high\n")
        self.assertEqual(bundle_rules.stale(bundle_rules.outputs(root / "res", root)), [outs[0][0]])

    def test_the_raw_string_terminator_cannot_be_embedded(self):
        root = self.resources()
        write_bytes(root / "res/rules/c.yml", b'sql: "x"""#"\n')
        with self.assertRaises(bundle_rules.EmbedError):
            bundle_rules.outputs(root / "res", root)

    def test_the_committed_bundles_are_current(self):
        self.assertEqual(bundle_rules.stale(bundle_rules.outputs()), [])


if __name__ == "__main__":
    unittest.main()
