"""UTC time forms of the scenario families' exports, from epoch milliseconds."""

import time


def iso(ms, z="Z", frac=3):
    """2026-11-02T08:15:00.123Z (frac=3) or without the fraction (frac=0)."""
    s, m = divmod(ms, 1000)
    t = time.gmtime(s)
    base = time.strftime("%Y-%m-%dT%H:%M:%S", t)
    return base + (f".{m:03d}" if frac == 3 else "") + z


def mimecast_date(ms):
    """The TTP logs' date form: 2026-11-02T08:15:00+0000."""
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(ms // 1000))
