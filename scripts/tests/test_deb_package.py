"""The .deb as a server gets it (scripts/package-deb), and scripts/install from a checkout.

Run by scripts/test-package, which builds the release binary once and the package from it and
passes both here (MAILSCOPE_DEB, MAILSCOPE_BINARY); plain `unittest discover` skips these
tests, as a release build takes minutes. The package is taken apart with dpkg-deb -x / -e, its
metadata checked the way lintian would (permissions, owners, conffiles, control fields, no build
tree), and the packaged binary run from the extracted tree with nothing but Debian's libraries
on its path: --version, rules list and a whole run on fixtures/scenario, which must give the
committed example report."""

import gzip
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import unittest

from mailscope_tools.distribution import deb, libraries
from mailscope_tools.paths import ROOT, SCRIPTS

from .support import class_temp_dir, read_bytes, temp_dir

DEB = os.environ.get("MAILSCOPE_DEB")
BINARY = os.environ.get("MAILSCOPE_BINARY")
# A server's environment: no toolchain on PATH, no library path.
CLEAN_ENV = {"PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": "", "LANG": "C.UTF-8", "SOURCE_DATE_EPOCH": "1793664000"}
SCENARIO_RUN = ["run", "--input", "fixtures/scenario/siem_v2", "--input", "fixtures/scenario/siem_v1",
                "--input", "fixtures/scenario/ttp", "--input", "fixtures/scenario/edr",
                "--identities", "fixtures/scenario/identities.csv",
                "--watch-list", "vip=fixtures/scenario/watch-vip.txt"]
EXAMPLE_FILES = ("report.md", "report.json", "report.html", "iocs.csv", "timeline.jsonl", "ingest-summary.md",
                 "ingest-summary.json")
# Strings that would show the build machine's tree inside a packaged text file.
BUILD_PATHS = (ROOT, "/work/", "/.build", "/opt/swift", "/root/")


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def write_text(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def run_clean(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, env=CLEAN_ENV, **kw)


def comparable(text, report_json):
    """A report with what names this run's own database and folder masked, as RunCLITests does:
    the report id (the SHA-256 of report.json) and the lines quoting the command."""
    rid = hashlib.sha256(report_json.encode("utf-8")).hexdigest()[:12]
    text = text.replace(rid, "<report id>")
    return "\n".join(line for line in text.split("\n") if "mailscope run --input" not in line)


def is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


@unittest.skipUnless(DEB and BINARY, "scripts/test-package builds the release binary and the .deb and runs these")
class DebianPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        tmp = class_temp_dir(cls)
        cls.root = os.path.join(tmp, "root")
        cls.meta = os.path.join(tmp, "DEBIAN")
        subprocess.run(["dpkg-deb", "-x", DEB, cls.root], check=True)
        subprocess.run(["dpkg-deb", "-e", DEB, cls.meta], check=True)
        cls.binary = os.path.join(cls.root, "usr", "bin", "mailscope")
        with open(os.path.join(cls.meta, "control"), encoding="utf-8") as f:
            cls.control = dict(re.findall(r"^([A-Za-z-]+): (.*)$", f.read(), re.M))
        cls.files = sorted(os.path.relpath(os.path.join(d, n), cls.root)
                           for d, _, names in os.walk(cls.root) for n in names)

    def data_members(self):
        """The data archive's entries (name, mode, owner, group), read from the .deb itself:
        the extracted copy has this machine's user, not the package's."""
        listing = subprocess.run(["dpkg-deb", "--fsys-tarfile", DEB], capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(listing)) as tar:
            return [(m.name, m.mode, m.uname, m.gname, m.isdir()) for m in tar.getmembers()]

    # Metadata

    def test_control_names_the_package_version_architecture_and_recommends_chromium(self):
        version = run_clean([self.binary, "--version"]).stdout.splitlines()[0]
        self.assertEqual(self.control["Package"], "mailscope")
        self.assertEqual(self.control["Version"], deb.debian_version(version))
        self.assertEqual(os.path.basename(DEB), "mailscope_%s_%s.deb" % (self.control["Version"], self.control["Architecture"]))
        self.assertEqual(self.control["Architecture"], deb.architecture())
        self.assertEqual(self.control["Recommends"], "chromium")
        for field in ("Maintainer", "Description", "Section", "Priority"):
            self.assertTrue(self.control.get(field), field)
        installed = int(self.control["Installed-Size"])
        size = sum(os.path.getsize(os.path.join(self.root, f)) for f in self.files) // 1024
        self.assertTrue(size <= installed <= size + 200, (size, installed))

    def test_depends_names_the_package_of_every_library_the_binary_needs_and_no_other(self):
        wanted = sorted(set(libraries.packages(self.binary).values()))
        self.assertEqual(libraries.names(self.control["Depends"]), wanted)
        for package in ("libc6", "libsqlite3-0", "zlib1g", "libpq5"):
            self.assertIn(package, wanted)

    def test_every_entry_is_root_owned_folders_and_programs_0755_the_rest_0644(self):
        for name, mode, user, group, is_dir in self.data_members():
            self.assertEqual((user, group), ("root", "root"), name)
            executable = is_dir or name == "./usr/bin/mailscope"
            self.assertEqual(oct(mode), oct(0o755 if executable else 0o644), name)
        for script in deb.SCRIPTS:
            path = os.path.join(self.meta, script)
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o755, script)
            self.assertTrue(read_text(path).startswith("#!/bin/sh\n"), script)
            self.assertEqual(subprocess.run(["sh", "-n", path]).returncode, 0, script)

    def test_conffiles_are_listed_and_in_the_package(self):
        with open(os.path.join(self.meta, "conffiles")) as f:
            conffiles = f.read().split()
        self.assertEqual(conffiles, ["/etc/mailscope/mailscope.yml"])
        for c in conffiles:
            self.assertIn(c.lstrip("/"), self.files)

    def test_md5sums_cover_every_file_but_the_conffiles(self):
        with open(os.path.join(self.meta, "md5sums")) as f:
            sums = dict(reversed(line.split("  ", 1)) for line in f.read().splitlines())
        self.assertEqual(sorted(sums), [f for f in self.files if not f.startswith("etc/")])
        for path, digest in sums.items():
            with open(os.path.join(self.root, path), "rb") as f:
                self.assertEqual(hashlib.md5(f.read()).hexdigest(), digest, path)

    def test_maintainer_scripts_use_no_network_and_keep_the_evidence_on_purge(self):
        text = "".join(read_text(os.path.join(self.meta, s)) for s in deb.SCRIPTS)
        for word in ("curl", "wget", "apt-get", "pip", "http://", "https://", "git "):
            self.assertNotIn(word, text)
        self.assertIn("useradd --system", read_text(os.path.join(self.meta, "postinst")))
        self.assertNotIn("rm -rf /var/lib/mailscope", text)

    # Contents

    def test_files_are_only_where_a_package_puts_them_and_nothing_of_the_build_tree(self):
        for f in self.files:
            self.assertRegex(f, r"^(usr/(bin|share/(man/man1|doc/mailscope|bash-completion|zsh/vendor-completions|fish))"
                                r"|usr/share/lintian/overrides/mailscope$|etc/mailscope/|lib/systemd/system/)", f)
            for part in (".build", ".git", "__pycache__", ".swiftpm", "Sources/", "Tests/"):
                self.assertNotIn(part, f)
        self.assertIn("usr/share/doc/mailscope/copyright", self.files)
        self.assertIn("usr/share/doc/mailscope/changelog.gz", self.files)
        self.assertIn("usr/share/doc/mailscope/CHANGELOG.md.gz", self.files)

    def test_no_text_file_names_the_build_machines_folders(self):
        for f in self.files:
            path = os.path.join(self.root, f)
            if is_elf(path):
                continue
            data = gzip.decompress(read_bytes(path)) if f.endswith(".gz") else read_bytes(path)
            text = data.decode("utf-8")
            for p in BUILD_PATHS:
                self.assertNotIn(p, text, f)

    def test_a_gzipped_man_page_per_command_that_man_renders_without_warnings(self):
        dump = run_clean([self.binary, "--experimental-dump-help"]).stdout
        commands = len(re.findall(r'"commandName"', dump)) - 1  # argument-parser's `help`
        pages = [f for f in self.files if f.startswith("usr/share/man/man1/")]
        self.assertEqual(len(pages), commands)
        self.assertIn("usr/share/man/man1/mailscope-run.1.gz", pages)
        for page in pages:
            path = os.path.join(self.root, page)
            with open(path, "rb") as f:
                self.assertEqual(f.read(10)[4:8], b"\0\0\0\0", "gzip -n: no time in the header: " + page)
            if shutil.which("groff"):
                roff = gzip.decompress(read_bytes(path))
                r = subprocess.run(["groff", "-K", "utf8", "-ww", "-man", "-z", "-Tutf8"], input=roff,
                                   capture_output=True)
                self.assertEqual(r.stderr, b"", page)
        if shutil.which("man"):
            r = subprocess.run(["man", "-l", os.path.join(self.root, "usr/share/man/man1/mailscope-run.1.gz")],
                               capture_output=True, text=True, env={**CLEAN_ENV, "MANPAGER": "cat", "MANWIDTH": "80"})
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("--fail-on", r.stdout.replace("\u2010", "-"))

    def test_the_units_run_the_packaged_binary_and_the_timer_is_not_enabled(self):
        service = read_text(os.path.join(self.root, "lib/systemd/system/mailscope-nightly.service"))
        self.assertIn("ExecStart=/usr/bin/mailscope run --config /etc/mailscope/mailscope.yml", service)
        self.assertIn("User=mailscope", service)
        self.assertIn("lib/systemd/system/mailscope-nightly.timer", self.files)
        self.assertFalse([f for f in self.files if ".wants/" in f])
        cron = read_text(os.path.join(self.root, "usr/share/doc/mailscope/examples/mailscope.cron"))
        self.assertIn(" /usr/bin/mailscope run", cron)
        self.assertNotIn("/usr/local/bin", cron)

    # The packaged binary, on its own

    def test_the_binary_does_not_name_the_build_machines_folders(self):
        with open(self.binary, "rb") as f:
            self.assertNotIn(ROOT.encode("utf-8"), f.read())

    def test_ldd_shows_only_debian_libraries(self):
        paths = libraries.resolved(self.binary, env=CLEAN_ENV)
        self.assertEqual(libraries.toolchain_libraries(paths, libraries.toolchain_dirs() + ["/opt"]), [])
        for soname, path in paths.items():
            self.assertRegex(path, r"^(/usr)?/lib(64|/x86_64-linux-gnu|/aarch64-linux-gnu)?/", soname)
        self.assertFalse(any("swift" in p.lower() for p in paths.values()), paths)

    def test_version_names_the_version_commit_and_the_sqlite_it_runs_with(self):
        r = run_clean([self.binary, "--version"])
        self.assertEqual(r.returncode, 0, r.stderr)
        first, sqlite = r.stdout.splitlines()
        self.assertRegex(first, r"^mailscope \d+\.\d+\.\d+ \((commit [0-9a-f]{7,40}(-dirty)?|unknown commit)\)$")
        self.assertRegex(sqlite, r"^SQLite 3\.\d+\.\d+$")
        # The system's libsqlite3, found at run time (Debian's version is upstream's plus a suffix).
        installed = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "libsqlite3-0"], capture_output=True,
                                   text=True, check=True).stdout
        self.assertTrue(installed.startswith(sqlite[len("SQLite "):] + "-"), (sqlite, installed))

    def test_rules_list_prints_the_bundled_catalog(self):
        r = run_clean([self.binary, "rules", "list"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertGreater(len(re.findall(r"\bMS-[A-Z]+-\d{3}\b", r.stdout)), 20)

    def test_a_whole_run_on_the_scenario_writes_the_committed_example_report(self):
        tmp = temp_dir(self)
        out = os.path.join(tmp, "out")
        r = run_clean([self.binary, *SCENARIO_RUN, "--db", os.path.join(tmp, "case.db"), "--out", out], cwd=ROOT)
        self.assertEqual(r.returncode, 0, r.stderr)
        example = os.path.join(ROOT, "reports", "example")
        fresh_json = read_text(os.path.join(out, "report.json"))
        kept_json = read_text(os.path.join(example, "report.json"))
        for name in EXAMPLE_FILES:
            fresh = read_text(os.path.join(out, name))
            kept = read_text(os.path.join(example, name))
            self.assertEqual(comparable(fresh, fresh_json), comparable(kept, kept_json),
                             "the packaged binary's %s differs from reports/example/%s" % (name, name))

    def test_the_same_binary_gives_the_same_package(self):
        again = deb.build(BINARY, temp_dir(self))
        with open(DEB, "rb") as a, open(again, "rb") as b:
            self.assertEqual(hashlib.sha256(a.read()).hexdigest(), hashlib.sha256(b.read()).hexdigest())

    def test_lintian_finds_no_errors_when_it_is_installed(self):
        if shutil.which("lintian") is None:
            self.skipTest("lintian is not installed (optional)")
        r = subprocess.run(["lintian", "--no-tag-display-limit", DEB], capture_output=True, text=True)
        errors = [line for line in r.stdout.splitlines() if line.startswith("E:")]
        self.assertEqual(errors, [], r.stdout)


@unittest.skipUnless(BINARY, "scripts/test-package builds the release binary and runs these")
class InstallScript(unittest.TestCase):
    def install(self, *args):
        return subprocess.run([sys.executable, os.path.join(SCRIPTS, "install"), *args], capture_output=True, text=True)

    def test_install_into_a_prefix_gives_a_working_binary_pages_and_completions_and_uninstall_removes_them(self):
        prefix = os.path.join(temp_dir(self), "pre fix")
        r = self.install("--prefix", prefix, "--binary", BINARY)
        self.assertEqual(r.returncode, 0, r.stderr)
        binary = os.path.join(prefix, "bin", "mailscope")
        v = run_clean([binary, "--version"])
        self.assertEqual(v.returncode, 0, v.stderr)
        self.assertTrue(v.stdout.startswith("mailscope "))
        page = os.path.join(prefix, "share/man/man1/mailscope-rules-list.1")
        if shutil.which("man"):
            m = subprocess.run(["man", "-l", page], capture_output=True, text=True,
                               env={**CLEAN_ENV, "MANPAGER": "cat"})
            self.assertEqual(m.returncode, 0, m.stderr)
            self.assertIn("rules list", m.stdout)
        bash = os.path.join(prefix, "share/bash-completion/completions/mailscope")
        c = subprocess.run(["bash", "-c", 'source "$1" && complete -p mailscope', "-", bash],
                           capture_output=True, text=True)
        self.assertEqual(c.returncode, 0, c.stderr)
        self.assertIn("mailscope", c.stdout)
        for shell, path in (("zsh", "share/zsh/site-functions/_mailscope"),
                            ("fish", "share/fish/vendor_completions.d/mailscope.fish")):
            self.assertTrue(os.path.getsize(os.path.join(prefix, path)) > 0, path)
            if shutil.which(shell):
                self.assertEqual(subprocess.run([shell, "-n", os.path.join(prefix, path)]).returncode, 0, shell)
        manifest = os.path.join(prefix, "share/mailscope/install-manifest")
        self.assertIn("file ", read_text(manifest))
        # Something of the user's in the prefix stays.
        mine = os.path.join(prefix, "share", "notes.txt")
        write_text(mine, "mine")
        u = self.install("--uninstall", "--prefix", prefix)
        self.assertEqual(u.returncode, 0, u.stderr)
        left = [os.path.relpath(os.path.join(d, n), prefix) for d, _, names in os.walk(prefix) for n in names]
        self.assertEqual(left, ["share/notes.txt"])
        self.assertFalse(os.path.exists(os.path.join(prefix, "bin")))

    def test_system_install_under_a_destdir_adds_config_units_and_folders_and_uninstall_leaves_them(self):
        dest = temp_dir(self)
        r = self.install("--prefix", "/usr/local", "--binary", BINARY, "--system", "--destdir", dest)
        self.assertEqual(r.returncode, 0, r.stderr)
        config = os.path.join(dest, "etc/mailscope/mailscope.yml")
        self.assertTrue(os.path.isfile(config))
        service = read_text(os.path.join(dest, "etc/systemd/system/mailscope-nightly.service"))
        self.assertIn("ExecStart=/usr/local/bin/mailscope run", service)
        self.assertFalse(os.path.exists(os.path.join(dest, "etc/systemd/system/timers.target.wants")))
        for d in ("var/lib/mailscope", "var/log/mailscope"):
            self.assertEqual(os.stat(os.path.join(dest, d)).st_mode & 0o777, 0o750, d)
        # An existing config is never overwritten.
        write_text(config, "db: /srv/case.db\n")
        self.assertEqual(self.install("--prefix", "/usr/local", "--binary", BINARY, "--system", "--destdir", dest)
                         .returncode, 0)
        self.assertEqual(read_text(config), "db: /srv/case.db\n")
        u = self.install("--uninstall", "--prefix", "/usr/local", "--destdir", dest)
        self.assertEqual(u.returncode, 0, u.stderr)
        left = sorted(os.path.relpath(os.path.join(d, n), dest) for d, dirs, names in os.walk(dest)
                      for n in names + [x for x in dirs if not os.listdir(os.path.join(d, x))])
        self.assertEqual(left, ["etc/mailscope/mailscope.yml", "var/lib/mailscope", "var/log/mailscope"])


if __name__ == "__main__":
    unittest.main()
