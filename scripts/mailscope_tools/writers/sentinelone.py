"""SentinelOne Deep Visibility console CSV (shared/formats/edr.md c): display-name headers, ISO
times with milliseconds, ACME\\sam users, and the row of one EdrModel event (a Process
Creation row puts the created process in the Target Process columns, its parent in Source)."""

from __future__ import annotations

from ..scenario.hosts import AD_DOMAIN, image_hashes, iso_ms
from ..timefmt import iso

S1_COLUMNS = ["Event Time", "Endpoint Name", "Agent UUID", "Event Type", "Source Process Name",
              "Source Process Command Line", "Source Process User", "Source Process Image SHA256",
              "Source Process PID", "Target Process Name", "Target Process Command Line",
              "Target Process Image Path", "Target Process Image SHA256", "Target Process PID",
              "Target Process User", "Target File Path", "Target File SHA256", "DNS Request", "URL", "Destination IP",
              "Destination Port"]


def _s1_user(p):
    if p.user == "user":
        return f"{AD_DOMAIN}\\{p.host.sam}"
    return {"system": "NT AUTHORITY\\SYSTEM", "network": "NT AUTHORITY\\NETWORK SERVICE",
            "machine": "NT AUTHORITY\\SYSTEM"}[p.user]


def render_s1(ev):
    h = ev["host"]
    p = ev["proc"]
    row = dict.fromkeys(S1_COLUMNS, "")
    row.update({"Event Time": iso_ms(ev["t"]), "Endpoint Name": h.name, "Agent UUID": h.host_id})

    def source(q):
        # Source Process = the process that acted (on a Process Creation: the parent)
        if q is None:
            return
        row.update({"Source Process Name": q.name, "Source Process Command Line": q.cmd,
                    "Source Process User": _s1_user(q), "Source Process Image SHA256": image_hashes(q)["sha256"],
                    "Source Process PID": str(q.pid % 100_000)})

    k = ev["kind"]
    if k == "proc":
        # the started process is in the Target Process columns, the one that started it in Source Process
        source(p.parent)
        row.update({"Event Type": "Process Creation", "Target Process Name": p.name,
                    "Target Process Command Line": p.cmd, "Target Process Image Path": p.path,
                    "Target Process Image SHA256": image_hashes(p)["sha256"], "Target Process PID": str(p.pid % 100_000),
                    "Target Process User": _s1_user(p)})
        return [row]
    source(p)
    if k == "file":
        row.update({"Event Type": "File Creation" if ev["action"] == "FileCreated" else "File Modification",
                    "Target File Path": ev["path"],
                    "Target File SHA256": ev["hashes"]["sha256"] if ev["sha256_shown"] else ""})
    elif k == "dns":
        row.update({"Event Type": "DNS Resolved", "DNS Request": ev["domain"]})
    elif k == "conn":
        row.update({"Event Type": "IP Connect", "Destination IP": ev["ip"], "Destination Port": str(ev["port"])})
    else:
        row.update({"Event Type": "GET", "URL": ev["url"]})
    return [row]


# ---- the narrow export of the scenario families (scripts/scenario-families). p is a family
# person (sam, host, host_id); a process is (name, command line, pid).

SHORT_COLUMNS = ["Event Time", "Endpoint Name", "Agent UUID", "Event Type", "Source Process Name", "Source Process Command Line",
                 "Source Process User", "Source Process PID", "Target Process Name", "Target Process Command Line",
                 "Target Process Image Path", "Target Process PID", "Target Process Image SHA256", "Target File Path",
                 "Target File SHA256", "DNS Request", "URL", "Destination IP", "Destination Port"]


def short_file_rows(p, ms, proc, path, digest, origin=None):
    return [{"Event Time": iso(ms), "Endpoint Name": p["host"], "Agent UUID": p["host_id"], "Event Type": "File Creation",
             "Source Process Name": proc[0], "Source Process Command Line": proc[1], "Source Process User": "ACME\\" + p["sam"],
             "Source Process PID": proc[2], "Target File Path": path, "Target File SHA256": digest}]


def short_process_rows(p, ms, parent, child, image_path, digest=""):
    return [{"Event Time": iso(ms), "Endpoint Name": p["host"], "Agent UUID": p["host_id"], "Event Type": "Process Creation",
             "Source Process Name": parent[0], "Source Process Command Line": parent[1], "Source Process User": "ACME\\" + p["sam"],
             "Source Process PID": parent[2], "Target Process Name": child[0], "Target Process Command Line": child[1],
             "Target Process Image Path": image_path, "Target Process PID": child[2], "Target Process Image SHA256": digest}]


def short_connect_rows(p, ms, proc, host, ip, dns_first=True):
    """The DNS resolution (200 ms before; always, whatever dns_first) and the connection."""
    return [{"Event Time": iso(ms - 200), "Endpoint Name": p["host"], "Agent UUID": p["host_id"], "Event Type": "DNS Resolved",
             "Source Process Name": proc[0], "Source Process Command Line": proc[1], "Source Process User": "ACME\\" + p["sam"],
             "Source Process PID": proc[2], "DNS Request": host},
            {"Event Time": iso(ms), "Endpoint Name": p["host"], "Agent UUID": p["host_id"], "Event Type": "IP Connect",
             "Source Process Name": proc[0], "Source Process Command Line": proc[1], "Source Process User": "ACME\\" + p["sam"],
             "Source Process PID": proc[2], "Destination IP": ip, "Destination Port": "443"}]
