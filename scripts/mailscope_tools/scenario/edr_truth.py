"""The "edr" section of the scenario's ground truth: every user's host and identity
resolution, per attack the furthest stage per person with the evidence rows (file + line)
that prove it, the benign look-alikes and why they are not matches, and the indicators."""

from __future__ import annotations

import hashlib

from .edr_files import IDENTITIES
from .hosts import AD_DOMAIN, HOST_DNS_SUFFIX, MDE_ACCOUNT_DOMAIN, PROTECT_HOST, flast
from .identities import DIRECTORY_EXTRA_DEPTS

CONVENTIONS = {
    "line": "1-based physical line of the file where the data row starts (header = line 1; a quoted "
            "field holding CRLF makes a row span two physical lines; lines are counted on LF)",
    "host": "WS-NNNN; MDE DeviceName is the FQDN ws-nnnn." + HOST_DNS_SUFFIX + ", CrowdStrike "
            "ComputerName and SentinelOne Endpoint Name the short upper-case name",
    "account": "AD domain " + AD_DOMAIN + " (MDE AccountDomain '" + MDE_ACCOUNT_DOMAIN + "'); sAM = first "
               "initial + last name (a digit appended when taken), except local_part users whose sAM "
               "is the mail local part",
    "resolution": {
        "upn": "the MDE rows of the host carry InitiatingProcessAccountUpn/AccountUpn = the mail address",
        "directory": "the EDR shows only ACME\\sam or a bare sam (not the mail local part); the user is "
                     "found only through identities.csv (account + host)",
        "local_part": "the sam equals the mail local part (first.last): a safe inference; not in "
                      "identities.csv",
        "ambiguous": "not in identities.csv and no UPN; the first-initial+last-name candidate fits two "
                     "mailboxes, so the host must stay unattributed (no guess)"},
    "stage": "delivery < interaction < download < execution < command-and-control: the furthest stage the correlation must "
             "report for that user; evidence rows prove it on the host",
    "match": "hash (same SHA-256 as the Mimecast attachment) | name (file name only, other hash) | "
             "domain (DNS/connection/download on the clicked URL's host or registrable domain)",
    "times": "UTC; evidence time = the row's time to the millisecond",
    "sentinelone_process_creation": "a 'Process Creation' row describes the created process in the "
                                    "Target Process columns and its parent in the Source Process columns",
}

BLOCKED_CLICK_NOTE = ("Mimecast blocked this click (URL re-scanned as phishing), so the browser only "
                      "reached the URL Protect block page: no DNS query or connection for the phishing "
                      "host exists. The stage is interaction from the mail logs (the click) alone; "
                      "nothing on the host may be matched.")

NEGATIVES = (  # (tag, role of the user, why it is not a match)
    ("neg/lookalike-file", "negative_lookalike_file",
     "same file name, other SHA-256, on the host of a user who never received the attachment"),
    ("neg/lookalike-open", "negative_lookalike_file", "opening the look-alike file above"),
    ("neg/powershell-from-explorer", "negative_powershell",
     "powershell started by explorer.exe (not by Office), and this user's copy of the attachment was held"),
    ("neg/pre-campaign-dns", "negative_pre_campaign_dns",
     "the look-alike domain resolved 2026-10-30, three days before the first phishing mail; this user "
     "received the phish on 2026-11-02 but never clicked"),
    ("noise/embedded-newline", None, "benign Intune detection script run as SYSTEM"))


def edr_truth(s, users, written):
    """s: the EdrScenario; written: what write_edr_files returned."""
    ev = Evidence(s, written["tag_loc"])
    idata = written["identities"]
    counts = {}
    for h in s.hosts:
        counts[h.resolution] = counts.get(h.resolution, 0) + 1
    pair_hosts = [s.by_email[a] for a in s.pair]
    return {
        "description": "Endpoint (EDR) traces of the planted attacks plus benign activity; synthetic, written "
                       "by scripts/generate-scenario. Hosts: one Windows workstation per mailbox, each covered "
                       "by exactly one EDR product.",
        "conventions": CONVENTIONS,
        "files": written["files"],
        "identities_file": {"path": IDENTITIES, "bytes": len(idata), "sha256": hashlib.sha256(idata).hexdigest(),
                            "header": ["email", "upn", "account", "host"], "rows": len(s.directory),
                            "line_ending": "CRLF",
                            "note": "directory export: every 'directory' user plus the upn users of "
                                    + ", ".join(DIRECTORY_EXTRA_DEPTS) + "; 3 directory users have a UPN "
                                    "built from the sAM name (not their mail address)"},
        "hosts_by_product": {p: sum(1 for h in s.hosts if h.product == p) for p in ("mde", "crowdstrike", "sentinelone")},
        "identity_resolution_counts": dict(sorted(counts.items())),
        "ambiguous": {"candidate": flast(next(u for u in users if u["address"] == s.pair[0])["display_name"]),
                      "people": sorted(s.pair),
                      "hosts": [{"email": x.email, "host": x.name, "product": x.product,
                                 "account": f"{AD_DOMAIN}\\{x.sam}"} for x in pair_hosts],
                      "note": "AD gave the second person the same name with a 2; a name-based guess for "
                              "either account fits both people, so neither host may be attributed"},
        "indicators": indicators(s),
        "attacks": [
            {"id": "malicious-attachment",
             "recipients": ev.attachment_recipients(),
             "held_recipients_stage": "none (never delivered; no host trace expected)",
             "held_recipients": s.a1["held_recipients"]},
            {"id": "credential-phish-url",
             "clickers": ev.phish_clickers(),
             "other_recipients_stage": "delivery (no click, no host trace)"},
            {"id": "bec-impersonation", "note": "no endpoint trace (a wire-fraud request)"},
        ],
        "negatives": ev.negatives(),
        "ioc_rows": {k: v for k, v in written["ioc_rows"].items()},
        "benign_attachment_opens": {"note": "safe partner attachments (Attachment Protect verdict safe) written "
                                            "to the Outlook cache and opened: hash matches that are not attacks",
                                    "count": len(s.benign_opens), "opens": s.benign_opens},
        "users": users_truth(s),
    }


def indicators(s):
    return {"attachment_sha256": s.att["sha256"], "attachment_name": s.att["name"],
            "rewritten_attachment_name": s.rname, "rewritten_attachment_sha256": s.rewritten["sha256"],
            "phishing_host": s.phish_host, "phishing_ip": s.phish_ip,
            "registrable_domain": s.a2["url"]["registrable_domain"],
            "download_url": s.origin, "download_sha256": s.upd["sha256"],
            "payload_host": s.payload_host, "payload_ip": s.payload_ip,
            "url_protect_host": PROTECT_HOST, "url_protect_ip": s.protect_ip,
            "powershell_encoded_command_decoded": s.script}


class Evidence:
    """The planted events by tag, with the file and line each ended up on."""

    def __init__(self, s, tag_loc):
        self.s, self.tag_loc = s, tag_loc
        missing = sorted(set(s.planted) - set(tag_loc))
        assert not missing, f"planted events without a row: {missing}"

    def ref(self, key):
        loc = dict(self.tag_loc[key])
        info = self.s.planted[key]
        loc["step"] = info["step"]
        if "stage" in info:
            loc["stage"] = info["stage"]
        loc["expect"] = info.get("expect", {})
        return loc

    def split(self, prefix):
        """(evidence, context) rows of the tags under prefix."""
        rs = [self.ref(k) for k in self.s.planted if k.startswith(prefix)]
        return ([x for x in rs if x.get("stage") != "context"], [x for x in rs if x.get("stage") == "context"])

    def ident(self, email):
        h = self.s.by_email[email]
        return {"user": email, "host": h.name, "product": h.product, "resolution": h.resolution}

    def attachment_recipients(self):
        roles, out = self.s.roles, []
        # the payload host is the sender's own domain: code calling back there is command-and-control
        for role, prefix, stage, strength in (("attachment_execution", "a1/exec/", "command-and-control", "hash"),
                                              ("attachment_opened", "a1/opened/", "interaction", "hash"),
                                              ("attachment_name_only", "a1/name/", "interaction", "name")):
            ev_, _ctx = self.split(prefix)
            out.append({**self.ident(roles[role]), "delivered_at": self.s.deliveries[roles[role]], "stage": stage,
                        "match": strength, "evidence": ev_})
        out.sort(key=lambda x: x["user"])
        return out

    def phish_clickers(self):
        roles, out = self.s.roles, []
        for role, prefix, stage, strength in (("phish_download", "a2/download/", "execution", "domain"),
                                              ("phish_directory_clicker", "a2/directory/", "interaction", "domain"),
                                              ("phish_local_part_clicker", "a2/local_part/", "interaction", "domain"),
                                              ("phish_blocked", "a2/blocked/", "interaction", None)):
            ev_, ctx = self.split(prefix)
            c = self.s.clicks[roles[role]]
            entry = {**self.ident(roles[role]), "click_time": c["time"], "click_action": c["action"], "stage": stage,
                     "match": strength, "evidence": ev_, "context": ctx}
            if strength is None:
                entry["note"] = BLOCKED_CLICK_NOTE
            out.append(entry)
        out.sort(key=lambda x: x["user"])
        return out

    def negatives(self):
        out = []
        for key, user_role, why in NEGATIVES:
            ref = self.ref(key)
            ref.pop("stage", None)
            host = (self.s.by_email[self.s.roles[user_role]] if user_role else self.s.intune_host)
            out.append({"id": key.split("/", 1)[1], "user": host.email, "host": host.name,
                        "product": host.product, "why_not": why, **ref})
        return out


def users_truth(s):
    """Per user: host, product, the account forms the exports show, and how it resolves."""
    out = []
    dir_by_email = {d["email"]: d for d in s.directory}
    for h in sorted(s.hosts, key=lambda x: x.email):
        forms = {"mde": [f"{MDE_ACCOUNT_DOMAIN}\\{h.sam}", h.email],
                 "crowdstrike": [h.sam], "sentinelone": [f"{AD_DOMAIN}\\{h.sam}"]}[h.product]
        u = {"email": h.email, "host": h.name,
             "device_name": h.fqdn if h.product == "mde" else h.name,
             "host_id": h.host_id, "product": h.product, "account": f"{AD_DOMAIN}\\{h.sam}", "sam": h.sam,
             "account_as_exported": forms, "upn": dir_by_email[h.email]["upn"] if h.email in dir_by_email else (
                 h.email if h.resolution == "upn" else None),
             "resolution": h.resolution, "in_identities_csv": h.email in dir_by_email,
             "expected_email": h.email if h.resolution != "ambiguous" else None}
        if h.resolution == "ambiguous":
            u["candidates"] = sorted(s.pair)
        out.append(u)
    return out
