"""Where a file's bytes go and what is recorded about them: gzip with no name and no time (so
reruns are byte-identical; gzip_bytes for the scenario, gz for the scale set), and Out, which
writes a file and keeps its manifest entry (path, format, bytes, SHA-256, lines, records,
events by type) for the ground truth."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import zlib


def gzip_bytes(data: bytes) -> bytes:
    buf = io.BytesIO()
    # filename="" and mtime=0: no FNAME field, no timestamp -> byte-identical reruns.
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(data)
    return buf.getvalue()


def gz(data: bytes, level: int) -> bytes:
    # zlib's gzip container (wbits 31): mtime 0 and no file name, so reruns are byte-identical.
    c = zlib.compressobj(level, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


class Out:
    """Writes the scenario's files under root, keeping each one's ground-truth entry."""

    def __init__(self, root):
        self.root = root
        self.files = []

    def write(self, rel, data: bytes, *, fmt, lines, records, by_type, extra=None):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        entry = {"path": rel, "format": fmt, "bytes": len(data),
                 "sha256": hashlib.sha256(data).hexdigest(), "non_empty_lines": lines,
                 "records": records, "events_by_type": dict(sorted(by_type.items()))}
        if extra:
            entry.update(extra)
        self.files.append(entry)


def count_types(evs, key="type"):
    c = {}
    for e in evs:
        c[e[key]] = c.get(e[key], 0) + 1
    return c
