"""One day of Acme Corp's mail in the scale set: every API 2.0 event into hourly buckets per
type (as (timestamp, pre, tail) pieces of its line), the TTP records, and the mail facts the
endpoint side of the day needs (clicks, attachments opened). Inbound, outbound and internal
mail here; the day's stopped threats in scale/waves.py."""

from __future__ import annotations

import bisect
import json
from datetime import datetime, timezone

from .. import pools
from ..scenario.common import HOUR_WEIGHTS
from ..scenario.content import (INTERNAL_SUBJECTS, NEWSLETTER_SUBJECTS, OUTBOUND_SUBJECTS, PARTNER_ATTACHMENTS,
                                PARTNER_SUBJECTS, SPAM_SUBJECTS, SPF_INFO, TLS, fill)
from ..scenario.mail import Msg, msgid_external
from ..writers.siem_v2 import (T_AP, T_AP_FULL, T_DELIVERY, T_DELIVERY_PRE, T_JOURNAL, T_PROCESS, T_RECEIPT,
                               T_RECEIPT_REJ, T_SPAM, V2, ev_parts)
from .common import (INBOUND_HOST, INBOUND_IP, INBOUND_ROUTE, INTERNAL_DEST, INTERNAL_HOST, INTERNAL_ROUTE,
                     INTERNAL_SHARE, OUTBOUND_ROUTE, OUTBOUND_SHARE, RELAY_IPS, TYPE_INDEX, V2_TYPES, WEEKEND_MAIL,
                     day_name, id_stream, jstr, rng)
from .waves import StoppedThreats
from .world import JUNK_WORDS, World

EXTRA_ATTACHMENTS = [("{stem}.pdf", "pdf", "application/pdf"), ("{stem}.docx", "docx",
                      "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                     ("{stem}.xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                     ("image00{d}.png", "png", "image/png"), ("{stem}.zip", "zip", "application/zip"),
                     ("invite.ics", "ics", "text/calendar"), ("photo_{n}.jpg", "jpg", "image/jpeg")]
PARTNER_SUBJECTS_EXTRA = ["Quarterly results", "Meeting notes", "Project update", "Re: budget review",
                          "Contract for signature", "Weekly Report", "Team offsite agenda", "Draft agreement v{d}",
                          "Statement of account {n}", "Your order #{n} has shipped", "Invitation: project sync",
                          "Angebot für Projekt {n}", "Confirmación de pedido {n}", "Réunion de suivi {d}"]

URL_CATS = ["Business", "News & Media", "Shopping", "Computers & Technology", "Travel", "Education"]
AWARE = ["N/A", "N/A", "NA", "Continue"]
REJ_TYPES = [  # (rejectionCode, rejectionType, rejectionInfo), as generate-scenario's spam rejections
    ("550", "IP Found in RBL", "Rejected by header based Blocked Senders - block policy for IP address"),
    ("550", "Manual Envelope Rejection", "Envelope blocked - User Entry"),
    ("554", "Spam Signature Detected", "Message rejected as spam by Content Filtering")]

I_RECEIPT, I_PROCESS, I_DELIVERY, I_JOURNAL, I_SPAM, I_AP = (TYPE_INDEX[t] * 24 for t in (
    "receipt", "process", "delivery", "journal", "spam", "attachment protect"))


class InboundMessage:
    """One inbound message's fields, drawn once and formatted into each of its events."""
    __slots__ = ("kind", "t", "mode", "agg_r", "agg_d", "direction", "tls", "env", "hdr", "ip", "sdom", "subj",
                 "subj_j", "rcpts", "msgid", "msgid_j", "nurl", "link", "score", "spd", "atts", "na", "att_total",
                 "size", "level")


class MailDay(StoppedThreats):
    """Generates one day's Mimecast events into hourly buckets per type, plus TTP records and
    the mail facts the endpoint side of the day needs (clicks, attachments opened)."""

    def __init__(self, W: World, cfg: dict, day_index: int, day0: int):
        self.W, self.cfg, self.day_index, self.day0 = W, cfg, day_index, day0
        self.day_ms = day0 * 1000
        self.weekend = datetime.fromtimestamp(day0, timezone.utc).weekday() >= 5
        self.factor = WEEKEND_MAIL if self.weekend else 1.0
        self.r = rng(cfg["seed"], cfg["mailboxes"], "mail", day_name(day0))
        self.buckets = [[] for _ in range(len(V2_TYPES) * 24)]
        self.ttp_url, self.ttp_ap, self.ttp_ip = [], [], []
        self.clicks = []    # (user idx, ms, host, via protect) -> browser DNS + connection
        self.opens = []     # (user idx, delivered ms, name, ext, md5, sha1, sha256, size) -> written + opened
        self.background = []  # detections that are not planted campaigns (for the ground truth)
        self.counts = {"messages_inbound": 0, "messages_outbound": 0, "messages_internal": 0}
        self.wave_no = 0
        r = self.r
        self.next_pid = id_stream(r, 32)     # processingId: 43 characters
        self.next_agg = id_stream(r, 16)     # aggregateId: 22 characters
        # hour of day for message start times: a 1,000-entry lookup from the scenario's weights
        cum, acc = [], 0
        for h, w in enumerate(HOUR_WEIGHTS):
            acc += w
            cum.append(acc)
        self.hour_lut = [bisect.bisect_right(cum, (i + 0.5) * acc / 1000) for i in range(1000)]
        self.flat_lut = [i * 24 // 1000 for i in range(1000)]
        self.day_pools(r)

    def day_pools(self, r):
        """Subjects (raw, JSON), attachment names, spamProcessingDetail forms and TLS pairs for
        the day: escaped once here, formatted into millions of lines later."""
        def pool(templates, n):
            out = []
            for _ in range(n):
                s = fill(r, r.choice(templates))
                out.append((s, jstr(s)))
            return out
        self.news_subj = pool(NEWSLETTER_SUBJECTS, 400)
        self.part_subj = pool(PARTNER_SUBJECTS + PARTNER_SUBJECTS_EXTRA, 1500)
        self.int_subj = pool(INTERNAL_SUBJECTS, 600)
        self.out_subj = pool(OUTBOUND_SUBJECTS, 400)
        atts = []
        for _ in range(2000):
            if r.random() < 0.6:
                tmpl = r.choice(PARTNER_ATTACHMENTS)
            else:
                tmpl = r.choice(EXTRA_ATTACHMENTS)
            stem = r.choice(pools.FILE_STEMS) + ("_" + str(r.randrange(100, 99999)) if r.random() < 0.6 else "")
            name = tmpl[0].format(n=r.randrange(10000, 99999), d=r.randint(1, 9), stem=stem)
            atts.append((name, jstr(name), tmpl[1], tmpl[2]))
        self.att_pool = atts
        spd = [{"spf": {"allow": True, "info": i}, "dkim": {"allow": True, "info": k}, "dmarc": {"allow": True, "info": m}}
               for i in SPF_INFO for k in ("ALLOW", "UNKNOWN") for m in ("ALLOW", "NONE")]
        self.spd_str = [jstr(json.dumps(d, separators=(",", ":"))) for d in spd]
        self.spd_obj = [json.dumps(d, separators=(",", ":")) for d in spd]
        self.spd_double = [jstr(json.dumps(json.dumps(d, separators=(",", ":")))) for d in spd]
        self.spd_out = jstr(json.dumps({"spf": {"allow": True, "info": "ALLOW"}}, separators=(",", ":")))
        self.tls = [(jstr(c), jstr(v)) for v, c in TLS]

    # -- ids -----------------------------------------------------------------------------------
    def agg(self):
        """(base, suffix mode): with_suffix 70 %, none 10 %, mixed 20 % (generate-scenario's Msg)."""
        x = self.r.random()
        return self.next_agg(), (0 if x < 0.7 else 1 if x < 0.8 else 2)

    def pid(self, ts: int, mode: int) -> str:
        p = self.next_pid()
        if mode != 1 or self.r.random() < 0.5:
            return f"{p}_{ts // 1000}"
        return p

    def start(self, flat=False) -> int:
        r = self.r
        h = (self.flat_lut if flat else self.hour_lut)[int(r.random() * 1000)]
        return self.day_ms + h * 3_600_000 + int(r.random() * (3_000_000 if h == 23 else 3_600_000))

    def put(self, type_, ts, pre, tail):
        self.buckets[TYPE_INDEX[type_] * 24 + (ts - self.day_ms) // 3_600_000].append((ts, pre, tail))

    def put_ev(self, ev):
        ts, pre, tail = ev_parts(ev)
        self.put(ev["type"], ts, pre, tail)

    # -- the day ---------------------------------------------------------------------------------
    def generate(self):
        cfg = self.cfg
        n_in = round(cfg["mailboxes"] * cfg["messages_per_day"] * self.factor)
        self.inbound(n_in)
        self.outbound(round(n_in * OUTBOUND_SHARE))
        self.internal(round(n_in * INTERNAL_SHARE))
        self.waves()

    def inbound(self, n: int):
        """n inbound messages: newsletters and partner mail (every known sender domain first: no
        established correspondent looks "new"), a few spam rejections and held spam."""
        W, r = self.W, self.r
        rnd = r.random
        news, parts = W.newsletters, W.partners
        forced = [("n", x) for x in news] + [("p", x) for x in parts]
        for i in range(n):
            if i < len(forced):
                kind, src = forced[i]
            else:
                x = rnd()
                if x < 0.44:
                    kind, src = "n", news[int(rnd() * len(news))]
                elif x < 0.96:
                    kind, src = "p", parts[int(rnd() * len(parts))]
                elif x < 0.99:
                    kind, src = "rej", None
                else:
                    kind, src = "held", None
            if kind == "rej":
                self.spam_rejected()
                continue
            if kind == "held":
                self.spam_held()
                continue
            m = self.inbound_message(kind, src)
            extra = self.inbound_accepted(m)
            self.inbound_delivered(m, extra)
        self.counts["messages_inbound"] += n
        self.impersonation_hits(int(n * 0.0005 + r.random()))   # ~0.05 % of inbound mail

    def inbound_message(self, kind, src):
        """Draw one message of a newsletter ("n") or partner ("p") sender."""
        rnd = self.r.random
        m = InboundMessage()
        m.kind = kind
        m.t = t = self.start()
        epoch = t // 1000
        base = self.next_agg()
        x = rnd()
        m.mode = mode = 0 if x < 0.7 else 1 if x < 0.8 else 2
        agg_s = f"{base}_{epoch}"
        m.agg_r = base if mode == 1 else agg_s              # receipt, process, spam, AP
        m.agg_d = base if mode != 0 else agg_s              # delivery
        m.direction = "inbound" if rnd() < 0.06 else "Inbound"
        m.tls = self.tls[int(rnd() * 3)]
        m.atts = ()
        if kind == "n":
            self.newsletter_fields(m, src)
        else:
            self.partner_fields(m, src)
        m.msgid_j = '"' + m.msgid + '"'
        m.na = len(m.atts)
        m.att_total = sum(a[4] for a in m.atts)
        m.size = 3000 + int(rnd() * 87_000) + m.att_total
        m.level = "7" if rnd() < 0.34 else "28"
        return m

    def newsletter_fields(self, m, src):
        rnd, gb = self.r.random, self.r.getrandbits
        users = self.W.users
        m.env, m.hdr, m.ip, m.sdom = src["env"], src["hdr"], src["ip"], src["sdom"]
        m.subj, m.subj_j = self.news_subj[int(rnd() * len(self.news_subj))]
        m.rcpts = (users[int(rnd() * len(users))].email,)
        m.msgid = f"<{gb(64):016x}.{100000 + int(rnd() * 900000)}@mail.{src['domain']}>"
        m.nurl = 1 + int(rnd() * 3)
        m.link = src["link_host"]
        m.score = int(rnd() * 14)
        m.spd = self.spd_str[int(rnd() * len(self.spd_str))]

    def partner_fields(self, m, src):
        rnd, gb = self.r.random, self.r.getrandbits
        users, spd_str, att_pool = self.W.users, self.spd_str, self.att_pool
        nu = len(users)
        m.env = m.hdr = src["people"][int(rnd() * len(src["people"]))]
        m.ip, m.sdom = src["ip"], src["domain"]
        m.subj, m.subj_j = self.part_subj[int(rnd() * len(self.part_subj))]
        k = rnd()
        if k < 0.85:
            m.rcpts = (users[int(rnd() * nu)].email,)
        else:
            m.rcpts = tuple(sorted({users[int(rnd() * nu)].email for _ in range(2 if k < 0.95 else 3 + int(rnd() * 2))}))
        m.msgid = f"<{gb(64):016x}.{100000 + int(rnd() * 900000)}@mail.{m.sdom}>"
        m.nurl = 1 if rnd() < 0.2 else 0
        m.link = src["link_host"]
        m.score = int(rnd() * 6)
        q = rnd()
        m.spd = spd_str[int(rnd() * len(spd_str))] if q > 0.025 else (
            self.spd_obj[0] if q < 0.0125 else self.spd_double[0])
        if rnd() < 0.38:
            na = 1 if rnd() < 0.8 else 2
            atts = []
            for _ in range(na):
                name, name_j, ext, mime = att_pool[int(rnd() * len(att_pool))]
                md5, sha1, sha256 = "%032x" % gb(128), "%040x" % gb(160), "%064x" % gb(256)
                atts.append((name, name_j, ext, mime, 20_000 + int(rnd() * 880_000), md5, sha1, sha256))
            m.atts = atts

    def inbound_accepted(self, m):
        """Receipt per recipient, process (a sandbox run first for some attachments), and the
        bulk-mail spam event of some newsletters; returns the sandbox's delay (ms)."""
        rnd, next_pid = self.r.random, self.next_pid
        buckets, day_ms = self.buckets, self.day_ms
        t, mode, agg_r, msgid_j, na, env, subj_j = m.t, m.mode, m.agg_r, m.msgid_j, m.na, m.env, m.subj_j
        for k, rc in enumerate(m.rcpts):
            ts = t + k * (5 + int(rnd() * 55))
            p = next_pid()
            if mode != 1 or rnd() < 0.5:
                p = f"{p}_{ts // 1000}"
            buckets[I_RECEIPT + (ts - day_ms) // 3_600_000].append((ts, "", T_RECEIPT % (
                agg_r, m.direction, msgid_j, na, p, rc, env, m.hdr, m.ip, m.level, m.spd, m.score, subj_j, ts,
                m.tls[0], m.tls[1])))
        extra = 0
        att_str = "null"
        if na:
            att_str = jstr(", ".join('"%s"' % a[0] for a in m.atts))
            if rnd() < 0.35:   # sandboxed first: a second process event, delivery ~1 min later
                ts = t + 800 + int(rnd() * 1200)
                p = f"{next_pid()}_{ts // 1000}"
                buckets[I_PROCESS + (ts - day_ms) // 3_600_000].append((ts, "", T_PROCESS % (
                    "Sdbx", agg_r, att_str, 0, "null", msgid_j, na, p, env, subj_j, "Sdbx", ts, m.att_total)))
                extra = 30_000 + int(rnd() * 60_000)
        ts = t + extra + 800 + int(rnd() * 3200)
        p = f"{next_pid()}_{ts // 1000}"
        pm = msgid_j if (m.kind != "n" or rnd() > 0.03) else '"' + m.msgid[1:-1] + '"'
        buckets[I_PROCESS + (ts - day_ms) // 3_600_000].append((ts, "", T_PROCESS % (
            "Acc", agg_r, att_str, m.size, "null", pm, na, p, env, subj_j, "Acc", ts, m.att_total)))
        if m.kind == "n" and rnd() < 0.12:     # bulk-mail detection in the spam thread, still delivered
            ts = t + 300 + int(rnd() * 600)
            p = f"{next_pid()}_{ts // 1000}"
            pre_flags = ""
            if rnd() < 0.5:
                pre_flags = '"taggedExternal":"%s","taggedMalicious":"false",' % ("true" if rnd() < 0.5 else "false")
            buckets[I_SPAM + (ts - day_ms) // 3_600_000].append((ts, "", pre_flags + T_SPAM % (
                agg_r, msgid_j, p, m.rcpts[0], "inbound" if m.direction == "inbound" else "Inbound", m.sdom, env, m.hdr,
                m.ip, subj_j if rnd() > 0.1 else "null", ts)))
        return extra

    def inbound_delivered(self, m, extra):
        """Per recipient: Attachment Protect scans (safe), the delivery, and the attachments
        opened and links clicked that the endpoint side of the day will show."""
        W, r = self.W, self.r
        rnd, gb, choice, next_pid = r.random, r.getrandbits, r.choice, self.next_pid
        buckets, day_ms = self.buckets, self.day_ms
        t, agg_r, msgid_j, env, subj_j, sdom, ip = m.t, m.agg_r, m.msgid_j, m.env, m.subj_j, m.sdom, m.ip
        for rc in m.rcpts:
            ts_ap = t + extra + 1500
            for a in m.atts:
                name, name_j, ext, mime, asize, md5, sha1, sha256 = a
                ts = ts_ap + int(rnd() * 2500)
                p = f"{next_pid()}_{ts // 1000}"
                if rnd() < 0.25:
                    line = T_AP_FULL % (agg_r, ext, mime, name_j, md5, msgid_j, p, rc, sdom, env, ip, sha1, sha256,
                                        asize, subj_j, ts)
                else:
                    line = T_AP % (agg_r, ext, name_j, md5, p, sha1, sha256, ts)
                buckets[I_AP + (ts - day_ms) // 3_600_000].append((ts, "", line))
                self.ttp_ap.append((ts, rc, env, name, mime, sha256, m.msgid, m.subj, "safe", "none",
                                    f"Safe\r\nTime taken: 0 hrs, 0 min, {2 + int(rnd() * 38)} sec"))
            ts = t + extra + 5000 + int(rnd() * 25_000)
            p = next_pid()
            if m.mode != 1 or rnd() < 0.5:
                p = f"{p}_{ts // 1000}"
            buckets[I_DELIVERY + (ts - day_ms) // 3_600_000].append((ts, T_DELIVERY_PRE % INBOUND_HOST, T_DELIVERY % (
                m.agg_d, ts - t, INBOUND_IP, m.direction, m.size, msgid_j, m.na, p, rc, INBOUND_ROUTE, env, subj_j, ts,
                m.tls[0], "Yes" if rnd() < 0.67 else "true", m.tls[1], m.att_total)))
            for a in m.atts:
                if rnd() < 0.12:
                    self.opens.append((W.by_email[rc].idx, ts, a[0], a[2], a[5], a[6], a[7], a[4]))
            if m.nurl and rnd() < 0.037:        # ~2 % of all inbound messages get a user click
                cts = ts + 60_000 + int(rnd() * 4 * 3_600_000)
                if cts < day_ms + 86_340_000:
                    if m.kind == "n":
                        url = (f"https://{m.link}/{choice(('articles', 'offers', 'events', 'p'))}/{10000 + int(rnd() * 89999)}"
                               f"?utm_source=newsletter&utm_medium=email&uid={gb(32):08x}")
                    else:
                        url = f"https://{m.link}/portal/{100 + int(rnd() * 899)}"
                    self.ttp_url.append(("click", cts, rc, m.hdr, url, m.subj, "allow", "Allow", "clean",
                                         URL_CATS[int(rnd() * len(URL_CATS))], ip, AWARE[int(rnd() * 4)], "inbound",
                                         "User Click", m.msgid, None))
                    self.clicks.append((W.by_email[rc].idx, cts, m.link, True))

    def spam_rejected(self):
        W, r = self.W, self.r
        t = self.start(flat=True)
        base, mode = self.agg()
        mode = 0 if mode == 2 else mode
        d = W.fresh_domain(r, "-mail") if r.random() < 0.7 else f"{r.choice(JUNK_WORDS)}-{r.choice(JUNK_WORDS)}{r.randrange(10, 99)}.example"
        env = f"{r.choice(['info', 'sales', 'no-reply', 'win', 'offer'])}{r.randrange(1, 999)}@{d}"
        code, rtype, info = REJ_TYPES[int(r.random() * len(REJ_TYPES))]
        spd = "null" if r.random() < 0.33 else self.spd_str[0]
        tls = self.tls[int(r.random() * 3)]
        rc = W.users[int(r.random() * len(W.users))].email
        agg = base if mode == 1 else f"{base}_{t // 1000}"
        self.put("receipt", t, "", T_RECEIPT_REJ % (agg, self.pid(t, mode), rc, code, info, rtype, env,
                                                    W._ips[int(r.random() * 2000)], spd, t, tls[0], tls[1]))

    def spam_held(self):
        W, r = self.W, self.r
        t = self.start()
        d = W.fresh_domain(r, "-mail")
        env = f"{r.choice(['deals', 'promo', 'alerts'])}@{d}"
        ip = W._ips[int(r.random() * 2000)]
        subj = r.choice(SPAM_SUBJECTS)
        rcpts = sorted({W.users[int(r.random() * len(W.users))].email for _ in range(r.choice([1, 1, 2]))})
        m = Msg(r, "spam-held", t, env, env, ip, subj, "Inbound", rcpts, msgid=msgid_external(r, d))
        m.spam_score = r.randrange(28, 60)
        v2 = V2(r)
        for rc in rcpts:
            v2.receipt_acc(m, rc, t)
            v2.spam(m, rc, t + r.randrange(200, 800),
                    tagged=("true", r.choice(["true", "false"])) if r.random() < 0.4 else None)
        v2.process(m, t + r.randrange(900, 3000), "Hld", hold_reason="Spm")
        for ev in v2.events:
            self.put_ev(ev)

    def outbound(self, n: int):
        W, r = self.W, self.r
        rnd, gb = r.random, r.getrandbits
        users, parts = W.users, W.partners
        iR, iP, iD = (TYPE_INDEX[t] * 24 for t in ("receipt", "process", "delivery"))
        buckets, day_ms = self.buckets, self.day_ms
        for i in range(n):
            u = users[int(rnd() * len(users))]
            p = parts[int(rnd() * len(parts))]
            t = self.start()
            agg = f"{self.next_agg()}_{t // 1000}"
            rcpts = [p["people"][int(rnd() * len(p["people"]))]]
            if rnd() < 0.25:
                rcpts = sorted(set(rcpts + [p["people"][int(rnd() * len(p["people"]))]]))
            subj, subj_j = self.out_subj[int(rnd() * len(self.out_subj))]
            msgid_j = f'"<{gb(128):032X}@AM6PR03MB{1000 + int(rnd() * 9000)}.eurprd03.prod.outlook.com>"'
            tls = self.tls[int(rnd() * 3)]
            ip = RELAY_IPS[int(rnd() * len(RELAY_IPS))]
            size = 3000 + int(rnd() * 87_000)
            direction = "outbound" if rnd() < 0.06 else "Outbound"
            for k, rc in enumerate(rcpts):
                ts = t + k * 17
                buckets[iR + (ts - day_ms) // 3_600_000].append((ts, "", T_RECEIPT % (
                    agg, direction, msgid_j, 0, self.pid(ts, 0), rc, u.email, u.email, ip, "28", self.spd_out, 0, subj_j,
                    ts, tls[0], tls[1])))
            ts = t + 500 + int(rnd() * 2000)
            buckets[iP + (ts - day_ms) // 3_600_000].append((ts, "", T_PROCESS % (
                "Acc", agg, "null", size, "null", msgid_j, 0, self.pid(ts, 0), u.email, subj_j, "Acc", ts, 0)))
            for rc in rcpts:
                ts = t + 2000 + int(rnd() * 18_000)
                buckets[iD + (ts - day_ms) // 3_600_000].append((ts, T_DELIVERY_PRE % p["mx"], T_DELIVERY % (
                    agg, ts - t, p["mx_ip"], direction, size, msgid_j, 0, self.pid(ts, 0), rc, OUTBOUND_ROUTE, u.email,
                    subj_j, ts, tls[0], "Yes", tls[1], 0)))
        self.counts["messages_outbound"] += n

    def internal(self, n: int):
        W, r = self.W, self.r
        rnd, gb = r.random, r.getrandbits
        users = W.users
        nu = len(users)
        iR, iP, iD, iJ = (TYPE_INDEX[t] * 24 for t in ("receipt", "process", "delivery", "journal"))
        buckets, day_ms = self.buckets, self.day_ms
        for i in range(n):
            u = users[int(rnd() * nu)]
            t = self.start()
            if rnd() < 0.3:
                h = "%032x" % gb(128)
                base = f"{h[0:8]}-{h[8:12]}-3{h[13:16]}-{'89ab'[int(rnd() * 4)]}{h[17:20]}-{h[20:32]}"
            else:
                base = self.next_agg()
            agg = f"{base}_{t // 1000}"
            k = rnd()
            nr = 1 if k < 0.55 else 2 if k < 0.8 else 3 if k < 0.95 else 5
            rcpts = sorted({users[int(rnd() * nu)].email for _ in range(nr)} - {u.email}) or [users[(u.idx + 1) % nu].email]
            subj, subj_j = self.int_subj[int(rnd() * len(self.int_subj))]
            msgid_j = f'"<{gb(128):032X}@AM6PR03MB{1000 + int(rnd() * 9000)}.eurprd03.prod.outlook.com>"'
            ip = RELAY_IPS[int(rnd() * len(RELAY_IPS))]
            size = 3000 + int(rnd() * 87_000)
            direction = "internal" if rnd() < 0.06 else "Internal"
            tls = self.tls[0] if rnd() < 0.2 else ("null", "null")
            for k, rc in enumerate(rcpts):
                ts = t + k * (5 + int(rnd() * 35))
                buckets[iR + (ts - day_ms) // 3_600_000].append((ts, "", T_RECEIPT % (
                    agg, direction, msgid_j, 0, self.pid(ts, 0), rc, u.email, u.email, ip, "7", "null", 0, subj_j, ts,
                    tls[0], tls[1])))
            ts = t + 500 + int(rnd() * 2000)
            buckets[iP + (ts - day_ms) // 3_600_000].append((ts, "", T_PROCESS % (
                "Acc", agg, "null", size, "null", msgid_j, 0, self.pid(ts, 0), u.email, subj_j, "Acc", ts, 0)))
            for rc in rcpts:
                ts = t + 3000 + int(rnd() * 9000)
                buckets[iD + (ts - day_ms) // 3_600_000].append((ts, T_DELIVERY_PRE % INTERNAL_HOST, T_DELIVERY % (
                    agg, ts - t, INTERNAL_DEST, direction, size, msgid_j, 0, self.pid(ts, 0), rc, INTERNAL_ROUTE, u.email,
                    subj_j, ts, tls[0], "Yes" if tls[0] != "null" else "No", tls[1], 0)))
                ts = t + 1000 + int(rnd() * 3000)
                buckets[iJ + (ts - day_ms) // 3_600_000].append((ts, "", T_JOURNAL % (
                    agg, direction, self.pid(ts, 0), rc, u.email, ts)))
        self.counts["messages_internal"] += n
        # Internal Email Protect: a colleague forwards a link whose site is now categorised
        # Compromised (the scenario's shape); about one per 20,000 internal messages
        for _ in range(int(n / 20_000 + r.random())):
            self.iep_forward()
