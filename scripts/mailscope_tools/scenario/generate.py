"""generate-scenario: write MailScope's synthetic Mimecast scenario to fixtures/scenario/.

A realistic, fully synthetic day of Mimecast exports for the fictional organisation
Acme Corp (acme-corp.example, Mimecast account CUSA1B2C3), in every export format that
MailScope reads, plus the ground truth of the three attacks planted in it:

  siem_v2/2026-11-02/*.json.gz   API 2.0 SIEM batch files (gzip NDJSON), Monday 2026-11-02
  siem_v1/2026-11-01/*           legacy SIEM (API 1.0) files for Sunday 2026-11-01 (benign)
  ttp/2026-11-02/*.json.gz       TTP URL / attachment / impersonation logs (API 1.0 envelope)
  edr/*.csv                      EDR exports (MDE advanced hunting, CrowdStrike event search,
                                 SentinelOne Deep Visibility) with the attacks' endpoint traces
  identities.csv                 directory export: email, UPN, sAM account, host
  watch-vip.txt                  watch list for DUET rules: the CEO and the finance group
  ground-truth.json              attacks, per-file counts, expected duplicates; "edr": hosts,
                                 identity resolution and evidence rows (file + line)
  README.md

The EDR part draws from its own random streams (rng_for("edr/...")), so adding or changing it
never changes a byte of the Mimecast files.

The output is deterministic: every random choice comes from random.Random seeded with a
fixed string, nothing reads the clock, iteration is over lists or sorted keys, and gzip is
written with mtime=0 and no file name. Running the script twice gives identical bytes.

The field names, value types and date forms follow shared/formats/mimecast.md. No line of
the public samples is copied; every value here is invented.

Usage:
  scripts/generate-scenario            # (re)write fixtures/scenario/
  scripts/generate-scenario --out DIR  # write somewhere else
  scripts/generate-scenario --check    # re-read fixtures/scenario/ and check it against
                                       # its ground truth (exit 1 on a mismatch)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil

from ..writers.output import Out, count_types
from ..writers.siem_v1 import write_v1
from ..writers.siem_v2 import write_v2
from ..writers.ttp import write_ttp
from .check import check
from .common import ACCOUNT_ID, DEFAULT_OUT, ORG_DOMAIN, ORG_NAME, SEED, rng_for
from .edr import generate_edr
from .legacy_day import generate_legacy_day
from .main_day import generate_main_day
from .org import build_org
from .readme import README, edr_readme
from .truth import attack_evidence, expected_findings, expected_incidents, sender_domains
from .world import BENIGN_NEW_ON_DAY, build_world


def generate(out_dir: str):
    """Write the whole scenario into out_dir (replaced) and return its ground truth."""
    users = build_org()
    world = build_world(users)
    main = generate_main_day(users, world)
    v1rows, v1other = generate_legacy_day(users, world)

    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(out_dir)
    out = Out(out_dir)
    dup = write_v2(out, main["v2"])
    write_v1(out, v1rows)
    write_ttp(out, main, rng_for("ttp-pages"))

    truth = mimecast_truth(users, main, v1rows, v1other, out, dup)
    write_watch_list(out_dir, users, truth)
    # EDR traces: new output only, from their own random streams (the Mimecast files above and
    # every key before "edr" stay byte-identical)
    truth["edr"] = generate_edr(out_dir, users, world, main)
    truth["expected_findings"] = expected_findings(truth)
    truth["expected_incidents"] = expected_incidents(truth)
    with open(os.path.join(out_dir, "ground-truth.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(truth, ensure_ascii=False, indent=2) + "\n")
    with open(os.path.join(out_dir, "README.md"), "w", encoding="utf-8") as f:
        f.write(README.replace("{edr_section}", edr_readme(truth["edr"])))
    return truth


def mimecast_truth(users, main, v1rows, v1other, out, dup):
    """The ground truth of the Mimecast files: organisation, attacks with the evidence the
    files hold for each, other detections, first-seen sender domains, totals, files."""
    v2d, v1d = sender_domains(main["v2"], v1rows)
    first_seen = sorted(set(v2d) - set(v1d))
    for a in main["attacks"]:
        assert a["sender"]["domain"] in first_seen, a["id"]
    for a in main["attacks"]:
        a["evidence"] = attack_evidence(a, main["v2"], main["ttp_url"], main["ttp_ap"], main["ttp_ip"])
        assert a["evidence"]["siem_v2_delivered_recipients"] == a["delivered_recipients"], a["id"]
    ceo = next(u for u in users if u["address"].startswith("dana.whitfield@"))
    return {
        "description": "Ground truth of the synthetic MailScope Mimecast scenario (synthetic data "
                       "written by the project; regenerate with scripts/generate-scenario).",
        "synthetic": True,
        "generator": {"script": "scripts/generate-scenario", "seed": SEED},
        "organisation": {
            "name": ORG_NAME, "domain": ORG_DOMAIN, "account_id": ACCOUNT_ID,
            "mailbox_count": len(users),
            "ceo": {"address": ceo["address"], "display_name": ceo["display_name"]},
            "finance_group": sorted(u["address"] for u in users if u["department"] == "Finance"),
            "mailboxes": users,
        },
        "days": {"siem_v2": "2026-11-02", "ttp": "2026-11-02", "siem_v1": "2026-11-01"},
        "timezone_note": "All times in this file are UTC (ISO 8601, Z).",
        "attacks": main["attacks"],
        "other_detections": main["other"] + [v1other],
        "sender_domains": {
            "external_2026_11_01": v1d,
            "external_2026_11_02": v2d,
            "first_seen_2026_11_02": first_seen,
            "benign_first_seen_2026_11_02": sorted(BENIGN_NEW_ON_DAY),
        },
        "expected_duplicates": dup["count"],
        "duplicates": [dup],
        "totals": totals(main, v1rows, out),
        "files": sorted(out.files, key=lambda f: f["path"]),
    }


def totals(main, v1rows, out):
    v2_unique = count_types(main["v2"])
    return {
        "siem_v2_events_in_files": sum(f["records"] for f in out.files if f["path"].startswith("siem_v2/")),
        "siem_v2_unique_events": len(main["v2"]),
        "siem_v2_unique_events_by_type": dict(sorted(v2_unique.items())),
        "siem_v2_messages": len(main["messages"]),
        "siem_v2_distinct_aggregate_ids": len({m.agg_base for m in main["messages"]}),
        "siem_v1_rows_by_type": {k: len(v) for k, v in sorted(v1rows.items())},
        "ttp_records": {"url": len(main["ttp_url"]), "attachment": len(main["ttp_ap"]),
                        "impersonation": len(main["ttp_ip"])},
        "ttp_url_user_clicks": sum(1 for x in main["ttp_url"] if x["creationMethod"] == "User Click"),
        "ttp_url_entry_scans": sum(1 for x in main["ttp_url"] if x["creationMethod"] == "Entry Scan"),
    }


def write_watch_list(out_dir, users, truth):
    """watch-vip.txt: the CEO and the finance group, for the DUET rules."""
    vip = [truth["organisation"]["ceo"]["address"]] + truth["organisation"]["finance_group"]
    names = {u["address"]: u["display_name"] for u in users}
    with open(os.path.join(out_dir, "watch-vip.txt"), "w", encoding="utf-8") as f:
        f.write("# Watch list for DUET rules (mailscope --watch-list vip=watch-vip.txt): the CEO and finance.\n")
        f.write("email,display_name\n")
        for a in sorted(vip):
            f.write(f"{a},{names[a]}\n")
    truth["watch_lists"] = {"vip": {"path": "watch-vip.txt", "addresses": sorted(vip)}}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT, help="output folder (default fixtures/scenario)")
    ap.add_argument("--check", action="store_true", help="check the folder against its ground truth")
    args = ap.parse_args(argv)
    if args.check:
        return check(args.out)
    truth = generate(args.out)
    total = sum(f["bytes"] for f in truth["files"])
    print(f"wrote {len(truth['files'])} data files ({total} bytes) + ground-truth.json + README.md to {args.out}")
    return 0

