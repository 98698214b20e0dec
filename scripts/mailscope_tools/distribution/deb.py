"""package-deb: dist/mailscope_<version>_<arch>.deb for Debian 12, built with dpkg-deb.

  scripts/package-deb [--binary PATH] [--out DIR]

Without --binary it builds the release binary (scripts/build-release). The package holds:
  /usr/bin/mailscope                        stripped; the Swift runtime linked in
  /usr/share/man/man1/mailscope*.1.gz       one page per command (gzip -9n)
  /usr/share/bash-completion/completions/mailscope, /usr/share/zsh/vendor-completions/_mailscope,
  /usr/share/fish/vendor_completions.d/mailscope.fish
  /usr/share/doc/mailscope/                 copyright, changelog.gz (Debian's), CHANGELOG.md.gz,
                                            examples/ (config, cron)
  /usr/share/lintian/overrides/mailscope    why the libyaml inside the binary is there
  /etc/mailscope/mailscope.yml              the example config, a conffile
  /lib/systemd/system/mailscope-nightly.{service,timer}   enabled by hand, see postinst
and packaging/debian's control (Depends read off the binary: see libraries.py), postinst (the
mailscope user, /var/lib/mailscope, /var/log/mailscope; no network), prerm and postrm.
Every file is root-owned (--root-owner-group), folders and programs 0755, the rest 0644, and
every time is SOURCE_DATE_EPOCH (else the commit's time), so the same binary gives the same
.deb. Prints the .deb's path."""

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from ..paths import ROOT
from . import libraries, payload

DEBIAN = os.path.join(ROOT, "packaging", "debian")
CONFFILES = ("/etc/mailscope/mailscope.yml",)
SCRIPTS = ("postinst", "prerm", "postrm")
LAYOUT = payload.Layout(prefix="usr", zsh_dir="share/zsh/vendor-completions", gzip_man=True)


class PackageError(Exception):
    """The package cannot be built; the message says why."""


def debian_version(version_line):
    """0.1.0 from "mailscope 0.1.0 (commit abc)"."""
    m = re.match(r"^mailscope (\d[0-9A-Za-z.+~-]*)", version_line)
    if not m:
        raise PackageError("--version printed %r, not \"mailscope X.Y.Z (commit ...)\": "
                           "a binary from an older checkout?" % version_line)
    return m.group(1)


def architecture():
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()


def build_time():
    """SOURCE_DATE_EPOCH, else the time of the commit checked out, else None (dpkg-deb then
    stamps the current time)."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    r = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%ct"], capture_output=True, text=True)
    return int(r.stdout.strip()) if r.returncode == 0 and r.stdout.strip() else None


def entries(binary, date, version, maintainer, mtime):
    """Every file of the package but DEBIAN/."""
    es = payload.program_files(binary, LAYOUT, date)
    es += payload.unit_files(LAYOUT, "lib/systemd/system")
    es.append(payload.Entry("etc/mailscope/mailscope.yml", payload.read(payload.EXAMPLE_CONFIG), 0o644))
    doc = "usr/share/doc/mailscope/"
    es.append(payload.Entry(doc + "copyright", payload.read(os.path.join(DEBIAN, "copyright")), 0o644))
    es.append(payload.Entry(doc + "changelog.gz", payload.gzipped(debian_changelog(version, maintainer, mtime)), 0o644))
    es.append(payload.Entry(doc + "CHANGELOG.md.gz", payload.gzipped(payload.read(os.path.join(ROOT, "CHANGELOG.md"))),
                            0o644))
    es.append(payload.Entry("usr/share/lintian/overrides/mailscope",
                            payload.read(os.path.join(DEBIAN, "lintian-overrides")), 0o644))
    return es


def debian_changelog(version, maintainer, mtime):
    """The changelog a Debian package must carry (this one is native: built by its upstream),
    pointing at the project's own CHANGELOG.md beside it."""
    t = time.gmtime(mtime if mtime is not None else time.time())
    day = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[t.tm_wday]
    month = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")[t.tm_mon - 1]
    return ("mailscope (%s) unstable; urgency=medium\n\n"
            "  * Release %s; the changes are in /usr/share/doc/mailscope/CHANGELOG.md.gz.\n\n"
            " -- %s  %s, %02d %s %d %s +0000\n"
            % (version, version, maintainer, day, t.tm_mday, month, t.tm_year, time.strftime("%H:%M:%S", t))
            ).encode("utf-8")


def control(template, version, arch, depends, installed_kib):
    fields = {"@VERSION@": version, "@ARCHITECTURE@": arch, "@DEPENDS@": depends,
              "@INSTALLED_SIZE@": str(installed_kib)}
    for key, value in fields.items():
        template = template.replace(key, value)
    left = re.findall(r"@[A-Z_]+@", template)
    if left:
        raise PackageError("packaging/debian/control: no value for %s" % ", ".join(left))
    return template


def installed_size(es):
    """Installed-Size in KiB, as dpkg-gencontrol counts: each file rounded up to a KiB."""
    return sum((len(e.data) + 1023) // 1024 for e in es) + len({os.path.dirname(e.path) for e in es})


def md5sums(es):
    return "".join("%s  %s\n" % (hashlib.md5(e.data).hexdigest(), e.path)
                   for e in sorted(es, key=lambda e: e.path) if not ("/" + e.path) in CONFFILES)


def build(binary, out_dir):
    if not os.access(binary, os.X_OK):
        raise PackageError("%s is not an executable mailscope binary (build one with scripts/build-release)" % binary)
    version_line = subprocess.run([binary, "--version"], capture_output=True, text=True,
                                  check=True).stdout.splitlines()[0]
    version = debian_version(version_line)
    arch = architecture()
    depends = libraries.depends(binary)
    mtime = build_time()
    # The man pages carry the day of the package's time.
    date = time.strftime("%Y-%m-%d", time.gmtime(mtime)) if mtime is not None else None
    with open(os.path.join(DEBIAN, "control"), encoding="utf-8") as f:
        template = f.read()
    maintainer = re.search(r"^Maintainer: (.+)$", template, re.M).group(1)
    es = entries(binary, date, version, maintainer, mtime)
    control_text = control(template, version, arch, depends, installed_size(es))
    meta = [payload.Entry("DEBIAN/control", control_text.encode("utf-8"), 0o644),
            payload.Entry("DEBIAN/conffiles", "".join(c + "\n" for c in CONFFILES).encode(), 0o644),
            payload.Entry("DEBIAN/md5sums", md5sums(es).encode(), 0o644)]
    meta += [payload.Entry("DEBIAN/" + s, payload.read(os.path.join(DEBIAN, s)), 0o755) for s in SCRIPTS]
    os.makedirs(out_dir, exist_ok=True)
    deb = os.path.join(out_dir, "mailscope_%s_%s.deb" % (version, arch))
    with tempfile.TemporaryDirectory(prefix="mailscope-deb-") as tmp:
        root = os.path.join(tmp, "root")
        os.makedirs(root, mode=0o755)
        payload.write(es + meta, root, mtime)
        for d, _, _ in os.walk(root):
            os.chmod(d, 0o755)
            if mtime is not None:
                os.utime(d, (mtime, mtime))
        env = dict(os.environ)
        if mtime is not None:
            env["SOURCE_DATE_EPOCH"] = str(mtime)
        subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", root, deb], check=True, env=env,
                       stdout=subprocess.DEVNULL)
    return deb


def build_binary():
    print("building the release binary (scripts/build-release; several minutes)...", file=sys.stderr)
    r = subprocess.run([os.path.join(ROOT, "scripts", "build-release")], stdout=subprocess.PIPE, text=True, check=True)
    return r.stdout.strip().splitlines()[-1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--binary", help="an already built mailscope (default: build one with scripts/build-release)")
    ap.add_argument("--out", default=os.path.join(ROOT, "dist"), help="folder for the .deb (default dist/)")
    a = ap.parse_args(argv)
    if shutil.which("dpkg-deb") is None:
        print("package-deb: dpkg-deb is missing (a Debian or Ubuntu machine builds the package)", file=sys.stderr)
        return 1
    try:
        deb = build(os.path.abspath(a.binary) if a.binary else build_binary(), a.out)
    except (PackageError, libraries.LibraryError, payload.PayloadError) as e:
        print("package-deb: %s" % e, file=sys.stderr)
        return 1
    except (OSError, subprocess.CalledProcessError) as e:
        print("package-deb: %s" % e, file=sys.stderr)
        return 2
    print(deb)
    return 0
