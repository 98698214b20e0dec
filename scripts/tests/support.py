"""Helpers shared by the tests: temporary folders and running an executable of scripts/."""

import hashlib
import os
import subprocess
import sys
import tempfile

from mailscope_tools.paths import ROOT, SCRIPTS


def temp_dir(test):
    """A temporary folder removed when the test ends."""
    d = tempfile.TemporaryDirectory(prefix="mailscope-tools-test-")
    test.addCleanup(d.cleanup)
    return d.name


def class_temp_dir(cls):
    """A temporary folder removed when the test class is done (for setUpClass)."""
    d = tempfile.TemporaryDirectory(prefix="mailscope-tools-test-")
    cls.addClassCleanup(d.cleanup)
    return d.name


def run_script(name, *args):
    """Run scripts/NAME with this Python; returns the CompletedProcess (text, output captured)."""
    return subprocess.run([sys.executable, os.path.join(SCRIPTS, name), *args], capture_output=True, text=True,
                          cwd=ROOT)


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def write_bytes(path, data):
    with open(path, "wb") as f:
        f.write(data)


def tree(folder):
    """{relative path: bytes} of every file under folder."""
    out = {}
    for dp, _dn, fn in os.walk(folder):
        for f in fn:
            p = os.path.join(dp, f)
            out[os.path.relpath(p, folder)] = read_bytes(p)
    return out


def tree_digest(folder, skip=()):
    """(SHA-256 over every file's path and SHA-256, in path order; the number of files)."""
    h, n = hashlib.sha256(), 0
    for dp, dn, fn in sorted(os.walk(folder)):
        dn.sort()
        for f in sorted(fn):
            p = os.path.join(dp, f)
            rel = os.path.relpath(p, folder)
            if rel in skip:
                continue
            h.update(rel.encode() + b"\0" + hashlib.sha256(read_bytes(p)).digest())
            n += 1
    return h.hexdigest(), n


# Recorded from the scripts as they were before they became mailscope_tools (commit e50de8d),
# and unchanged since. A change here is a change of the data sets: when it is meant, bump the
# generator's version (make-scale-data, bench-ingest) and record the new value.
GOLDEN = {
    # Issue 22 added the administration families (audit and release files; the earlier
    # families' rows unchanged, test_families checks the order).
    "families seed 1": ("884dd2d0d452f2ea81cad2d94033229d0aed58455500625f682e3dc5da7d97dd", 14),
    "scale 2 days x 60 mailboxes": ("1e09fc2fa75661942c3d4e6e9ca98af82e1050ac9d6277e3b57ef113067407fc", 240),
    "bench-ingest first 2000 events": "30662e9d210b828228296cd238a5c1d9f0e6e3246cb77451be232de12c57d047",
    "bench-ingest first 2000 CSV rows": "84254f2bbca2a0b5bc7e8fee23e73cc6c0780882ab2e2c0bffdc4845421d06ac",
}
