"""check-postgres-sql: does every rule's SQL parse as PostgreSQL? (run by scripts/test)

The rules are written for SQLite, but kept to SQL a PostgreSQL deployment for bigger tenants
could run (issue 10): this parses each rule with PostgreSQL's own parser (libpg_query, through
the `pglast` package from PyPI; no server needed) after turning the `:name` parameters into
`$n`, and fails on any rule that does not parse. It also lists the SQLite-only functions a rule
calls (they parse, but need a PostgreSQL equivalent: json_each → jsonb_array_elements_text,
instr → strpos, group_concat → string_agg, strftime → to_char).

Usage: scripts/check-postgres-sql [RULES_DIR …]      (default: the bundled catalog)
"""
import glob
import os
import re
import subprocess
import sys

from ..paths import ROOT

SQLITE_ONLY = {"json_each": "jsonb_array_elements_text", "instr": "strpos", "group_concat": "string_agg",
               "strftime": "to_char", "julianday": "extract(epoch …)", "ifnull": "coalesce", "printf": "format"}


def require(module, package):
    """Import module, installing package from PyPI first when it is missing."""
    try:
        return __import__(module)
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", package], check=True)
        return __import__(module)


def positional(sql):
    """:name parameters as PostgreSQL's $n (a '::' cast and names inside words stay)."""
    return re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", "$1", sql)


def sqlite_only(sql):
    """The SQLite-only functions sql calls."""
    return [name for name in SQLITE_ONLY if re.search(rf"\b{name}\s*\(", sql, re.IGNORECASE)]


def main() -> int:
    pglast = require("pglast", "pglast")
    yaml = require("yaml", "pyyaml")
    folders = sys.argv[1:] or [os.path.join(ROOT, "Sources/MailScopeKit/Resources/rules")]
    failed, notes, count = 0, {}, 0
    for folder in folders:
        for path in sorted(glob.glob(os.path.join(folder, "*.yml"))):
            rule = yaml.safe_load(open(path, encoding="utf-8"))
            sql = rule.get("sql") or ""
            count += 1
            try:
                pglast.parse_sql(positional(sql))
            except pglast.parser.ParseError as error:
                failed += 1
                print(f"{os.path.relpath(path, ROOT)}: {rule.get('id')}: does not parse as PostgreSQL: {error}")
            for name in sqlite_only(sql):
                notes.setdefault(name, []).append(rule.get("id"))
    print(f"{count} rules, {failed} do not parse as PostgreSQL")
    for name, ids in sorted(notes.items()):
        print(f"  SQLite-only {name}() → {SQLITE_ONLY[name]} in PostgreSQL: {', '.join(ids)}")
    return 1 if failed else 0
