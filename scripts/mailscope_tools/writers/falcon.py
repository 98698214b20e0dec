"""CrowdStrike Falcon event search CSV (shared/formats/edr.md b): the columns, epoch-millisecond
@timestamp, \\Device\\HarddiskVolume paths, and the rows of one EdrModel event (ProcessRollup2
carries the user; file, DNS and network rows only the ContextProcessId)."""

from __future__ import annotations

from ..scenario.hosts import TPMS, image_hashes

CS_COLUMNS = ["@timestamp", "#event_simpleName", "aid", "ComputerName", "UserName", "ImageFileName",
              "CommandLine", "ParentBaseFileName", "SHA256HashData", "MD5HashData", "TargetFileName",
              "DomainName", "RemoteAddressIP4", "RemotePort", "ContextProcessId", "TargetProcessId"]
CS_WRITE_EVENT = {"xlsx": ["OoxmlFileWritten"], "xlsm": ["OoxmlFileWritten"], "docx": ["OoxmlFileWritten"],
                  "pptx": ["OoxmlFileWritten"], "exe": ["NewExecutableWritten", "PeFileWritten"]}


def device_path(path: str) -> str:
    return "\\Device\\HarddiskVolume3" + path[2:] if path[1:3] == ":\\" else path


def _cs_user(p):
    if p.user == "user":
        return p.host.sam
    return {"system": "SYSTEM", "network": "NETWORK SERVICE", "machine": p.host.name + "$"}[p.user]


def render_cs(ev):
    h = ev["host"]
    p = ev["proc"]
    base = dict.fromkeys(CS_COLUMNS, "")
    base.update({"@timestamp": str(ev["t"] // TPMS), "aid": h.host_id, "ComputerName": h.name})
    k = ev["kind"]
    if k == "proc":
        hs = image_hashes(p)
        base.update({"#event_simpleName": "ProcessRollup2", "UserName": _cs_user(p),
                     "ImageFileName": device_path(p.path), "CommandLine": p.cmd,
                     "ParentBaseFileName": p.parent.name if p.parent else "", "SHA256HashData": hs["sha256"],
                     "MD5HashData": hs["md5"], "TargetProcessId": str(p.pid)})
        return [base]
    if k == "file":
        ext = ev["path"].rsplit(".", 1)[1].lower()
        rows = []
        for name in CS_WRITE_EVENT.get(ext, []):
            row = dict(base)
            row.update({"#event_simpleName": name, "TargetFileName": device_path(ev["path"]),
                        "SHA256HashData": ev["hashes"]["sha256"] if (ev["sha256_shown"] or name == "PeFileWritten") else "",
                        "ContextProcessId": str(p.pid)})
            rows.append(row)
        return rows
    if k == "dns":
        base.update({"#event_simpleName": "DnsRequest", "DomainName": ev["domain"], "ContextProcessId": str(p.pid)})
        return [base]
    if k == "conn":
        base.update({"#event_simpleName": "NetworkConnectIP4", "RemoteAddressIP4": ev["ip"],
                     "RemotePort": str(ev["port"]), "ContextProcessId": str(p.pid)})
        return [base]
    return []


# ---- the narrow export of the scenario families (scripts/scenario-families): an event search
# with its own field names (timestamp, event_simpleName, ParentProcessId). p is a family person
# (sam, host, host_id); a process is (name, command line, pid).

SHORT_COLUMNS = ["timestamp", "event_simpleName", "aid", "ComputerName", "UserName", "ImageFileName", "CommandLine",
                 "ParentBaseFileName", "TargetProcessId", "ParentProcessId", "ContextProcessId", "SHA256HashData",
                 "TargetFileName", "DomainName", "RemoteAddressIP4", "RemotePort"]


def short_file_rows(p, ms, proc, path, digest, origin=None):
    name = path.rsplit("\\", 1)[1]
    return [{"timestamp": str(ms), "event_simpleName": "OoxmlFileWritten" if name.endswith(("xlsm", "docm")) else "PeFileWritten",
             "aid": p["host_id"], "ComputerName": p["host"], "SHA256HashData": digest,
             "TargetFileName": "\\Device\\HarddiskVolume3" + path[2:], "ContextProcessId": proc[2]}]


def short_process_rows(p, ms, parent, child, image_path, digest=""):
    return [{"timestamp": str(ms), "event_simpleName": "ProcessRollup2", "aid": p["host_id"], "ComputerName": p["host"],
             "UserName": p["sam"], "ImageFileName": "\\Device\\HarddiskVolume3" + image_path[2:], "CommandLine": child[1],
             "ParentBaseFileName": parent[0], "TargetProcessId": child[2], "ParentProcessId": parent[2], "SHA256HashData": digest}]


def short_connect_rows(p, ms, proc, host, ip, dns_first=True):
    """The DNS request (200 ms before, unless dns_first is False) and the connection."""
    rows = []
    if dns_first:
        rows.append({"timestamp": str(ms - 200), "event_simpleName": "DnsRequest", "aid": p["host_id"], "ComputerName": p["host"],
                     "DomainName": host, "ContextProcessId": proc[2]})
    rows.append({"timestamp": str(ms), "event_simpleName": "NetworkConnectIP4", "aid": p["host_id"], "ComputerName": p["host"],
                 "RemoteAddressIP4": ip, "RemotePort": "443", "ContextProcessId": proc[2]})
    return rows
