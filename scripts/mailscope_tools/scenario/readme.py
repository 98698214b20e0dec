"""fixtures/scenario/README.md: what is in the folder, the planted attacks and quirks, and the
endpoint section filled in from the EDR ground truth."""

from __future__ import annotations

from .edr_files import EDR_CS, EDR_MDE, EDR_MDE_PRE, EDR_S1

README = """# Synthetic Mimecast and EDR scenario: Acme Corp, 2026-11-02

**Synthetic data written by the MailScope project.** Every address, domain, IP, hash, ID and
subject here is invented by `scripts/generate-scenario`; nothing was copied from the public
samples in `shared/samples/mimecast/` or from any real tenant. The organisation is the fictional
Acme Corp (`acme-corp.example`, Mimecast account `CUSA1B2C3`, 200 mailboxes, CEO
`dana.whitfield@acme-corp.example`, a finance group of 9).

## What is here

| Folder | Format (see `shared/formats/mimecast.md`) | Day (UTC) |
|---|---|---|
| `siem_v2/2026-11-02/` | API 2.0 SIEM batch files: gzip NDJSON, one event per line. One or more files per type (`receipt`, `process`, `delivery`, `journal`, `spam`, `av`, `internal email protect`, `impersonation protect`, `url protect`, `attachment protect`; spaces in the type become `_` in the file name), plus `mixed_0001.json.gz` holding every type from 22:00 UTC on. | Monday 2026-11-02 |
| `siem_v1/2026-11-01/` | Legacy SIEM (API 1.0), benign traffic only: `receipt_…log.gz` (key_value, gzip, 00:00–12:00 UTC), `receipt_…json` (12:00–24:00), `process_…json` (pretty-printed), `delivery_…json.gz`, `jrnl_…json`, `ttp_url_…json`. The log type comes only from the file-name prefix. Local `datetime` offsets vary (`+0000`, `+0100`, `-0400`, `-0500`, `+0530`). | Sunday 2026-11-01 |
| `ttp/2026-11-02/` | TTP URL (2 pages), attachment and impersonation logs in the API 1.0 envelope, gzip. | Monday 2026-11-02 |
| `edr/` | EDR CSV exports (see `shared/formats/edr.md`): Microsoft Defender for Endpoint advanced hunting, CrowdStrike Falcon event search, SentinelOne Deep Visibility; see below. | 2026-11-02 (+ one MDE file for 2026-10-30) |
| `identities.csv` | Directory export mapping mail address, UPN, sAM account and host. | |
| `watch-vip.txt` | Watch list for DUET rules (`--watch-list vip=watch-vip.txt`): the CEO and the finance group. | |
| `ground-truth.json` | The planted attacks with exact values, other (non-attack) detections, `expected_findings` (rule id → the users a correct rule catalog names; no other rule may fire), and for every file its path, line/record counts and events by type; under `edr` the same for the endpoint files, every user's host and identity resolution, and the evidence rows (file + line) per attack and user. | |

Planted attacks (all on 2026-11-02; details in `ground-truth.json`; their endpoint traces are
listed further down):

1. `malicious-attachment`: `INV-88341.xlsm` from a never-seen domain to 12 users, Attachment
   Protect verdict malicious; 9 held, 3 released by the user and delivered.
2. `credential-phish-url`: 25 "Password expiry notice" mails from `acme-c0rp.example` linking to
   `login.acme-c0rp-secure.com`; entry scans, 4 user clicks (2 allowed, 1 warned-and-continued,
   1 blocked later).
3. `bec-impersonation`: "Dana Whitfield" from a free-mail-looking domain with a reply-to
   mismatch, "Urgent wire transfer request" to 2 finance users; tagged malicious, delivered.

Quirks that are planted on purpose: v2 numbers and booleans as strings; `messageId` with `<>`,
bare, `""` or null; `aggregateId` with and without the `_<epoch s>` suffix for the same message;
`spamProcessingDetail` as a JSON string (a few as an object or double-encoded); `attachments` as
one string; direction and route case varying; `receipt_0002.json.gz` starts with **40 duplicate
events** (the last 40 of `receipt_0001.json.gz`, different `_offset`/`_partition` only); `\\/`
escaped slashes in some JSON; TTP URL `Entry Scan` records that are not clicks; `sendingIp`
`"Internal IP"`; v1 values with spaces wrapped in backslashes and a subject containing `|`.

{edr_section}## Regenerate

    scripts/generate-scenario           # rewrites fixtures/scenario/ (deterministic)
    scripts/generate-scenario --check   # re-reads it and checks it against ground-truth.json

The output is byte-identical from run to run (fixed seed, no clock, gzip with mtime 0 and no
file name). Do not edit the files by hand: change the script and regenerate.
"""
README_EDR = """## Endpoint (EDR) exports: `edr/` and `identities.csv`

Every mailbox owner has one Windows workstation `WS-NNNN`, covered by exactly one EDR
product: {hosts}. Formats follow `shared/formats/edr.md`; nothing is copied from
`shared/samples/edr/`. Every value is invented (IPs from documentation ranges; common public
service names such as `outlook.office365.com` appear only as benign noise). Match columns by
name.

| File | Product / format | Rows | Quirks planted on purpose |
|---|---|---|---|
{file_rows}
| `identities.csv` | directory export `email,upn,account,host` (CRLF) | {id_rows} | every *directory* user plus the *upn* users of Finance, Executive and IT; 3 UPNs built from the sAM name, not the mail address; `host` is the short name |

Identities (AD domain `ACME`, MDE `AccountDomain` `acme`; sAM = first initial + last name, a
digit appended when taken): {counts}.

- *upn*: MDE hosts; `AccountUpn`/`InitiatingProcessAccountUpn` carry the mail address.
- *directory*: CrowdStrike (`UserName` = bare sAM) or SentinelOne (`Source Process User` =
  `ACME\\sam`) hosts whose sAM is not the mail local part; only `identities.csv` maps them.
- *local_part*: sAM = mail local part (`first.last`), not in `identities.csv`: safe to infer.
- *ambiguous*: {amb} both give the candidate `{cand}` (accounts {amb_accounts}); neither is in
  `identities.csv` and no UPN exists, so their hosts must stay unattributed.

CrowdStrike file/DNS/network rows carry no user: join `ContextProcessId` to the
`TargetProcessId` of a `ProcessRollup2` row on the same `aid`. MDE `DnsConnectionInspected`
rows carry no process or user (the query is in `AdditionalFields`). A SentinelOne
`Process Creation` row describes the created process in the Target Process columns and the
process that started it in the Source Process columns.

Planted endpoint traces (line = physical line where the row starts, header = line 1; full
detail, expected values and the negatives' reasons in `ground-truth.json` → `edr`):

| Attack | User (host, product, identity) | Stage, match | Evidence rows |
|---|---|---|---|
{evidence_rows}

Benign look-alikes that must not correlate:

{negative_rows}

Also benign: {benign_opens} safe partner attachments (Attachment Protect verdict safe) written to
the Outlook cache and opened, and ordinary process, DNS, connection and file activity on every
host.

"""


def edr_readme(edr) -> str:
    def short(p):
        return p.split("/")[-1]

    quirks = {
        EDR_MDE: "CRLF; `Timestamp` with 0-7 fraction digits; quoted command lines with `\"\"` and commas; "
                 "one command line holding a CRLF inside quotes; `SHA256` empty on some file rows; "
                 "`RemoteUrl` host or `https://host`",
        EDR_MDE_PRE: "same format, the day 2026-10-30 (a few hosts only)",
        EDR_CS: "`@timestamp` epoch ms; **newest first**; `TargetFileName`/`ImageFileName` as "
                "`\\Device\\HarddiskVolume3\\…`; `UserName` only on `ProcessRollup2`",
        EDR_S1: "UTF-8 **BOM**; display-name headers; `Event Time` ISO with ms and `Z`; "
                "`ACME\\sam` users",
    }
    file_rows = "\n".join(f"| `{f['path']}` | {f['format']} ({f['hosts']} hosts) | {f['rows']} | {quirks[f['path']]} |"
                          for f in edr["files"])
    ev_rows = []
    for a in edr["attacks"]:
        for p in a.get("recipients", []) + a.get("clickers", []):
            lines = ", ".join(f"{short(x['file'])}:{x['line']} {x['event_type']}" for x in p["evidence"])
            if not lines:
                lines = "none: " + p.get("note", "").split(":")[0]
            ev_rows.append(f"| {a['id']} | {p['user'].split('@')[0]} ({p['host']}, {p['product']}, "
                           f"{p['resolution']}) | {p['stage']}, {p['match'] or '-'} | {lines} |")
    neg = "\n".join(f"- `{short(n['file'])}:{n['line']}` ({n['event_type']}, {n['host']}): {n['why_not']}."
                    for n in edr["negatives"])
    amb = edr["ambiguous"]
    counts = ", ".join(f"{v} {k}" for k, v in sorted(edr["identity_resolution_counts"].items(), key=lambda x: -x[1]))
    return README_EDR.format(
        hosts=", ".join(f"{v} {k}" for k, v in edr["hosts_by_product"].items()), file_rows=file_rows,
        id_rows=edr["identities_file"]["rows"], counts=counts,
        amb=" and ".join(f"`{x}`" for x in amb["people"]), cand=amb["candidate"],
        amb_accounts=" and ".join(f"`{h['account']}` on {h['host']} ({h['product']})" for h in amb["hosts"]),
        evidence_rows="\n".join(ev_rows), negative_rows=neg,
        benign_opens=edr["benign_attachment_opens"]["count"])
