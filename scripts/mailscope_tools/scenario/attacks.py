"""The three attacks planted on the main day, each with its ground truth: a malicious
attachment held and released, a credential phish on a look-alike domain clicked by four, and a
BEC impersonating the CEO. They draw from their own stream (rng_for("attacks")), the released
deliveries and digests from the day's."""

from __future__ import annotations

import json

from ..writers.ttp import ttp_ap_record, ttp_ip_record, ttp_url_record
from .common import DAY, ORG_DOMAIN, at, b64id, file_hashes, hexs, iso_utc
from .content import TLS
from .mail import Msg
from .world import ATTACK1, ATTACK2, ATTACK3


def malicious_attachment(day, ra):
    """Attack 1: INV-88341.xlsm to 12 users, held as malicious; 3 release it."""
    v2, addrs, by_addr, finance = day.v2, day.addrs, day.by_addr, day.finance
    messages, held_by_user = day.messages, day.held_by_user
    ttp_ap, deliver_inbound = day.ttp_ap, day.deliver_inbound
    attacks = day.attacks
    a1 = ATTACK1
    t0 = at(DAY, *a1["t0"])
    non_fin = [a for a in addrs if by_addr[a]["department"] not in ("Finance", "Executive")]
    rcpts1 = sorted(ra.sample(finance, 6) + ra.sample(non_fin, 6))
    delivered1 = sorted(ra.sample(rcpts1, 3))
    held1 = [a for a in rcpts1 if a not in delivered1]
    att1 = {"name": a1["file"], "ext": "xlsm", "mime": a1["mime"], "size": a1["size"]}
    att1.update(file_hashes("attack/" + a1["file"]))
    m1 = Msg(ra, "attack-malicious-attachment", t0, a1["sender"], a1["sender"], a1["ip"],
             a1["subject"], "Inbound", rcpts1, msgid=f"<{hexs(ra, 12)}$a81f{ra.randrange(1000, 9999)}@mail.halvorsen-billing.example>",
             atts=[att1], agg_mode="mixed")
    m1.agg_base = b64id(ra, 16)
    m1.tls = TLS[1]
    m1.spam_score = 4
    m1.spam_level = "28"
    messages.append(m1)
    for k, rc in enumerate(rcpts1):
        v2.receipt_acc(m1, rc, t0 + k * 37)
    v2.process(m1, t0 + 3120, "Sdbx")
    scan_ms = t0 + 91_544
    for k, rc in enumerate(rcpts1):
        v2.attachment_protect(m1, scan_ms + k * 11, att1, rcpt=rc, full=(k % 2 == 0))
    v2.process(m1, t0 + 95_310, "Hld", hold_reason="Oth")
    releases = []
    for rc, (hh, mm, ss) in zip(delivered1, a1["release_times"]):
        rel = at(DAY, hh, mm, ss, ra.randrange(1000))
        deliver_inbound(m1, rc, rel + 2_417, latency=rel + 2_417 - t0)
        releases.append({"user": rc, "released_at": iso_utc(rel), "delivered_at": iso_utc(rel + 2_417)})
    for k, rc in enumerate(rcpts1):
        ttp_ap.append(ttp_ap_record(
            sender=a1["sender"], rcpt=rc, att=att1, result="malicious",
            action_triggered="user release, none" if rc in delivered1 else "hold",
            ms=scan_ms + k * 11, msgid=m1.msgid, subject=a1["subject"],
            details="MALICIOUS_ACTIVITY: Office macro launches powershell.exe and downloads a "
                    "remote payload\r\nTime taken: 0 hrs, 1 min, 28 sec"))
    for rc in held1:
        held_by_user[rc] = held_by_user.get(rc, 0) + 1
    attacks.append({
        "id": "malicious-attachment", "kind": "malicious-attachment",
        "sender": {"address": a1["sender"], "domain": a1["sender"].split("@")[1],
                   "display_name": a1["display_name"], "ip": a1["ip"]},
        "sender_domain_first_seen": True,
        "subject": a1["subject"], "first_event_utc": iso_utc(t0),
        "message_ids": [m1.msgid.strip("<>")], "aggregate_ids": [m1.agg_base],
        "recipients": rcpts1, "delivered_recipients": delivered1, "held_recipients": held1,
        "releases": releases,
        "attachment": {"name": att1["name"], "extension": "xlsm", "mime": att1["mime"],
                       "size": att1["size"], "sha256": att1["sha256"], "sha1": att1["sha1"],
                       "md5": att1["md5"], "verdict": "malicious"},
        "process_actions": ["Sdbx", "Hld"],
    })


def credential_phish(day, ra):
    """Attack 2: 25 single-recipient "Password expiry notice" mails linking to a look-alike."""
    v2, addrs, ceo, messages = day.v2, day.addrs, day.ceo, day.messages
    ttp_url, deliver_inbound, attacks = day.ttp_url, day.deliver_inbound, day.attacks
    a2 = ATTACK2
    rcpts2 = sorted(ra.sample([a for a in addrs if a != ceo], a2["n"]))
    t0 = at(DAY, *a2["t0"])
    per_rcpt = []
    send_order = list(rcpts2)
    ra.shuffle(send_order)
    msg_by_rcpt = {}
    for k, rc in enumerate(send_order):
        t = t0 + k * ra.randrange(18_000, 42_000)
        token = b64id(ra, 12)
        url = f"https://{a2['host']}{a2['path']}?session={token}"
        m = Msg(ra, "attack-credential-phish", t, a2["sender"], a2["sender"], a2["ip"],
                a2["subject"], "Inbound", [rc], msgid=f"<{hexs(ra, 10)}.{k + 1}@mailer.acme-c0rp.example>",
                urls=[url], agg_mode=ra.choice(["with_suffix", "mixed"]))
        m.tls = TLS[0]
        m.spam_score = ra.randrange(2, 9)
        m.case_lower = False
        messages.append(m)
        v2.receipt_acc(m, rc, t)
        v2.process(m, t + 1_250, "Acc")
        deliver_inbound(m, rc, t + 4_800)
        ttp_url.append(ttp_url_record(
            clicker=rc, sender=a2["sender"], url=url, subject=a2["subject"], action="allow",
            actions="Allow", scan="clean", category="Business", sending_ip=a2["ip"],
            awareness="N/A", ms=t + 2_100, route="inbound", method="Entry Scan", msgid=m.msgid))
        msg_by_rcpt[rc] = (m, url, t)
        per_rcpt.append({"recipient": rc, "message_id": m.msgid.strip("<>"),
                         "aggregate_id": m.agg_base, "url": url, "received_utc": iso_utc(t)})
    per_rcpt.sort(key=lambda x: x["recipient"])
    clicks2 = phish_clicks(day, ra, rcpts2, msg_by_rcpt)
    attacks.append({
        "id": "credential-phish-url", "kind": "credential-phish-url",
        "sender": {"address": a2["sender"], "domain": a2["sender"].split("@")[1],
                   "display_name": a2["display_name"], "ip": a2["ip"],
                   "lookalike_of": ORG_DOMAIN},
        "sender_domain_first_seen": True,
        "subject": a2["subject"], "first_event_utc": iso_utc(t0),
        "message_ids": sorted(p["message_id"] for p in per_rcpt),
        "aggregate_ids": sorted(p["aggregate_id"] for p in per_rcpt),
        "recipients": rcpts2, "delivered_recipients": rcpts2, "held_recipients": [],
        "messages": per_rcpt,
        "url": {"base": f"https://{a2['host']}{a2['path']}",
                "pattern": f"https://{a2['host']}{a2['path']}?session=<per-recipient token>",
                "host": a2["host"], "registrable_domain": a2["registrable_domain"]},
        "entry_scans": len(rcpts2),
        "clickers": clicks2,
        "users_who_reached_page": sorted(c["user"] for c in clicks2 if c["action"] in ("allow", "warn")),
        "blocked_clicks": [c["user"] for c in clicks2 if c["action"] == "block"],
    })


CLICK_PLAN = [((8, 37, 12), "allow", "Allow", "clean", "Business", "N/A"),
              ((8, 58, 40), "allow", "Allow", "clean", "Business", "N/A"),
              ((9, 21, 5), "warn", "None", "clean", "Business", "Continue"),
              ((10, 44, 51), "block", "Block", "malicious", "Phishing & Fraud", "N/A")]


def phish_clicks(day, ra, rcpts2, msg_by_rcpt):
    """Four recipients click: two allowed, one continues past a warning, one blocked (the URL
    re-scanned as phishing); returns the clicks for the ground truth."""
    v2, ttp_url, a2 = day.v2, day.ttp_url, ATTACK2
    clickers = sorted(ra.sample(rcpts2, 4))
    ra.shuffle(clickers)
    clicks2 = []
    for rc, (hms, action, actions, scan, cat, aware) in zip(clickers, CLICK_PLAN):
        m, url, _t = msg_by_rcpt[rc]
        ts = at(DAY, *hms, ra.randrange(1000))
        tagmap = None
        if action == "block":
            tagmap = {"UrlReputationScan": {"Status": ["CustomerAll", "VerdictBlock"],
                                            "Type": ["Phishing"],
                                            "UrlBlock": [f"ORIGINAL:{url} (Blocked as PHISHING)"],
                                            "Url": [url]}}
        ttp_url.append(ttp_url_record(
            clicker=rc, sender=a2["sender"], url=url, subject=a2["subject"], action=action,
            actions=actions, scan=scan, category=cat, sending_ip=a2["ip"], awareness=aware, ms=ts,
            route="inbound", method="User Click", msgid=m.msgid, tagmap=tagmap))
        if action == "block":
            analysis = json.dumps({"CredentialTheftEvidence": ["Microsoft OWA login form",
                                                               "Password field on look-alike domain"],
                                   "CredentialTheftTags": ["brand:Microsoft", "lookalike:acme-corp"]},
                                  separators=(",", ":"))
            v2.url_protect(m, rc, ts + 180, url, "Phishing & Fraud", analysis)
        clicks2.append({"user": rc, "time": iso_utc(ts), "action": action, "scanResult": scan,
                        "userAwarenessAction": aware, "category": cat,
                        "creationMethod": "User Click", "message_id": m.msgid.strip("<>"),
                        "url": url})
    return clicks2


def bec_impersonation(day, ra):
    """Attack 3: "Dana Whitfield" from a free-mail domain asks finance for a wire."""
    v2, by_addr, ceo, messages = day.v2, day.by_addr, day.ceo, day.messages
    ttp_ip, deliver_inbound, attacks = day.ttp_ip, day.deliver_inbound, day.attacks
    a3 = ATTACK3
    t0 = at(DAY, *a3["t0"])
    rcpts3 = sorted(["priya.raman@" + ORG_DOMAIN, "helen.ashby@" + ORG_DOMAIN])
    m3 = Msg(ra, "attack-bec", t0, a3["sender"], a3["sender"], a3["ip"], a3["subject"], "Inbound",
             rcpts3, msgid=f"<CA+{b64id(ra, 30)}@mail.swiftmail-free.example>", agg_mode="with_suffix")
    m3.tls = TLS[0]
    m3.spam_score = 3
    m3.case_lower = False
    messages.append(m3)
    for k, rc in enumerate(rcpts3):
        v2.receipt_acc(m3, rc, t0 + k * 41)
    for k, rc in enumerate(rcpts3):
        v2.impersonation(m3, rc, t0 + 1_180 + k * 9, action="None",
                         definition="IP - 2 hits (Tag email)", hits=2,
                         flags={"internalUserName", "replyMismatch"}, tagged_malicious=True,
                         tagged_external=True)
    v2.process(m3, t0 + 2_040, "Acc")
    for k, rc in enumerate(rcpts3):
        deliver_inbound(m3, rc, t0 + 5_660 + k * 130)
    ceo_user = by_addr[ceo]
    for k, rc in enumerate(rcpts3):
        ttp_ip.append(ttp_ip_record(
            ra, sender=a3["sender"], rcpt=rc, subject=a3["subject"],
            definition="IP - 2 hits (Tag email)", hits=2,
            identifiers=["internal_user_name", "reply_address_mismatch"], action="none",
            tagged_external=True, tagged_malicious=True, ip=a3["ip"], ms=t0 + 1_180 + k * 9,
            results=[{"impersonationDomainSource": "internal_user_name",
                      "similarDomain": f"{ceo_user['display_name']} <{ceo}>",
                      "stringSimilarToDomain": ceo_user["display_name"], "checkerResult": "hit"},
                     {"impersonationDomainSource": "reply_address_mismatch",
                      "stringSimilarToDomain": a3["reply_to"], "checkerResult": "hit"}],
            msgid=m3.msgid))
    attacks.append({
        "id": "bec-impersonation", "kind": "bec-impersonation",
        "sender": {"address": a3["sender"], "domain": a3["sender"].split("@")[1],
                   "display_name": a3["display_name"], "ip": a3["ip"],
                   "reply_to": a3["reply_to"]},
        "sender_domain_first_seen": True,
        "impersonated": {"address": ceo, "display_name": ceo_user["display_name"],
                         "title": ceo_user["title"]},
        "subject": a3["subject"], "first_event_utc": iso_utc(t0),
        "message_ids": [m3.msgid.strip("<>")], "aggregate_ids": [m3.agg_base],
        "recipients": rcpts3, "delivered_recipients": rcpts3, "held_recipients": [],
        "impersonation": {"identifiers": ["internal_user_name", "reply_address_mismatch"],
                          "hits": 2, "definition": "IP - 2 hits (Tag email)",
                          "tagged_malicious": True, "tagged_external": True, "action": "none",
                          "v2_action": "None"},
    })
