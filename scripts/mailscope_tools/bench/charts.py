"""bench's results as a table on stdout and as plain, deterministic SVG charts (bench.svg,
growth.svg)."""

from __future__ import annotations


def fmt_s(v) -> str:
    if v is None:
        return "n/a"
    return f"{v / 60:.1f} min" if v >= 600 else f"{v:.1f} s"


def summary_rows(result: dict) -> list:
    """(tool, load s, rules+correlation s, load RSS MB, query RSS MB, rows) per tool."""
    rows = []
    ms = result["tools"].get("mailscope")
    if ms and ms.get("ingest", {}).get("ok"):
        det = ms.get("detect", {})
        rows.append({"tool": "mailscope", "load_s": ms["ingest"]["seconds"],
                     "query_s": det.get("seconds") if det.get("ok") else None,
                     "load_rss_mb": ms["ingest"]["peak_rss_mb"], "query_rss_mb": det.get("peak_rss_mb"),
                     "rows": sum(ms["ingest"].get("rows", {}).values()), "db_mb": ms.get("db_mb")})
    for tool in ("python", "sqlite-utils", "duckdb"):
        p = result["tools"].get(tool)
        if not p:
            continue
        load, query = p.get("load", {}), p.get("query", {})
        rows.append({"tool": tool, "load_s": load.get("seconds") if load.get("ok") else None,
                     "query_s": query.get("seconds") if query.get("ok") else None,
                     "load_rss_mb": load.get("peak_rss_mb"), "query_rss_mb": query.get("peak_rss_mb"),
                     "rows": sum((load.get("rows") or {}).values()) if load.get("ok") else None,
                     "db_mb": p.get("db_mb")})
    return rows


def print_table(result: dict) -> None:
    rows = summary_rows(result)
    base = next((r for r in rows if r["tool"] == "mailscope"), None)

    def ratio(v, b):
        return f"{v / b:.2f}x" if v and b else "-"
    print()
    print(f"{'tool':<13} {'load':>10} {'vs ms':>7} {'detect+corr':>12} {'vs ms':>7} "
          f"{'RSS load':>9} {'RSS query':>9} {'rows':>12} {'DB MB':>8}")
    for r in rows:
        print(f"{r['tool']:<13} {fmt_s(r['load_s']):>10} {ratio(r['load_s'], base and base['load_s']):>7} "
              f"{fmt_s(r['query_s']):>12} {ratio(r['query_s'], base and base['query_s']):>7} "
              f"{(r['load_rss_mb'] or 0):>7.0f}MB {(r['query_rss_mb'] or 0):>7.0f}MB "
              f"{(r['rows'] or 0):>12,} {(r['db_mb'] or 0):>8.0f}")
    print("(vs ms: the tool's time over MailScope's; above 1.00x MailScope is faster. MailScope's "
          "detect+corr is indexes, the 41 enabled rules, correlation and incidents; the peers' is the 5-query set.)")
    ms = result["tools"].get("mailscope") or {}
    for stage in ("ingest", "detect", "report", "run"):
        s = ms.get(stage)
        if s:
            extra = f"  phases {s['phases']}" if s.get("phases") else ""
            print(f"mailscope {stage:<7} {fmt_s(s['seconds']):>10}  peak RSS {s['peak_rss_mb']:.0f} MB"
                  f"{'' if s['ok'] else '  FAILED'}{extra}")
    for tool in ("python", "sqlite-utils", "duckdb"):
        q = (result["tools"].get(tool) or {}).get("query") or {}
        if q.get("queries"):
            parts = ", ".join(f"{k} {v['seconds']:.1f}s/{v['rows']}" for k, v in q["queries"].items())
            idx = f"indexes {q['index_seconds']:.1f}s, " if "index_seconds" in q else ""
            print(f"{tool:<13} queries: {idx}{parts}")


def svg_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def chart_svg(result: dict) -> str:
    """Two horizontal bar groups per tool (load, detection + correlation) on one seconds axis,
    and peak RSS beside them. Plain SVG, no fonts or scripts, deterministic."""
    rows = summary_rows(result)
    top = max([r["load_s"] or 0 for r in rows] + [r["query_s"] or 0 for r in rows] + [1])
    rss_top = max([max(r["load_rss_mb"] or 0, r["query_rss_mb"] or 0) for r in rows] + [1])
    w, left, bar_w, rss_x, rss_w = 820, 110, 380, 610, 140
    row_h, head = 46, 58
    h = head + row_h * len(rows) + 66
    d = result["data"]
    title = (f"{d['days']} days x {d['mailboxes']:,} mailboxes: {d['records']:,} records, "
             f"{d['gzip_mb']:,.0f} MB gzip ({result['machine']['cores']} cores)")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
           'font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="#ffffff"/>',
           f'<text x="10" y="20" font-size="14" font-weight="bold">{svg_escape(title)}</text>',
           f'<text x="{left}" y="42" fill="#333">wall seconds (shorter is better): '
           '<tspan fill="#2b6cb0">load</tspan> / <tspan fill="#dd6b20">detect + correlate</tspan></text>',
           f'<text x="{rss_x}" y="42" fill="#333">peak RSS, MB</text>']
    for i, r in enumerate(rows):
        y = head + i * row_h
        out.append(f'<text x="10" y="{y + 20}" font-weight="bold">{svg_escape(r["tool"])}</text>')
        for j, (key, color) in enumerate((("load_s", "#2b6cb0"), ("query_s", "#dd6b20"))):
            v = r[key]
            by = y + 4 + j * 18
            if v is None:
                out.append(f'<text x="{left}" y="{by + 12}" fill="#c53030">failed</text>')
                continue
            bw = max(1.0, bar_w * v / top)
            out.append(f'<rect x="{left}" y="{by}" width="{bw:.1f}" height="15" fill="{color}"/>')
            out.append(f'<text x="{left + bw + 4:.1f}" y="{by + 12}">{svg_escape(fmt_s(v))}</text>')
        rss = max(r["load_rss_mb"] or 0, r["query_rss_mb"] or 0)
        rw = max(1.0, rss_w * rss / rss_top)
        out.append(f'<rect x="{rss_x}" y="{y + 10}" width="{rw:.1f}" height="18" fill="#718096"/>')
        out.append(f'<text x="{rss_x + rw + 4:.1f}" y="{y + 24}">{rss:,.0f}</text>')
    whole = (result["tools"].get("mailscope") or {}).get("run") or {}
    if whole.get("ok"):
        out.append(f'<text x="10" y="{h - 42}" fill="#555">MailScope as one job (mailscope run, fresh database): '
                   f'{svg_escape(fmt_s(whole["seconds"]))}, peak RSS {whole["peak_rss_mb"]:,.0f} MB.</text>')
    out.append(f'<text x="10" y="{h - 26}" fill="#555">MailScope: ingest, then indexes + the 41 enabled rules + correlation + incidents.</text>')
    out.append(f'<text x="10" y="{h - 10}" fill="#555">Peers: load, then indexes (SQLite) + a 5-query detection and correlation set. scripts/bench</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def growth_svg(retro: list, nightly: list, title: str) -> str:
    """Left: wall minutes of a fresh `mailscope run` over the first N days, and of each nightly
    run on the growing database. Right: database GB against days of data (nightly series, or
    the retrospective one). Plain SVG, deterministic."""
    w, h = 760, 330
    panels = [(60, 360), (450, 740)]
    top, bottom = 50, 60
    night_pts = [(p["day"], p["db_mb"] / 1024) for p in nightly]
    retro_pts = [(p["days"], p["db_mb"] / 1024) for p in retro]
    size_pts = max((night_pts, retro_pts), key=lambda pts: (max([x for x, _ in pts] + [0]), len(pts)))
    time_series = [("fresh run over N days", "#2b6cb0", [(p["days"], p["seconds"] / 60) for p in retro]),
                   ("nightly run on day N", "#dd6b20", [(p["day"], p["seconds"] / 60) for p in nightly])]
    max_x = max([x for _, _, pts in time_series for x, _ in pts] + [x for x, _ in size_pts] + [1])
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
           'font-family="sans-serif" font-size="12">', f'<rect width="{w}" height="{h}" fill="#ffffff"/>',
           f'<text x="10" y="20" font-size="14" font-weight="bold">{svg_escape(title)}</text>']

    def axes(x0, x1, max_y, label, unit_fmt):
        def px(x):
            return x0 + (x1 - x0) * x / max_x

        def py(y):
            return h - bottom - (h - top - bottom) * y / max_y
        out.append(f'<line x1="{x0}" y1="{h - bottom}" x2="{x1}" y2="{h - bottom}" stroke="#333"/>')
        out.append(f'<line x1="{x0}" y1="{top}" x2="{x0}" y2="{h - bottom}" stroke="#333"/>')
        out.append(f'<text x="{x0}" y="{top - 10}" fill="#333">{svg_escape(label)}</text>')
        out.append(f'<text x="{(x0 + x1) / 2}" y="{h - bottom + 32}" text-anchor="middle">days of data</text>')
        for k in range(5):
            v = max_y * k / 4
            out.append(f'<text x="{x0 - 6}" y="{py(v) + 4:.1f}" text-anchor="end">{unit_fmt(v)}</text>')
        step = max(1, round(max_x / 7))
        for x in range(0, max_x + 1, step):
            out.append(f'<text x="{px(x):.1f}" y="{h - bottom + 16}" text-anchor="middle">{x}</text>')
        return px, py

    max_t = max([y for _, _, pts in time_series for _, y in pts] + [0.1]) * 1.1
    px, py = axes(*panels[0], max_t, "wall minutes", lambda v: f"{v:.0f}" if max_t >= 20 else f"{v:.1f}")
    legend_y = h - 12
    for i, (name, color, pts) in enumerate(time_series):
        if not pts:
            continue
        out.append(f'<polyline points="{" ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)}" fill="none" '
                   f'stroke="{color}" stroke-width="2"/>')
        for x, y in pts:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{color}"/>')
        out.append(f'<rect x="{60 + i * 190}" y="{legend_y - 10}" width="12" height="12" fill="{color}"/>')
        out.append(f'<text x="{76 + i * 190}" y="{legend_y}">{svg_escape(name)}</text>')
    max_s = max([y for _, y in size_pts] + [0.1]) * 1.1
    px, py = axes(*panels[1], max_s, "database GB", lambda v: f"{v:.0f}" if max_s >= 20 else f"{v:.1f}")
    if size_pts:
        out.append(f'<polyline points="{" ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in size_pts)}" fill="none" '
                   'stroke="#4a5568" stroke-width="2"/>')
        for x, y in size_pts:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="#4a5568"/>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
