"""generate-manpages: one man page per mailscope command, from the argument-parser definitions.

The pages are built from `mailscope --experimental-dump-help` (argument-parser's JSON description
of every command, option, default and allowed value), so they say exactly what `--help` says and
cannot drift from the code. argument-parser's own `swift package generate-manual` plugin does
the same, but it builds a debug copy of mailscope and its generator first (minutes on CI); this
reads the binary that is being installed or packaged.

Pages are man(7) roff: mailscope.1, mailscope-run.1, mailscope-rules-list.1, ... Help text is
the tool's own (not attacker data), but it is still escaped for roff: a backslash, a line
starting with "." or "'", and hyphens (written \\- so options copy and paste as ASCII).

  scripts/generate-manpages --mailscope .build-rel/release/mailscope --out DIR [--date YYYY-MM-DD]

The date is --date, else the day of SOURCE_DATE_EPOCH, else none (same binary -> same pages)."""

import argparse
import json
import os
import subprocess
import sys
import time

SECTION = "1"
MANUAL = "MailScope Manual"


class DumpError(Exception):
    """The binary could not be run or its help dump is not the format this reads."""


def roff(text):
    """Text escaped for a roff text line (no line breaks in it)."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    if text.startswith((".", "'")):
        text = "\\&" + text
    return text


def bold(text):
    return "\\fB" + roff(text) + "\\fR"


def italic(text):
    return "\\fI" + roff(text) + "\\fR"


def page_name(command):
    """mailscope, mailscope-run, mailscope-rules-list: the command's path joined by hyphens."""
    return "-".join([*command.get("superCommands", []), command["commandName"]])


def command_line(command):
    """mailscope run: how the command is typed."""
    return " ".join([*command.get("superCommands", []), command["commandName"]])


def flag_name(name):
    prefix = {"long": "--", "short": "-", "longWithSingleDash": "-"}[name["kind"]]
    return prefix + name["name"]


def shown(items):
    return [i for i in items or [] if i.get("shouldDisplay", True)]


def pages_of(command):
    """Every command that gets a page: the root and each subcommand, depth first, without
    argument-parser's built-in `help` command (its page would only repeat --help)."""
    pages = [command]
    for sub in shown(command.get("subcommands")):
        if sub["commandName"] == "help" and not sub.get("superCommands", [None])[1:]:
            continue
        pages.extend(pages_of(sub))
    return pages


def argument_synopsis(argument):
    """One argument in the SYNOPSIS: [--db db], --input input ..., [file]."""
    kind = argument["kind"]
    if kind == "positional":
        text = italic(argument.get("valueName", "value"))
    else:
        text = bold(flag_name(argument["preferredName"]))
        if kind == "option":
            text += " " + italic(argument.get("valueName", "value"))
    if argument.get("isRepeating"):
        text += " ..."
    return "[" + text + "]" if argument.get("isOptional") else text


def argument_title(argument):
    """An argument's heading in OPTIONS / ARGUMENTS: every spelling, with its value."""
    if argument["kind"] == "positional":
        return italic(argument.get("valueName", "value")) + (" ..." if argument.get("isRepeating") else "")
    names = ", ".join(bold(flag_name(n)) for n in argument.get("names", []))
    if argument["kind"] == "option":
        names += " " + italic(argument.get("valueName", "value"))
    return names


def paragraphs(text):
    """Roff lines for help prose: blank-line separated paragraphs; indented lines (examples,
    lists) kept as they are, in a no-fill block."""
    lines = []
    for para in text.strip("\n").split("\n\n"):
        if lines:
            lines.append(".PP")
        literal = False
        for line in para.split("\n"):
            indented = line.startswith((" ", "\t"))
            if indented and not literal:
                lines += [".RS 2", ".nf"]
            elif not indented and literal:
                lines += [".fi", ".RE"]
            literal = indented
            lines.append(roff(line.strip() if indented else line) if line.strip() else ".sp")
        if literal:
            lines += [".fi", ".RE"]
    return lines


def argument_lines(argument):
    lines = [".TP", argument_title(argument)]
    body = []
    if argument.get("abstract"):
        body.append(argument["abstract"])
    values = argument.get("allValues")
    if values:
        body.append("Values: " + ", ".join(values) + ".")
    if argument.get("defaultValue") is not None and argument["kind"] != "flag":
        body.append("Default: " + argument["defaultValue"] + ".")
    lines += [roff(" ".join(body))] if body else []
    if argument.get("discussion") and isinstance(argument["discussion"], str):
        lines += [".IP"] + paragraphs(argument["discussion"])
    return lines


def render(command, version, date, all_pages):
    """The man page of one command (a string ending in a newline)."""
    name = page_name(command)
    lines = [
        '.\\" Generated by scripts/generate-manpages from `mailscope --experimental-dump-help`; do not edit.',
        '.TH "%s" "%s" "%s" "%s" "%s"' % (roff(name.upper()), SECTION, date or "", roff(version), MANUAL),
        ".SH NAME",
        roff(name) + " \\- " + roff(command.get("abstract", "").rstrip(".")),
        ".SH SYNOPSIS",
    ]
    synopsis = [bold(command_line(command))]
    subcommands = [s for s in shown(command.get("subcommands")) if s["commandName"] != "help"]
    if subcommands:
        sub = italic("subcommand")
        synopsis.append("[" + sub + "]" if command.get("defaultSubcommand") else sub)
    arguments = shown(command.get("arguments"))
    synopsis += [argument_synopsis(a) for a in arguments]
    lines += [" ".join(synopsis)]
    lines += [".SH DESCRIPTION"]
    lines += paragraphs(command.get("discussion") or command.get("abstract", ""))
    positionals = [a for a in arguments if a["kind"] == "positional"]
    options = [a for a in arguments if a["kind"] != "positional"]
    if positionals:
        lines.append(".SH ARGUMENTS")
        for a in positionals:
            lines += argument_lines(a)
    if options:
        lines.append(".SH OPTIONS")
        for a in options:
            lines += argument_lines(a)
    if subcommands:
        lines.append(".SH COMMANDS")
        for s in subcommands:
            title = bold(page_name(s)) + "(" + SECTION + ")"
            if s["commandName"] == command.get("defaultSubcommand"):
                title += " (the default)"
            lines += [".TP", title, roff(s.get("abstract", ""))]
    related = [p for p in all_pages if p is not command and (
        p in subcommands or page_name(p) == "-".join(command.get("superCommands", [])) or p is all_pages[0])]
    if related:
        lines.append(".SH SEE ALSO")
        lines.append(",\n".join(bold(page_name(p)) + "(" + SECTION + ")" for p in related))
    return "\n".join(lines) + "\n"


def manual(dump, version, date):
    """{file name: page} for the dump of the whole tool."""
    if dump.get("serializationVersion") != 0:
        raise DumpError("unknown --experimental-dump-help format %r (this reads version 0)"
                        % dump.get("serializationVersion"))
    pages = pages_of(dump["command"])
    return {page_name(p) + "." + SECTION: render(p, version, date, pages) for p in pages}


def dump_of(mailscope):
    """The JSON help dump and the version line of a mailscope binary."""
    try:
        out = subprocess.run([mailscope, "--experimental-dump-help"], capture_output=True, text=True, check=True)
        ver = subprocess.run([mailscope, "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        raise DumpError("cannot run %s: %s" % (mailscope, e)) from e
    try:
        return json.loads(out.stdout), ver.stdout.splitlines()[0]
    except (ValueError, IndexError) as e:
        raise DumpError("%s --experimental-dump-help: not JSON (%s)" % (mailscope, e)) from e


def manual_date(explicit=None):
    """--date, else SOURCE_DATE_EPOCH's UTC day, else "" (no date rather than today's)."""
    if explicit:
        return explicit
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return time.strftime("%Y-%m-%d", time.gmtime(int(epoch))) if epoch else ""


def write(mailscope, out, date=None):
    """Writes every page of MAILSCOPE's manual into OUT; returns the file names."""
    dump, version = dump_of(mailscope)
    pages = manual(dump, version, manual_date(date))
    os.makedirs(out, exist_ok=True)
    for name, text in sorted(pages.items()):
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write(text)
    return sorted(pages)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--mailscope", required=True, help="the mailscope binary to describe")
    ap.add_argument("--out", required=True, help="folder for the .1 files (created)")
    ap.add_argument("--date", help="the pages' date, YYYY-MM-DD (default: SOURCE_DATE_EPOCH's day, or none)")
    a = ap.parse_args(argv)
    try:
        names = write(a.mailscope, a.out, a.date)
    except (DumpError, OSError) as e:
        print("generate-manpages: %s" % e, file=sys.stderr)
        return 1
    print("wrote %d man pages to %s" % (len(names), a.out))
    return 0
