"""A plain-text summary of a bench/results/*.json report (printed by bench/run.py)."""

import json
import sys


def _ms(entry, key="median_ms"):
    return f"{entry[key]:.1f}" if isinstance(entry, dict) and key in entry else "-"


def summarise(report: dict) -> str:
    lines = [f"{report['command']}  @ {report['timestamp']}  commit {report['git_commit'][:12]}  {report['machine']}"]
    for run in report["runs"]:
        head = f"\n[{run.get('vendor', '?')} {run['size']:,} members]"
        if "error" in run:
            lines.append(f"{head} ERROR {run['error']}")
            continue
        lines.append(head)
        if run.get("synth"):
            lines.append(f"  synth_province: {run['synth']['total_seconds']} s {run['synth']['phases']}")
        for key, st in (run.get("statistics") or {}).items():
            extra = f"ratio {st['ratio_median']}×" if "ratio_median" in st else st.get("party_statistics", "")
            if "ratio_live_median" in st:  # counted without the day's snapshot
                extra += f"  live {_ms(st['party_statistics_live'])} ms ({st['ratio_live_median']}×)"
            lines.append(
                f"  a. statistics {key:9s} raw SQL {_ms(st['raw_sql'])} ms  party_statistics {_ms(st.get('party_statistics'))} ms  {extra}"
            )
        ml = run.get("member_list") or {}
        if ml:
            lines.append(f"  b. member list via {ml['via']}")
        for case, r in ml.items():
            if case != "via":
                lines.append(
                    f"     {case:17s} p50 {r['median_ms']:.1f} ms  p95 {r['p95_ms']:.1f} ms  queries {r['queries']}  rows {r['rows']}"
                )
        for key, r in (run.get("subtree_count") or {}).items():
            lines.append(
                f"  c. count {key:9s} subtree_member_count {_ms(r['subtree_member_count'])} ms  "
                f"COUNT counted {_ms(r['count_counted_members'])} ms  COUNT index-only {_ms(r['count_index_only_all_rows'])} ms  "
                f"value {r['value']} agrees {r['agrees_with_member_table']}"
            )
        for key, r in (run.get("dues") or {}).items():  # --synth-dues
            lines.append(
                f"  e. dues {key:9s} section {_ms(r['dues_section'])} ms ({r['dues_section_queries']} queries)  "
                f"dues.collected {_ms(r['dues_collected'])} ms ({r['dues_collected_queries']} queries)"
            )
        for key, r in (run.get("scope_predicate") or {}).items():
            lines.append(
                f"  scope {key:7s} LIKE {_ms(r['like'])} ms  range {_ms(r['range'])} ms  same rows {r['same_rows']}"
                + (f"  LIKE+NOCASE index {_ms(r['like_with_nocase_index'])} ms" if "like_with_nocase_index" in r else "")
            )
        if run.get("load_average_before"):
            lines.append(f"  load average before/after: {run['load_average_before']} / {run.get('load_average_after')}")
        if run.get("http"):
            for key, r in run["http"].items():
                if isinstance(r, dict):
                    lines.append(
                        f"  d. http {key:18s} {r['rps']:.0f} req/s  non-2xx {r['non_2xx']}  socket errors {r['socket_errors']}"
                        + (f"  ratio {r['ratio_to_bare']}" if "ratio_to_bare" in r else "")
                    )
                elif key not in ("server", "duration_s", "rounds", "load_average_per_round"):
                    lines.append(f"  d. http {key}: {r}")
    g = report.get("growth")
    if g and "metrics" in g:
        lines.append(f"\n[growth side by side: {', '.join(g['aliases'])}]")
        for name, r in g["metrics"].items():
            lines.append(
                f"  {name:40s} " + "  ".join(f"{a} {r[a]['median_ms']:.1f}" for a in g["aliases"]) + f"  growth {r['growth_median']}×"
            )
    return "\n".join(lines)


def _fmt(v):
    return "—" if v is None else f"{v:,.1f}" if isinstance(v, float) else f"{v:,}" if isinstance(v, int) else str(v)


GROWTH_METRICS = [
    ("statistics county, party_statistics median", lambda r: (r["statistics"]["county"].get("party_statistics") or {}).get("median_ms")),
    ("statistics county, raw SQL median", lambda r: r["statistics"]["county"]["raw_sql"]["median_ms"]),
    ("statistics province, raw SQL median", lambda r: r["statistics"]["province"]["raw_sql"]["median_ms"]),
    ("member list branch page 1, p95", lambda r: r["member_list"]["branch_p1"]["p95_ms"]),
    ("member list county page 1, p95", lambda r: r["member_list"]["county_p1"]["p95_ms"]),
    ("member list county page 200, p95", lambda r: r["member_list"]["county_p200"]["p95_ms"]),
    ("queries per list page (max)", lambda r: max(v["queries"] for k, v in r["member_list"].items() if k != "via")),
    ("subtree count province (counters)", lambda r: r["subtree_count"]["province"]["subtree_member_count"]["median_ms"]),
    ("subtree count county (counters)", lambda r: r["subtree_count"]["county"]["subtree_member_count"]["median_ms"]),
    ("subtree count branch (counters)", lambda r: r["subtree_count"]["branch"]["subtree_member_count"]["median_ms"]),
]


def growth(runs) -> str:
    """e. How each cost grows with the province (per database, smallest → largest size)."""
    out = ["\n#### e. Growth (ms unless stated; last column = largest / smallest size)\n"]
    for vendor in sorted({r["vendor"] for r in runs}):
        rs = sorted((r for r in runs if r["vendor"] == vendor), key=lambda r: r["size"])
        if len(rs) < 2:
            continue
        out.append(f"{vendor}:\n")
        out.append("| metric | " + " | ".join(f"{r['size']:,}" for r in rs) + " | growth |")
        out.append("|---|" + "---:|" * (len(rs) + 1))
        for name, fn in GROWTH_METRICS:
            try:
                vals = [fn(r) for r in rs]
            except (KeyError, TypeError, AttributeError):
                continue
            if any(v is None for v in vals):
                continue
            g = f"{vals[-1] / vals[0]:.2f}×" if vals[0] else "—"
            out.append(f"| {name} | " + " | ".join(_fmt(v) for v in vals) + f" | {g} |")
        out.append("")
    return "\n".join(out)


def growth_side_by_side(report: dict) -> str:
    g = report.get("growth")
    if not g or "metrics" not in g:
        return ""
    aliases = g["aliases"]
    out = [f"\n#### e. Growth measured side by side (PostgreSQL, one process, sizes interleaved; via {g['via']}; median / p95 ms)\n"]
    out.append("| metric | " + " | ".join(a.lstrip("s") for a in aliases) + " | growth (median) | growth (p95) |")
    out.append("|---|" + "---:|" * (len(aliases) + 2))
    for name, r in g["metrics"].items():
        cells = [f"{r[a]['median_ms']:.1f} / {r[a]['p95_ms']:.1f}" for a in aliases]
        out.append(f"| {name} | " + " | ".join(cells) + f" | {r['growth_median']}× | {r['growth_p95']}× |")
    return "\n".join(out)


def markdown(report: dict) -> str:
    """Tables for docs/performance.md (one row per database and size)."""
    runs = [r for r in report["runs"] if "error" not in r]
    full = [r for r in runs if "statistics" in r]  # --http-only runs have the HTTP table only
    out = []
    out.append(
        "#### a. Annual statistics (median ms; ratio = party_statistics / raw SQL; core = organisation_counts + member_counts, "
        "the same rows as the raw SQL, without the extension sections)\n"
    )
    out.append(
        "| database | members | province raw SQL | province party_statistics | ratio | core | core ratio "
        "| county raw SQL | county party_statistics | ratio | core | core ratio |"
    )
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in full:
        cells = []
        for key in ("province", "county"):
            st = r["statistics"][key]
            ps = st.get("party_statistics")
            pc = st.get("party_statistics_core")
            cells += [
                _fmt(st["raw_sql"]["median_ms"]),
                _fmt(ps["median_ms"]) if isinstance(ps, dict) else "n/a",
                (f"{st['ratio_median']:.2f}×" if "ratio_median" in st else "—"),
                _fmt(pc["median_ms"]) if isinstance(pc, dict) else "—",
                (f"{st['ratio_core_median']:.2f}×" if "ratio_core_median" in st else "—"),
            ]
        out.append(f"| {r['vendor']} | {r['size']:,} | " + " | ".join(cells) + " |")
    out.append("\n#### b. Member list (p95 ms / queries; page size 50)\n")
    cases = ["branch_p1", "branch_last", "county_p1", "county_p200", "county_filter_p1"]
    out.append("| database | members | via | " + " | ".join(cases) + " |")
    out.append("|---|---:|---|" + "---:|" * len(cases))
    for r in full:
        ml = r["member_list"]
        cells = [f"{ml[c]['p95_ms']:.1f} / {ml[c]['queries']}q" for c in cases]
        out.append(f"| {r['vendor']} | {r['size']:,} | {ml['via'].split(' (')[0]} | " + " | ".join(cells) + " |")
    out.append("\n#### c. Exact member count of a subtree (median ms)\n")
    out.append(
        "| database | members | subtree | members counted | subtree_member_count (counters) | COUNT(*) counted statuses | COUNT(*) index-only, all rows |"
    )
    out.append("|---|---:|---|---:|---:|---:|---:|")
    for r in full:
        for key, c in r["subtree_count"].items():
            out.append(
                f"| {r['vendor']} | {r['size']:,} | {key} | {c['value']:,} | {_fmt(c['subtree_member_count']['median_ms'])} | "
                f"{_fmt(c['count_counted_members']['median_ms'])} | {_fmt(c['count_index_only_all_rows']['median_ms'])} |"
            )
    if any(r.get("scope_predicate") for r in runs):
        out.append("\n#### Scope predicate: LIKE 'path%' vs range (median ms, branch page query)\n")
        out.append(
            "| database | members | branch LIKE | branch range | branch LIKE + NOCASE index | county LIKE | county range | county LIKE + NOCASE index |"
        )
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        for r in runs:
            sp = r.get("scope_predicate")
            if sp:
                out.append(
                    f"| {r['vendor']} | {r['size']:,} | {_fmt(sp['branch']['like']['median_ms'])} | {_fmt(sp['branch']['range']['median_ms'])} | "
                    f"{_fmt((sp['branch'].get('like_with_nocase_index') or {}).get('median_ms'))} | "
                    f"{_fmt(sp['county']['like']['median_ms'])} | {_fmt(sp['county']['range']['median_ms'])} | "
                    f"{_fmt((sp['county'].get('like_with_nocase_index') or {}).get('median_ms'))} |"
                )
    http = [r for r in runs if r.get("http")]
    if http:
        out.append("\n#### d. HTTP throughput (gunicorn -w 2, wrk -t2 -c8, loopback)\n")
        out.append("| database | members | URL | req/s | p99 ms | non-2xx | socket errors | ratio to bare |")
        out.append("|---|---:|---|---:|---:|---:|---:|---:|")
        for r in http:
            for key, h in r["http"].items():
                if isinstance(h, dict):
                    out.append(
                        f"| {r['vendor']} | {r['size']:,} | {key} | {h['rps']:.0f} | {_fmt(h['p99_ms'])} | {h['non_2xx']} | {h['socket_errors']} | {(format(h['ratio_to_bare'], '.1%') if h.get('ratio_to_bare') is not None else '—')} |"
                    )
                elif key not in ("server", "duration_s", "rounds", "load_average_per_round"):
                    out.append(f"| {r['vendor']} | {r['size']:,} | {key} | {h} | | | | |")
    out.append(growth(runs))
    out.append(growth_side_by_side(report))
    synth = [r for r in runs if r.get("synth")]
    if synth:
        out.append("\n#### synth_province load time\n")
        out.append("| database | members | total s | phases (s) |")
        out.append("|---|---:|---:|---|")
        for r in synth:
            out.append(f"| {r['vendor']} | {r['size']:,} | {r['synth']['total_seconds']} | {r['synth']['phases']} |")
    loads = [f"{r['vendor']} {r['size']:,}: {r.get('load_average_before')}" for r in runs if r.get("load_average_before")]
    if loads:
        out.append("\nLoad average (1/5/15 min) when each run started: " + "; ".join(loads))
    return "\n".join(out)


if __name__ == "__main__":
    if sys.argv[1] == "--markdown":
        print(markdown(json.load(open(sys.argv[2]))))
    else:
        print(summarise(json.load(open(sys.argv[1]))))
