"""What an installation of MailScope consists of, for scripts/install and scripts/package-deb:
the binary, one man page per command, bash/zsh/fish completions, the example config and cron
file, and the systemd units, each with the path it takes under an installation prefix.

Both installers lay out the same files from the same binary, so what `scripts/install
--prefix /usr/local` puts on a server and what the .deb puts under /usr differ only in the
prefix (and the .deb's gzipped man pages and Debian's zsh folder)."""

import dataclasses
import gzip
import os
import shutil
import subprocess
import tempfile

from ..paths import ROOT
from . import manpages

NIGHTLY = os.path.join(ROOT, "scripts", "nightly")
EXAMPLE_CONFIG = os.path.join(NIGHTLY, "mailscope.yml")
UNITS = ("mailscope-nightly.service", "mailscope-nightly.timer")
# The examples name /usr/local/bin/mailscope (the default prefix); an installation at another
# prefix gets its own binary's path in the units and the cron example.
EXAMPLE_BINARY = "/usr/local/bin/mailscope"
SHELLS = ("bash", "zsh", "fish")


@dataclasses.dataclass(frozen=True)
class Entry:
    """A file to install: its path relative to the root it goes under, its bytes and mode."""
    path: str
    data: bytes
    mode: int


@dataclasses.dataclass(frozen=True)
class Layout:
    """Where things go. `prefix` is relative to the root (usr, usr/local, opt/mailscope);
    `binary_path` is what the units and the cron example run."""
    prefix: str
    zsh_dir: str = "share/zsh/site-functions"
    gzip_man: bool = False

    @property
    def binary_path(self):
        return "/" + self.prefix.strip("/") + "/bin/mailscope"

    def completion(self, shell):
        return {"bash": "share/bash-completion/completions/mailscope",
                "zsh": self.zsh_dir + "/_mailscope",
                "fish": "share/fish/vendor_completions.d/mailscope.fish"}[shell]


class PayloadError(Exception):
    """The binary could not be run to produce its man pages or completions."""


def stripped(binary):
    """The binary without its symbol table and debug sections (a third of the size), as
    Debian's dh_strip does; the bytes as they are when binutils' strip is missing or the file
    is not ELF (a wrapper script)."""
    data = read(binary)
    if shutil.which("strip") is None or not data.startswith(b"\x7fELF"):
        return data
    with tempfile.TemporaryDirectory(prefix="mailscope-strip-") as tmp:
        out = os.path.join(tmp, "mailscope")
        subprocess.run(["strip", "--remove-section=.comment", "--remove-section=.note", "-o", out, binary],
                       check=True)
        with open(out, "rb") as f:
            return f.read()


def completion_script(binary, shell):
    """`mailscope --generate-completion-script SHELL`, from the binary being installed. The
    bash script's "#!/bin/bash" goes: bash-completion sources the file, never runs it."""
    try:
        script = subprocess.run([binary, "--generate-completion-script", shell], capture_output=True,
                                check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise PayloadError("%s --generate-completion-script %s: %s" % (binary, shell, e)) from e
    if shell == "bash" and script.startswith(b"#!"):
        script = script.split(b"\n", 1)[1] if b"\n" in script else b""
    return script


def man_pages(binary, date=None):
    """{name.1: roff text} for every command of the binary."""
    try:
        dump, version = manpages.dump_of(binary)
        return manpages.manual(dump, version, manpages.manual_date(date))
    except manpages.DumpError as e:
        raise PayloadError(str(e)) from e


def gzipped(data):
    """gzip -9n: no name or time in the header, so the same page gives the same bytes."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def with_binary_path(text, layout):
    return text.replace(EXAMPLE_BINARY, layout.binary_path)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def program_files(binary, layout, date=None):
    """The binary, man pages and completions under the prefix (what `scripts/install` without
    --system installs)."""
    p = layout.prefix.strip("/")
    entries = [Entry(p + "/bin/mailscope", stripped(binary), 0o755)]
    for name, page in sorted(man_pages(binary, date).items()):
        data = page.encode("utf-8")
        if layout.gzip_man:
            entries.append(Entry("%s/share/man/man1/%s.gz" % (p, name), gzipped(data), 0o644))
        else:
            entries.append(Entry("%s/share/man/man1/%s" % (p, name), data, 0o644))
    for shell in SHELLS:
        entries.append(Entry(p + "/" + layout.completion(shell), completion_script(binary, shell), 0o644))
    examples = p + "/share/doc/mailscope/examples/"
    entries.append(Entry(examples + "mailscope.yml", read(EXAMPLE_CONFIG), 0o644))
    cron = read(os.path.join(NIGHTLY, "mailscope.cron")).decode("utf-8")
    entries.append(Entry(examples + "mailscope.cron", with_binary_path(cron, layout).encode("utf-8"), 0o644))
    return entries


def unit_files(layout, unit_dir):
    """The systemd service and timer, running the installed binary, under UNIT_DIR
    (etc/systemd/system for a local installation, lib/systemd/system for the package)."""
    entries = []
    for unit in UNITS:
        text = read(os.path.join(NIGHTLY, unit)).decode("utf-8")
        text = with_binary_path(text, layout).replace("/etc/systemd/system/", "/" + unit_dir.strip("/") + "/")
        entries.append(Entry(unit_dir.strip("/") + "/" + unit, text.encode("utf-8"), 0o644))
    return entries


def write(entries, root, mtime=None):
    """Writes the entries under ROOT (folders 0755); with MTIME, every file gets that time.
    Each file is written beside its place and renamed over it, so replacing a binary that
    is running (tonight's job during an upgrade) neither fails ("text file busy") nor leaves
    half a file."""
    for e in entries:
        dest = os.path.join(root, e.path)
        os.makedirs(os.path.dirname(dest), mode=0o755, exist_ok=True)
        part = dest + ".part"
        with open(part, "wb") as f:
            f.write(e.data)
        os.chmod(part, e.mode)
        if mtime is not None:
            os.utime(part, (mtime, mtime))
        os.replace(part, dest)
