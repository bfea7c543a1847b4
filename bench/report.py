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
        for key, st in run["statistics"].items():
            extra = f"ratio {st['ratio_median']}×" if "ratio_median" in st else st.get("party_statistics", "")
            lines.append(
                f"  a. statistics {key:9s} raw SQL {_ms(st['raw_sql'])} ms  party_statistics {_ms(st.get('party_statistics'))} ms  {extra}"
            )
        ml = run["member_list"]
        lines.append(f"  b. member list via {ml['via']}")
        for case, r in ml.items():
            if case != "via":
                lines.append(
                    f"     {case:17s} p50 {r['median_ms']:.1f} ms  p95 {r['p95_ms']:.1f} ms  queries {r['queries']}  rows {r['rows']}"
                )
        for key, r in run["subtree_count"].items():
            lines.append(
                f"  c. count {key:9s} subtree_member_count {_ms(r['subtree_member_count'])} ms  "
                f"COUNT counted {_ms(r['count_counted_members'])} ms  COUNT index-only {_ms(r['count_index_only_all_rows'])} ms  "
                f"value {r['value']} agrees {r['agrees_with_member_table']}"
            )
        for key, r in (run.get("scope_predicate") or {}).items():
            lines.append(f"  scope {key:7s} LIKE {_ms(r['like'])} ms  range {_ms(r['range'])} ms  same rows {r['same_rows']}")
        if run.get("load_average_before"):
            lines.append(f"  load average before/after: {run['load_average_before']} / {run.get('load_average_after')}")
        if run.get("http"):
            for key, r in run["http"].items():
                if isinstance(r, dict):
                    lines.append(
                        f"  d. http {key:18s} {r['rps']:.0f} req/s  non-2xx {r['non_2xx']}  socket errors {r['socket_errors']}"
                        + (f"  ratio {r['ratio_to_bare']}" if "ratio_to_bare" in r else "")
                    )
                elif key not in ("server", "duration_s"):
                    lines.append(f"  d. http {key}: {r}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(summarise(json.load(open(sys.argv[1]))))
