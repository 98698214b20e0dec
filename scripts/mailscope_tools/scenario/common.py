"""The scenario's fixed facts (seed, organisation, days) and the small helpers every part of
it shares: seeded random streams, ids, hashes and UTC time formats.

Determinism: every random choice comes from random.Random seeded with a fixed string (rng_for),
nothing reads the clock, iteration is over lists or sorted keys."""

from __future__ import annotations

import base64
import calendar
import hashlib
import json
import os
import random
import unicodedata
from datetime import datetime, timedelta, timezone

from ..paths import ROOT

SEED = "mailscope-scenario/acme-corp/2026-11-02/v1"
ACCOUNT_ID = "CUSA1B2C3"
ORG_DOMAIN = "acme-corp.example"
ORG_NAME = "Acme Corp"
DAY = calendar.timegm((2026, 11, 2, 0, 0, 0))   # main day (API 2.0 + TTP), epoch s, UTC
PREV = DAY - 86400                              # legacy SIEM day 2026-11-01
MIXED_FROM_MS = (DAY + 22 * 3600) * 1000        # v2 events from 22:00 UTC go to the mixed batch
DUPLICATE_OVERLAP = 40

DEFAULT_OUT = os.path.join(ROOT, "fixtures", "scenario")


def rng_for(name: str) -> random.Random:
    # str seeds are hashed with SHA-512 by random.seed (version 2): stable across runs and
    # independent of PYTHONHASHSEED.
    return random.Random(f"{SEED}/{name}")


def b64id(r: random.Random, nbytes: int) -> str:
    return base64.urlsafe_b64encode(r.randbytes(nbytes)).decode("ascii").rstrip("=")


def uuid_like(r: random.Random) -> str:
    h = r.randbytes(16).hex()
    return f"{h[0:8]}-{h[8:12]}-3{h[13:16]}-{'89ab'[r.randrange(4)]}{h[17:20]}-{h[20:32]}"


def hexs(r: random.Random, nbytes: int) -> str:
    return r.randbytes(nbytes).hex()


def iso_utc(ms: int) -> str:
    return datetime.fromtimestamp(ms // 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def ttp_date(ms: int) -> str:
    return datetime.fromtimestamp(ms // 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000")


def offset_date(ms: int, off_min: int) -> str:
    dt = datetime.fromtimestamp(ms // 1000, timezone.utc) + timedelta(minutes=off_min)
    sign = "+" if off_min >= 0 else "-"
    a = abs(off_min)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{a // 60:02d}{a % 60:02d}"


def at(day0: int, hh: int, mm: int, ss: int, ms: int = 0) -> int:
    return (day0 + hh * 3600 + mm * 60 + ss) * 1000 + ms


HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 12, 13, 12, 11, 9, 11, 12, 11, 10, 8, 5, 3, 2, 2, 1, 1]


def rand_ms(r: random.Random, day0: int, weights=HOUR_WEIGHTS) -> int:
    h = r.choices(range(24), weights)[0]
    sec = r.randrange(3300 if h == 23 else 3600)  # keep follow-up events inside the day
    return (day0 + h * 3600 + sec) * 1000 + r.randrange(1000)


def ascii_fold(s: str) -> str:
    s = s.replace("ø", "o").replace("Ø", "O").replace("ł", "l").replace("Ł", "L")
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c))


def file_hashes(label: str) -> dict:
    """md5/sha1/sha256 of a deterministic pseudo file body (the body itself is not written)."""
    body = ("MailScope synthetic attachment body: " + label).encode("utf-8") * 37
    return {
        "md5": hashlib.md5(body).hexdigest(),
        "sha1": hashlib.sha1(body).hexdigest(),
        "sha256": hashlib.sha256(body).hexdigest(),
    }


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def time_tuple(iso: str):
    return datetime.strptime(iso[:19], "%Y-%m-%dT%H:%M:%S").timetuple()
