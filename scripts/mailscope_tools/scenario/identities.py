"""Who is who on the endpoints: every mailbox's sAM name, workstation, EDR product and the
identity-resolution group a correlation has to get right (upn, directory, local_part,
ambiguous), with the attack roles pinned to the products and groups that test them.

identity split (200 mailboxes): upn 134 + directory 56 + local_part 8 + ambiguous 2"""

from __future__ import annotations

from .common import ORG_DOMAIN, hexs, rng_for
from .hosts import EHost, flast

N_DIRECTORY = 56
N_LOCAL_PART = 8
DIRECTORY_EXTRA_DEPTS = ("Finance", "Executive", "IT")  # directory export also lists these (upn) users


def build_identities(users, attacks, r):
    """Assign sAM names, hosts, products and the identity-resolution group of every mailbox."""
    a1 = next(a for a in attacks if a["id"] == "malicious-attachment")
    a2 = next(a for a in attacks if a["id"] == "credential-phish-url")
    roles, forced = attack_roles(a1, a2)
    involved = set(a1["recipients"]) | set(a2["recipients"])
    for a in attacks:
        involved |= set(a["recipients"])
    pick_negatives(users, a1, a2, roles, forced, involved, r)
    pair = pick_ambiguous_pair(users, forced, involved, r)
    group, product = assign_groups(users, forced, r)
    sams = sam_names(users, group)
    numbers = r.sample(range(1, 1000), len(users))
    ids = rng_for("edr/ids")
    hosts = []
    for u, num in zip(users, numbers):
        a = u["address"]
        ip = f"10.20.{ids.randrange(1, 8)}.{ids.randrange(10, 250)}"
        # all three ids are drawn whatever the product: the stream stays as it was generated
        hid = {"mde": hexs(ids, 20), "crowdstrike": hexs(ids, 16), "sentinelone": hexs(ids, 16)}[product[a]]
        hosts.append(EHost(u, sams[a], num, product[a], group[a], ip, hid))
    return hosts, roles, pair, directory_export(hosts, r)


def attack_roles(a1, a2):
    """Which recipient plays which part of the endpoint story, and the (group, product) each
    of them must have for that part to test what it tests."""
    clicks = sorted(a2["clickers"], key=lambda c: c["time"])
    reached = [c["user"] for c in clicks if c["action"] in ("allow", "warn")]
    blocked = [c["user"] for c in clicks if c["action"] == "block"]
    delivered = a1["delivered_recipients"]
    name_only = next((d for d in delivered if d in reached), delivered[-1])
    hash_users = [d for d in delivered if d != name_only]
    roles = {
        "attachment_execution": hash_users[-1],      # MDE, hash, EXCEL -> powershell
        "attachment_opened": hash_users[0],          # CrowdStrike, hash, EXCEL opens it
        "attachment_name_only": name_only,           # SentinelOne, rewritten copy "(1)"
        "phish_download": next(u for u in reached if u != name_only),       # MDE, update.exe
        "phish_directory_clicker": name_only if name_only in reached else reached[-1],
        "phish_blocked": blocked[0],
    }
    roles["phish_local_part_clicker"] = next(u for u in reached if u not in (roles["phish_download"],
                                                                                roles["phish_directory_clicker"]))
    forced = {roles["attachment_execution"]: ("upn", "mde"), roles["attachment_opened"]: ("directory", "crowdstrike"),
              roles["attachment_name_only"]: ("directory", "sentinelone"), roles["phish_download"]: ("upn", "mde"),
              roles["phish_blocked"]: ("upn", "mde"),
              roles["phish_local_part_clicker"]: ("local_part", "crowdstrike")}
    assert forced[roles["phish_directory_clicker"]][0] == "directory"
    return roles, forced


def pick_negatives(users, a1, a2, roles, forced, involved, r):
    """The hosts of the benign look-alikes (all MDE / upn)."""
    free = [u["address"] for u in users if u["address"] not in forced]
    roles["negative_powershell"] = r.choice(sorted(x for x in a1["held_recipients"] if x not in forced and x not in a2["recipients"]))
    roles["negative_lookalike_file"] = r.choice(sorted(x for x in free if x not in involved))
    roles["negative_pre_campaign_dns"] = r.choice(sorted(
        x for x in a2["recipients"] if x not in forced and x not in a1["recipients"]
        and x not in (roles["negative_powershell"], roles["negative_lookalike_file"])))
    for k in ("negative_powershell", "negative_lookalike_file", "negative_pre_campaign_dns"):
        forced[roles[k]] = ("upn", "mde")


def pick_ambiguous_pair(users, forced, involved, r):
    """Two people whose first-initial+last-name candidate is the same."""
    by_cand = {}
    for u in users:
        by_cand.setdefault(flast(u["display_name"]), []).append(u["address"])
    pairs = sorted(tuple(v) for v in by_cand.values()
                   if len(v) == 2 and not (set(v) & (involved | set(forced))))
    pair = r.choice(pairs)
    for i, a in enumerate(pair):
        forced[a] = ("ambiguous", "crowdstrike" if i == 0 else "sentinelone")
    return pair


def assign_groups(users, forced, r):
    """The identity group and EDR product of everyone not forced by a role."""
    rest = [u["address"] for u in users if u["address"] not in forced]
    r.shuffle(rest)
    n_dir = N_DIRECTORY - sum(1 for g, _ in forced.values() if g == "directory")
    n_lp = N_LOCAL_PART - sum(1 for g, _ in forced.values() if g == "local_part")
    group = {a: g for a, (g, _) in forced.items()}
    product = {a: p for a, (_, p) in forced.items()}
    for i, a in enumerate(rest):
        group[a] = "directory" if i < n_dir else "local_part" if i < n_dir + n_lp else "upn"
    # hosts of directory/local_part users: CrowdStrike or SentinelOne, balanced
    others = sorted(a for a in group if group[a] != "upn" and a not in product)
    r.shuffle(others)
    n_cs = sum(1 for a in product if product[a] == "crowdstrike")
    n_s1 = sum(1 for a in product if product[a] == "sentinelone")
    for a in others:
        if n_cs <= n_s1:
            product[a], n_cs = "crowdstrike", n_cs + 1
        else:
            product[a], n_s1 = "sentinelone", n_s1 + 1
    for a in group:
        if group[a] == "upn":
            product[a] = "mde"
    return group, product


def sam_names(users, group):
    """local_part users got theirs under the newer first.last convention; everyone else is
    first initial + last name, with a number when the name is taken (AD is unique)."""
    sams, taken = {}, set()
    for u in users:
        a = u["address"]
        if group[a] == "local_part":
            sams[a] = a.split("@")[0]
            taken.add(sams[a])
    for u in users:
        a = u["address"]
        if a in sams:
            continue
        base = flast(u["display_name"])
        s, n = base, 2
        while s in taken:
            s, n = f"{base}{n}", n + 1
        sams[a] = s
        taken.add(s)
    return sams


def directory_export(hosts, r):
    """identities.csv: every directory user plus the upn users of a few departments; a few
    directory users have a UPN built from the sAM name instead of the mail address."""
    dir_users = sorted(h.email for h in hosts if h.resolution == "directory")
    odd_upn = set(r.sample(dir_users, 3))
    directory = []
    for h in hosts:
        if h.resolution == "directory" or (h.resolution == "upn" and h.user["department"] in DIRECTORY_EXTRA_DEPTS):
            upn = f"{h.sam}@{ORG_DOMAIN}" if h.email in odd_upn else h.email
            directory.append({"email": h.email, "upn": upn, "account": h.sam, "host": h.name})
    directory.sort(key=lambda x: x["email"])
    return directory
