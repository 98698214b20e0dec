"""install: puts MailScope on a server from a checkout (the README's "Install" section).

  scripts/install [--prefix DIR] [--binary PATH] [--system] [--destdir DIR]
  scripts/install --uninstall [--prefix DIR] [--destdir DIR]

Without --binary it builds the release binary first (scripts/build-release: static Swift
runtime, so the server needs no Swift toolchain). It installs, under --prefix (default
/usr/local):
  bin/mailscope
  share/man/man1/mailscope*.1                     one page per command
  share/bash-completion/completions/mailscope, share/zsh/site-functions/_mailscope,
  share/fish/vendor_completions.d/mailscope.fish
  share/doc/mailscope/examples/                   mailscope.yml, mailscope.cron
With --system (as root) also the `mailscope` system user, /var/lib/mailscope and
/var/log/mailscope (owned by it), /etc/mailscope/mailscope.yml from the example (an existing one
is never touched), and the nightly job's systemd units in /etc/systemd/system, installed but not
enabled: the example config names example folders, so the timer is enabled by hand once the
config names the real exports.

What was installed is listed, with each file's SHA-256, in PREFIX/share/mailscope/install-manifest.
--uninstall removes exactly those files (a file changed since is kept, with a note) and the folders
it created when they are empty; the database, reports, logs, config and user stay.
--destdir DIR installs under DIR as if it were / (for packaging and tests: no user, no chown,
no systemctl)."""

import argparse
import hashlib
import os
import pwd
import shutil
import subprocess
import sys
import tempfile

from ..paths import ROOT
from . import payload

MANIFEST = "share/mailscope/install-manifest"
USER = "mailscope"
DATA_DIRS = ("/var/lib/mailscope", "/var/log/mailscope")
CONFIG = "/etc/mailscope/mailscope.yml"
UNIT_DIR = "etc/systemd/system"


class InstallError(Exception):
    """Something the person installing can fix: the message says what."""


def sha256(data):
    return hashlib.sha256(data).hexdigest()


class Target:
    """The installation's paths as they are on the server (`/usr/local/bin/mailscope`) and on
    this machine (the same, or under --destdir)."""

    def __init__(self, prefix, destdir=None):
        if "\n" in prefix or not os.path.isabs(prefix):
            raise InstallError("--prefix must be an absolute path (got %r)" % prefix)
        self.prefix = os.path.normpath(prefix)
        self.destdir = os.path.abspath(destdir) if destdir else None

    def local(self, path):
        """Where PATH (absolute, as on the server) is on this machine."""
        return self.destdir + path if self.destdir else path

    @property
    def manifest(self):
        return os.path.join(self.prefix, MANIFEST)


def created_dirs(target, paths):
    """The folders, deepest first, that writing PATHS will create (so uninstall removes them)."""
    new = set()
    for path in paths:
        d = os.path.dirname(path)
        while d != "/" and not os.path.isdir(target.local(d)):
            new.add(d)
            d = os.path.dirname(d)
    return sorted(new, key=lambda d: (-d.count("/"), d))


def write_manifest(target, files, dirs, version):
    lines = ["# Installed by scripts/install (%s). `scripts/install --uninstall --prefix %s` removes"
             % (version, target.prefix),
             "# these files and, when empty, these folders; data, logs, config and the user stay."]
    lines += ["file %s %s" % (digest, path) for path, digest in files]
    lines += ["dir %s" % d for d in dirs]
    local = target.local(target.manifest)
    os.makedirs(os.path.dirname(local), mode=0o755, exist_ok=True)
    with open(local, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(local, 0o644)


def read_manifest(target):
    """([(path, sha256)], [dir]) from the manifest, or InstallError when there is none."""
    local = target.local(target.manifest)
    try:
        with open(local, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise InstallError("no %s: nothing was installed at --prefix %s by scripts/install"
                           % (local, target.prefix)) from None
    files, dirs = [], []
    for n, line in enumerate(text.splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        kind, _, rest = line.partition(" ")
        if kind == "file":
            digest, _, path = rest.partition(" ")
            files.append((path, digest))
        elif kind == "dir":
            dirs.append(rest)
        else:
            raise InstallError("%s:%d: unknown line %r" % (local, n, line))
    return files, dirs


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def systemd_running(target):
    return target.destdir is None and os.path.isdir("/run/systemd/system") and shutil.which("systemctl")


def system_setup(target, out):
    """The user, its folders and the config; none of these go into the manifest."""
    if target.destdir is None:
        try:
            pwd.getpwnam(USER)
        except KeyError:
            shell = "/usr/sbin/nologin" if os.path.exists("/usr/sbin/nologin") else "/bin/false"
            run(["useradd", "--system", "--user-group", "--home-dir", DATA_DIRS[0], "--no-create-home",
                 "--shell", shell, "--comment", "MailScope nightly analysis", USER])
            print("created system user %s" % USER, file=out)
    for d in DATA_DIRS:
        local = target.local(d)
        os.makedirs(local, exist_ok=True)
        os.chmod(local, 0o750)
        if target.destdir is None:
            shutil.chown(local, USER, USER)
    config = target.local(CONFIG)
    if os.path.exists(config):
        print("kept %s (never overwritten; the example is %s)"
              % (CONFIG, os.path.join(target.prefix, "share/doc/mailscope/examples/mailscope.yml")), file=out)
    else:
        os.makedirs(os.path.dirname(config), mode=0o755, exist_ok=True)
        shutil.copyfile(payload.EXAMPLE_CONFIG, config)
        os.chmod(config, 0o644)
        print("wrote %s from the example: name your exports in it (inputs:)" % CONFIG, file=out)


def build_binary(out):
    print("building the release binary (scripts/build-release; several minutes)...", file=out)
    result = run([os.path.join(ROOT, "scripts", "build-release")], stdout=subprocess.PIPE, text=True)
    return result.stdout.strip().splitlines()[-1]


def install(target, binary, system, out=sys.stdout):
    if system and target.destdir is None and os.geteuid() != 0:
        raise InstallError("--system creates a user and writes /etc and /var: run it as root (sudo)")
    if not os.access(binary, os.X_OK):
        raise InstallError("%s is not an executable mailscope binary (build one with scripts/build-release)" % binary)
    version = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout.splitlines()[0]
    layout = payload.Layout(prefix=target.prefix)
    # Entries come relative to "/": the prefix is part of each path.
    entries = payload.program_files(binary, layout)
    if system:
        entries += payload.unit_files(layout, UNIT_DIR)
    paths = ["/" + e.path for e in entries]
    dirs = created_dirs(target, paths + [target.manifest])
    old_files = []
    if os.path.exists(target.local(target.manifest)):
        # A reinstall (an upgrade) replaces the files, removes those the new version no longer
        # has, and keeps listing the folders the first installation created.
        old_files, old_dirs = read_manifest(target)
        dirs = sorted(set(dirs) | set(old_dirs), key=lambda d: (-d.count("/"), d))
    payload.write(entries, target.destdir or "/")
    files = [("/" + e.path, sha256(e.data)) for e in entries]
    remove_unchanged([f for f in old_files if f[0] not in paths], target, out)
    write_manifest(target, files, dirs, version)
    print("installed %s: %d files under %s (list: %s)" % (version, len(files), target.prefix, target.manifest), file=out)
    if system:
        system_setup(target, out)
        if systemd_running(target):
            run(["systemctl", "daemon-reload"])
        print("the nightly timer is installed, not enabled: once %s names your exports,\n"
              "  systemctl enable --now mailscope-nightly.timer" % CONFIG, file=out)


def remove_unchanged(files, target, out):
    """Removes each (path, sha256) whose file still has that content; returns (removed, kept)."""
    removed = kept = 0
    for path, digest in files:
        local = target.local(path)
        try:
            with open(local, "rb") as f:
                current = sha256(f.read())
        except FileNotFoundError:
            continue
        if current != digest:
            print("kept %s: changed since it was installed" % path, file=out)
            kept += 1
            continue
        os.remove(local)
        removed += 1
    return removed, kept


def uninstall(target, out=sys.stdout):
    files, dirs = read_manifest(target)
    units = [p for p, _ in files if p.endswith(payload.UNITS)]
    if units and systemd_running(target):
        subprocess.run(["systemctl", "disable", "--now", "mailscope-nightly.timer"], capture_output=True)
    removed, kept = remove_unchanged(files, target, out)
    os.remove(target.local(target.manifest))
    for d in dirs:
        try:
            os.rmdir(target.local(d))
        except OSError:
            pass  # not empty (a kept file, or someone else's) or already gone
    if units and systemd_running(target):
        run(["systemctl", "daemon-reload"])
    print("removed %d files from %s%s%s" % (removed, target.prefix, " (%d kept)" % kept if kept else "",
                                            "; data, logs, config and the %s user stay" % USER if units else ""),
          file=out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--prefix", default="/usr/local", help="installation prefix (default /usr/local)")
    ap.add_argument("--binary", help="an already built mailscope (default: build one with scripts/build-release)")
    ap.add_argument("--system", action="store_true", help="also the user, folders, config and systemd units")
    ap.add_argument("--uninstall", action="store_true", help="remove what an earlier install listed")
    ap.add_argument("--destdir", help="install under this folder as if it were / (no user, chown or systemctl)")
    a = ap.parse_args(argv)
    try:
        target = Target(a.prefix, a.destdir)
        if a.uninstall:
            uninstall(target)
        else:
            install(target, os.path.abspath(a.binary) if a.binary else build_binary(sys.stderr), a.system)
    except InstallError as e:
        print("install: %s" % e, file=sys.stderr)
        return 1
    except (OSError, subprocess.CalledProcessError, payload.PayloadError) as e:
        print("install: %s" % e, file=sys.stderr)
        return 2
    return 0
