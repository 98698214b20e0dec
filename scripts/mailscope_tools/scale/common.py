"""The scale data set's fixed parameters and small helpers: volumes, routes, the API 2.0 event
types and partitions, seeded random streams, fast id streams, JSON and CSV quoting."""

from __future__ import annotations

import binascii
import itertools
import json
import operator
import random
from datetime import datetime, timezone

from ..scenario.common import ACCOUNT_ID, ORG_DOMAIN

GENERATOR_VERSION = 1
SEED_PREFIX = "mailscope-scale/v1"
DEFAULT_START = "2026-08-05"
EDR_PART_ROWS = 100_000        # MDE advanced hunting exports stop at 100,000 rows (edr.md "Export caps")
TTP_PAGE = 1000                # records per TTP page: one page is one JSON line, far below 4 MiB
WEEKEND_MAIL = 0.30            # weekend volume relative to a weekday
WEEKEND_EDR = 0.25
OUTBOUND_SHARE = 0.10          # outbound messages per inbound message
INTERNAL_SHARE = 0.12
DUPLICATE_OVERLAP = 25         # events of one batch repeated at the start of the next (once a day)
MB = 1 << 20


ACC = ACCOUNT_ID
ORG = ORG_DOMAIN
INBOUND_ROUTE, INBOUND_HOST, INBOUND_IP = "Acme O365 Inbound", "acmecorp-example.mail.protection.outlook.com", "52.101.8.36"
INTERNAL_ROUTE, INTERNAL_HOST, INTERNAL_DEST = "Acme Internal Exchange", "exch-hub01." + ORG, "10.20.0.25"
OUTBOUND_ROUTE = "Acme Outbound Default"
RELAY_IPS = ["10.20.1.156", "10.20.3.41", "10.20.5.12", "10.20.2.230", "10.20.6.77", "10.20.4.18"]
V2_TYPES = ["receipt", "process", "delivery", "journal", "spam", "av", "url protect", "attachment protect",
            "impersonation protect", "internal email protect"]
TYPE_INDEX = {t: i for i, t in enumerate(V2_TYPES)}
PARTITIONS = [58, 59, 60, 61]
PROTECT_IP = "192.0.2.90"


HMS = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]


def jstr(s) -> str:
    """A JSON literal for a string or None, escaped once (pools are built with it)."""
    return "null" if s is None else json.dumps(s, ensure_ascii=False)


def csvq(s: str) -> str:
    """RFC 4180 quoting for one CSV field."""
    if "," in s or '"' in s or "\n" in s or "\r" in s:
        return '"' + s.replace('"', '""') + '"'
    return s


def day_name(day0: int) -> str:
    return datetime.fromtimestamp(day0, timezone.utc).strftime("%Y-%m-%d")


def iso_ms(ms: int) -> str:
    return datetime.fromtimestamp(ms // 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"


def rng(seed, *parts) -> random.Random:
    # str seeds are hashed with SHA-512 by random.seed: stable across runs and PYTHONHASHSEED.
    return random.Random("/".join([SEED_PREFIX, str(seed)] + [str(p) for p in parts]))


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def id_stream(r: random.Random, nbytes: int):
    """The next() of an endless stream of base64url ids of `nbytes` random bytes (as Mimecast's
    aggregateId and processingId), drawn from r 4,096 at a time: one randbytes and one base64
    call per block instead of four calls per id."""
    per = -(-nbytes // 3) * 3            # bytes per id, a multiple of 3: ids never straddle
    step, chars = per // 3 * 4, -(-nbytes * 4 // 3)

    def blocks():
        while True:
            blob = binascii.b2a_base64(r.randbytes(per * 4096), newline=False).translate(_URLSAFE).decode()
            yield [blob[i:i + chars] for i in range(0, len(blob), step)]
    return itertools.chain.from_iterable(blocks()).__next__


BY_TIME = operator.itemgetter(0)
