"""generate-manpages (mailscope_tools.distribution.manpages): one page per command from the
argument-parser help dump, roff-escaped, without argument-parser's `help` command."""

import os
import unittest
from unittest import mock

from mailscope_tools.distribution import manpages

OPTION_DB = {"kind": "option", "isOptional": True, "isRepeating": False, "shouldDisplay": True,
             "names": [{"kind": "long", "name": "db"}], "preferredName": {"kind": "long", "name": "db"},
             "valueName": "file", "abstract": "The SQLite database."}
OPTION_INPUT = {"kind": "option", "isOptional": False, "isRepeating": True, "shouldDisplay": True,
                "names": [{"kind": "short", "name": "i"}, {"kind": "long", "name": "input"}],
                "preferredName": {"kind": "long", "name": "input"}, "valueName": "path",
                "abstract": "An input."}
OPTION_SEVERITY = {"kind": "option", "isOptional": True, "isRepeating": False, "shouldDisplay": True,
                   "names": [{"kind": "long", "name": "fail-on"}], "preferredName": {"kind": "long", "name": "fail-on"},
                   "valueName": "severity", "abstract": "Exit 3 at this severity.", "allValues": ["low", "high"],
                   "defaultValue": "high"}
HIDDEN = {"kind": "flag", "isOptional": True, "isRepeating": False, "shouldDisplay": False,
          "names": [{"kind": "long", "name": "secret"}], "preferredName": {"kind": "long", "name": "secret"}}
POSITIONAL = {"kind": "positional", "isOptional": True, "isRepeating": False, "shouldDisplay": True,
              "valueName": "id", "abstract": ".dot first, a back\\slash"}

DUMP = {"serializationVersion": 0, "command": {
    "commandName": "mailscope", "abstract": "Offline forensic analysis.",
    "discussion": "Loads exports.\n\nExamples:\n  mailscope run --db case.db\n  mailscope hunt",
    "arguments": [], "subcommands": [
        {"commandName": "run", "superCommands": ["mailscope"], "abstract": "Run the whole job.",
         "arguments": [OPTION_DB, OPTION_INPUT, OPTION_SEVERITY, HIDDEN]},
        {"commandName": "rules", "superCommands": ["mailscope"], "abstract": "Rules.", "defaultSubcommand": "list",
         "subcommands": [{"commandName": "list", "superCommands": ["mailscope", "rules"],
                          "abstract": "List the rules.", "arguments": [POSITIONAL]}]},
        {"commandName": "help", "superCommands": ["mailscope"], "abstract": "Show subcommand help information."},
    ]}}


def pages():
    return manpages.manual(DUMP, "mailscope 0.1.0 (commit abc)", "2026-11-01")


class Pages(unittest.TestCase):
    def test_one_page_per_command_named_by_its_path_without_the_help_command(self):
        self.assertEqual(sorted(pages()), ["mailscope-rules-list.1", "mailscope-rules.1", "mailscope-run.1", "mailscope.1"])

    def test_header_names_the_page_the_version_and_the_date(self):
        first = pages()["mailscope-run.1"].splitlines()[1]
        self.assertEqual(first, '.TH "MAILSCOPE\\-RUN" "1" "2026-11-01" "mailscope 0.1.0 (commit abc)" "MailScope Manual"')

    def test_synopsis_brackets_optional_arguments_marks_repeats_and_leaves_out_hidden_ones(self):
        page = pages()["mailscope-run.1"]
        synopsis = page.split(".SH SYNOPSIS\n")[1].splitlines()[0]
        self.assertEqual(synopsis, "\\fBmailscope run\\fR [\\fB\\-\\-db\\fR \\fIfile\\fR] "
                                   "\\fB\\-\\-input\\fR \\fIpath\\fR ... [\\fB\\-\\-fail\\-on\\fR \\fIseverity\\fR]")
        self.assertNotIn("secret", page)

    def test_options_list_every_spelling_allowed_values_and_default(self):
        page = pages()["mailscope-run.1"]
        self.assertIn(".TP\n\\fB\\-i\\fR, \\fB\\-\\-input\\fR \\fIpath\\fR\nAn input.\n", page)
        self.assertIn("Exit 3 at this severity. Values: low, high. Default: high.", page)

    def test_indented_discussion_lines_are_kept_as_a_literal_block(self):
        page = pages()["mailscope.1"]
        self.assertIn("Examples:\n.RS 2\n.nf\nmailscope run \\-\\-db case.db\nmailscope hunt\n.fi\n.RE\n", page)

    def test_text_is_escaped_for_roff(self):
        self.assertEqual(manpages.roff(".dot first, a back\\slash"), "\\&.dot first, a back\\eslash")
        self.assertEqual(manpages.roff("'quote"), "\\&'quote")
        self.assertIn("\\&.dot first, a back\\eslash", pages()["mailscope-rules-list.1"])
        for name, page in pages().items():
            for line in page.splitlines()[2:]:
                self.assertFalse(line.startswith("'"), (name, line))

    def test_a_group_lists_its_commands_marks_the_default_and_see_also_links_both_ways(self):
        rules = pages()["mailscope-rules.1"]
        self.assertIn("\\fIsubcommand\\fR]", rules.split(".SH SYNOPSIS\n")[1].splitlines()[0])
        self.assertIn(".TP\n\\fBmailscope\\-rules\\-list\\fR(1) (the default)\nList the rules.\n", rules)
        see_also = pages()["mailscope-rules-list.1"].split(".SH SEE ALSO\n")[1]
        self.assertEqual(see_also, "\\fBmailscope\\fR(1),\n\\fBmailscope\\-rules\\fR(1)\n")

    def test_same_dump_gives_identical_pages(self):
        self.assertEqual(pages(), pages())

    def test_an_unknown_dump_version_is_refused(self):
        with self.assertRaisesRegex(manpages.DumpError, "version 0"):
            manpages.manual({"serializationVersion": 1, "command": DUMP["command"]}, "v", "")

    def test_date_comes_from_source_date_epoch_or_is_left_out(self):
        with mock.patch.dict(os.environ, {"SOURCE_DATE_EPOCH": "1793664000"}):
            self.assertEqual(manpages.manual_date(), "2026-11-03")
            self.assertEqual(manpages.manual_date("2020-01-01"), "2020-01-01")
        with mock.patch.dict(os.environ, {}, clear=True):
            self.assertEqual(manpages.manual_date(), "")


if __name__ == "__main__":
    unittest.main()
