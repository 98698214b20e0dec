"""scripts/install and the package's parts, with a stand-in mailscope (a shell script answering
--version, --experimental-dump-help and --generate-completion-script), so they run in seconds;
test_deb_package.py does the same with the real release binary."""

import json
import os
import stat
import subprocess
import sys
import unittest

from mailscope_tools.distribution import deb, installer, libraries, payload
from mailscope_tools.paths import SCRIPTS

from .support import temp_dir

DUMP = {"serializationVersion": 0, "command": {
    "commandName": "mailscope", "abstract": "Offline forensic analysis.", "arguments": [],
    "subcommands": [{"commandName": "run", "superCommands": ["mailscope"], "abstract": "Run the whole job.",
                     "arguments": []}]}}


def fake_mailscope(folder, version="0.1.0"):
    path = os.path.join(folder, "mailscope")
    with open(path, "w") as f:
        f.write("#!/bin/sh\n"
                'case "$1" in\n'
                "  --version) printf 'mailscope %s (commit 0123456789ab)\\nSQLite 3.40.1\\n' ;;\n"
                "  --experimental-dump-help) cat <<'JSON'\n%s\nJSON\n ;;\n"
                '  --generate-completion-script) echo "# $2 completion for mailscope" ;;\n'
                "  *) exit 64 ;;\n"
                "esac\n" % (version, json.dumps(DUMP)))
    os.chmod(path, 0o755)
    return path


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def install(*args):
    return subprocess.run([sys.executable, os.path.join(SCRIPTS, "install"), *args], capture_output=True, text=True)


def tree(folder):
    return sorted(os.path.relpath(os.path.join(d, n), folder) for d, _, names in os.walk(folder) for n in names)


class Install(unittest.TestCase):
    def setUp(self):
        self.tmp = temp_dir(self)
        self.binary = fake_mailscope(self.tmp)
        self.prefix = os.path.join(self.tmp, "prefix")

    def test_lays_out_binary_pages_completions_and_examples_and_lists_them(self):
        r = install("--prefix", self.prefix, "--binary", self.binary)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(tree(self.prefix), [
            "bin/mailscope",
            "share/bash-completion/completions/mailscope",
            "share/doc/mailscope/examples/mailscope.cron",
            "share/doc/mailscope/examples/mailscope.yml",
            "share/fish/vendor_completions.d/mailscope.fish",
            "share/mailscope/install-manifest",
            "share/man/man1/mailscope-run.1",
            "share/man/man1/mailscope.1",
            "share/zsh/site-functions/_mailscope",
        ])
        self.assertTrue(os.stat(os.path.join(self.prefix, "bin/mailscope")).st_mode & stat.S_IXOTH)
        with open(os.path.join(self.prefix, "share/zsh/site-functions/_mailscope")) as f:
            self.assertEqual(f.read(), "# zsh completion for mailscope\n")
        with open(os.path.join(self.prefix, "share/doc/mailscope/examples/mailscope.cron")) as f:
            self.assertIn(os.path.join(self.prefix, "bin/mailscope") + " run --config", f.read())
        files, _ = installer.read_manifest(installer.Target(self.prefix))
        self.assertEqual(len(files), 8)

    def test_uninstall_removes_what_it_installed_and_keeps_a_file_changed_since(self):
        install("--prefix", self.prefix, "--binary", self.binary)
        page = os.path.join(self.prefix, "share/man/man1/mailscope.1")
        with open(page, "a") as f:
            f.write(".\\\" local note\n")
        r = install("--uninstall", "--prefix", self.prefix)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("kept %s/share/man/man1/mailscope.1: changed since it was installed" % self.prefix, r.stdout)
        self.assertEqual(tree(self.prefix), ["share/man/man1/mailscope.1"])

    def test_uninstall_removes_the_folders_it_created_but_not_those_that_were_there(self):
        os.makedirs(os.path.join(self.prefix, "bin"))
        install("--prefix", self.prefix, "--binary", self.binary)
        install("--uninstall", "--prefix", self.prefix)
        self.assertEqual(sorted(os.listdir(self.prefix)), ["bin"])

    def test_a_reinstall_removes_files_the_new_version_no_longer_has(self):
        install("--prefix", self.prefix, "--binary", self.binary)
        manifest = os.path.join(self.prefix, installer.MANIFEST)
        old = os.path.join(self.prefix, "share/man/man1/mailscope-gone.1")
        with open(old, "w") as f:
            f.write("old page\n")
        with open(manifest, "a") as f:
            f.write("file %s %s\n" % (installer.sha256(b"old page\n"), old))
        r = install("--prefix", self.prefix, "--binary", self.binary)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(old))
        self.assertNotIn("mailscope-gone", read_text(manifest))

    def test_uninstall_without_an_installation_says_so(self):
        r = install("--uninstall", "--prefix", self.prefix)
        self.assertEqual(r.returncode, 1)
        self.assertIn("nothing was installed at --prefix %s" % self.prefix, r.stderr)

    def test_a_relative_prefix_or_a_missing_binary_is_refused(self):
        self.assertIn("absolute", install("--prefix", "rel", "--binary", self.binary).stderr)
        r = install("--prefix", self.prefix, "--binary", os.path.join(self.tmp, "nope"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("scripts/build-release", r.stderr)

    def test_system_under_destdir_writes_config_once_units_for_the_prefix_and_folders(self):
        dest = os.path.join(self.tmp, "dest")
        r = install("--prefix", "/opt/mailscope", "--binary", self.binary, "--system", "--destdir", dest)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(dest, "etc/systemd/system/mailscope-nightly.service")) as f:
            service = f.read()
        self.assertIn("ExecStart=/opt/mailscope/bin/mailscope run --config /etc/mailscope/mailscope.yml", service)
        self.assertIn("not enabled", r.stdout)
        with open(os.path.join(dest, "etc/mailscope/mailscope.yml"), "w") as f:
            f.write("inputs: [/srv/x]\n")
        r = install("--prefix", "/opt/mailscope", "--binary", self.binary, "--system", "--destdir", dest)
        self.assertIn("kept /etc/mailscope/mailscope.yml", r.stdout)
        install("--uninstall", "--prefix", "/opt/mailscope", "--destdir", dest)
        self.assertEqual(tree(dest), ["etc/mailscope/mailscope.yml"])
        self.assertTrue(os.path.isdir(os.path.join(dest, "var/lib/mailscope")))


class Package(unittest.TestCase):
    def test_the_debian_version_is_the_tools(self):
        self.assertEqual(deb.debian_version("mailscope 0.1.0 (commit 0123456789ab)"), "0.1.0")
        with self.assertRaises(deb.PackageError):
            deb.debian_version("something else")

    def test_control_is_filled_in_and_a_missing_value_is_an_error(self):
        text = deb.control("Version: @VERSION@\nDepends: @DEPENDS@\nArchitecture: @ARCHITECTURE@\n"
                           "Installed-Size: @INSTALLED_SIZE@\n", "0.1.0", "amd64", "libc6 (>= 2.34)", 12)
        self.assertEqual(text, "Version: 0.1.0\nDepends: libc6 (>= 2.34)\nArchitecture: amd64\nInstalled-Size: 12\n")
        with self.assertRaisesRegex(deb.PackageError, "@HOMEPAGE@"):
            deb.control("Homepage: @HOMEPAGE@\n", "0.1.0", "amd64", "libc6", 1)

    def test_the_debian_changelog_is_in_debians_format_dated_by_the_package_time(self):
        self.assertEqual(deb.debian_changelog("0.1.0", "A B <a@b.example>", 1793664000).decode(),
                         "mailscope (0.1.0) unstable; urgency=medium\n\n"
                         "  * Release 0.1.0; the changes are in /usr/share/doc/mailscope/CHANGELOG.md.gz.\n\n"
                         " -- A B <a@b.example>  Tue, 03 Nov 2026 00:00:00 +0000\n")

    def test_md5sums_leave_out_conffiles(self):
        es = [payload.Entry("usr/bin/mailscope", b"x", 0o755), payload.Entry("etc/mailscope/mailscope.yml", b"y", 0o644)]
        self.assertEqual(deb.md5sums(es), "9dd4e461268c8034f5c8564e155c67a6  usr/bin/mailscope\n")

    def test_the_packages_units_run_usr_bin_mailscope(self):
        units = payload.unit_files(deb.LAYOUT, "lib/systemd/system")
        self.assertEqual([u.path for u in units], ["lib/systemd/system/mailscope-nightly.service",
                                                   "lib/systemd/system/mailscope-nightly.timer"])
        self.assertIn(b"ExecStart=/usr/bin/mailscope run", units[0].data)
        self.assertIn(b"# /lib/systemd/system/mailscope-nightly.service", units[0].data)


class Libraries(unittest.TestCase):
    def test_swift_runtime_and_toolchain_folders_are_caught(self):
        paths = {"libsqlite3.so.0": "/lib/x86_64-linux-gnu/libsqlite3.so.0",
                 "libswiftCore.so": "/somewhere/libswiftCore.so",
                 "libFoundationEssentials.so": "/x/libFoundationEssentials.so",
                 "libcustom.so.1": "/opt/swift/usr/lib/libcustom.so.1"}
        self.assertEqual([s for s, _ in libraries.toolchain_libraries(paths, ["/opt/swift"])],
                         ["libFoundationEssentials.so", "libcustom.so.1", "libswiftCore.so"])

    def test_depends_names_drop_versions_alternatives_and_architectures(self):
        self.assertEqual(libraries.names("libc6 (>= 2.34), libgcc-s1 (>= 3.0), zlib1g:amd64 | libz-ng, libsqlite3-0"),
                         ["libc6", "libgcc-s1", "libsqlite3-0", "libz-ng", "zlib1g"])


if __name__ == "__main__":
    unittest.main()
