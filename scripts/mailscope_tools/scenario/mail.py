"""One email as Mimecast sees it (Msg: sender, recipients, attachments, links, the aggregateId
form its events carry), and the ids its headers get."""

from __future__ import annotations

from .common import b64id, file_hashes, hexs, uuid_like
from .content import TLS, fill


class Msg:
    """One email as Mimecast sees it; v2 events are derived from it."""

    def __init__(self, r, kind, t, env, hdr, ip, subject, direction, rcpts, *, msgid=None,
                 atts=(), urls=(), size=None, agg_mode=None):
        self.kind = kind
        self.t = t
        self.env, self.hdr, self.ip = env, hdr, ip
        self.subject = subject
        self.direction = direction
        self.rcpts = list(rcpts)
        self.atts = list(atts)
        self.urls = list(urls)
        self.size = size if size is not None else r.randrange(3000, 90000) + sum(a["size"] for a in atts)
        self.agg_base = uuid_like(r) if (direction == "Internal" and r.random() < 0.3) else b64id(r, 16)
        # with_suffix: every event carries "_<epoch s>"; none: no event does;
        # mixed: receipt/process/... carry it, delivery/journal do not.
        self.agg_mode = agg_mode or r.choices(["with_suffix", "none", "mixed"], [70, 10, 20])[0]
        self.msgid = msgid
        self.spam_score = 0
        self.spam_level = r.choice(["7", "28", "28"])
        self.spd_enc = "string"
        self.tls = r.choice(TLS) if direction != "Internal" or r.random() < 0.2 else (None, None)
        self.case_lower = r.random() < 0.06  # direction/route spelled in lower case

    def agg(self, for_type: str) -> str:
        suffixed = f"{self.agg_base}_{self.t // 1000}"
        if self.agg_mode == "with_suffix":
            return suffixed
        if self.agg_mode == "none":
            return self.agg_base
        return self.agg_base if for_type in ("delivery", "journal") else suffixed

    def dir_str(self) -> str:
        return self.direction.lower() if self.case_lower else self.direction

    def att_string(self):
        if not self.atts:
            return None
        return ", ".join(f'"{a["name"]}"' for a in self.atts)


def make_att(r, tmpl, key):
    name_t, ext, mime = tmpl
    name = fill(r, name_t)
    a = {"name": name, "ext": ext, "mime": mime, "size": r.randrange(20_000, 900_000)}
    a.update(file_hashes(f"{key}/{name}"))
    return a


def msgid_external(r, domain):
    return f"<{hexs(r, 8)}.{r.randrange(100000, 999999)}@mail.{domain}>"


def msgid_exchange(r):
    n = r.randrange(1000, 9999)
    return f"<{hexs(r, 16).upper()}@AM6PR03MB{n}.eurprd03.prod.outlook.com>"


def msgid_mimecast(r, ms):
    return f"<{r.randrange(20000000, 29999999)}-{ms}@usb-mta-{r.randrange(1, 60)}.usb.mimecast.lan>"
