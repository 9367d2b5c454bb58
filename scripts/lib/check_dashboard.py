#!/usr/bin/env python3
"""Checks the Grafana dashboard and the Prometheus alert rules against the metrics the service
exports (standard library only; run by scripts/check_monitoring.sh).

  check_dashboard.py DASHBOARD.json... [--rules RULES.yml...] [--src DIR]
                     [--metrics-url URL | --metrics-file FILE]

- every dashboard is valid JSON with a uid, a title, unique panel ids, panels on the 24-column
  grid, the ${datasource} variable on every query (so it loads against any Prometheus data
  source), and a PromQL expression in every target;
- every metric name in a panel's or rule's PromQL is one the service exports: names found in
  the C++ sources (--src, default src/), or with --metrics-url/--metrics-file, names on a live
  /metrics page. Histogram series (_bucket, _sum, _count) count as their histogram; `up` and
  Prometheus's own scrape_* series are always known. PENDING lists names announced by work in
  progress; they pass with a note until the sources export them.
Exits 1 with one line per problem.
"""
import argparse
import json
import pathlib
import re
import sys
import urllib.request

# Names announced by work in progress (none now: the webhook metrics are exported).
PENDING: set = set()
PROMETHEUS_OWN = {"up", "scrape_duration_seconds", "scrape_samples_scraped",
                  "scrape_samples_post_metric_relabeling", "scrape_series_added"}
KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan", "by", "without", "on",
            "ignoring", "group_left", "group_right"}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def metric_names(expr):
    """The metric names an expression selects (functions, labels and keywords left out)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # ranges and subqueries
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\$\{?\w+\}?", " ", text)  # Grafana variables
    names = set()
    for match in re.finditer(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?", text):
        name, call = match.group(1), match.group(2)
        if call or name.lower() in KEYWORDS:
            continue
        names.add(name)
    return names


def known_from_source(src):
    names = set()
    for path in pathlib.Path(src).rglob("*"):
        if path.suffix in (".cpp", ".h") and path.is_file():
            for literal in re.findall(r'"((?:[^"\\]|\\.)*)"', path.read_text(errors="replace")):
                names.update(re.findall(r"\b((?:gs|process)_[a-z0-9_]*[a-z0-9])\b", literal))
    return names


def known_from_page(text):
    names = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            names.add(line.split()[2])
        elif line and not line.startswith("#"):
            names.add(re.split(r"[{\s]", line, maxsplit=1)[0])
    return names


def is_known(name, known):
    if name in known or name in PROMETHEUS_OWN:
        return True
    return any(name.endswith(s) and name[: -len(s)] in known for s in HISTOGRAM_SUFFIXES)


def rule_exprs(path):
    """(alert name, expr) of a rule file, read without a YAML library: `expr:` inline or as a
    `|`/`>` block (the style of docker/prometheus/rules/)."""
    lines = pathlib.Path(path).read_text().splitlines()
    out = []
    name = "?"
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^\s*-?\s*(alert|record):\s*(\S+)", line)
        if m:
            name = m.group(2)
        m = re.match(r"^(\s*)expr:\s*(.*)$", line)
        if m:
            indent, value = len(m.group(1)), m.group(2).strip()
            if value in ("|", ">", "|-", ">-", ""):
                block = []
                i += 1
                while i < len(lines) and (not lines[i].strip() or
                                          len(lines[i]) - len(lines[i].lstrip()) > indent):
                    block.append(lines[i].strip())
                    i += 1
                out.append((name, " ".join(block)))
                continue
            out.append((name, value.strip("'\"")))
        i += 1
    return out


def check_dashboard(path, problems):
    try:
        dash = json.loads(pathlib.Path(path).read_text())
    except (OSError, json.JSONDecodeError) as e:
        problems.append(f"{path}: not valid JSON: {e}")
        return []
    for key in ("uid", "title", "panels"):
        if not dash.get(key):
            problems.append(f"{path}: no {key}")
    variables = {v.get("name") for v in dash.get("templating", {}).get("list", [])}
    if "datasource" not in variables:
        problems.append(f"{path}: no 'datasource' template variable")
    panels = []
    for panel in dash.get("panels", []):
        panels.append(panel)
        panels.extend(panel.get("panels", []))  # collapsed rows hold their panels
    ids = [p.get("id") for p in panels]
    for dup in sorted({i for i in ids if ids.count(i) > 1}, key=str):
        problems.append(f"{path}: panel id {dup} used more than once")
    exprs = []
    for p in panels:
        where = f"{path}: panel {p.get('id')} '{p.get('title', '')}'"
        grid = p.get("gridPos", {})
        if not all(isinstance(grid.get(k), int) for k in ("x", "y", "w", "h")) or \
                grid["x"] < 0 or grid["x"] + grid["w"] > 24:
            problems.append(f"{where}: gridPos {grid} is not on the 24-column grid")
        if p.get("type") == "row":
            continue
        if not p.get("title"):
            problems.append(f"{where}: no title")
        targets = p.get("targets") or []
        if not targets:
            problems.append(f"{where}: no query")
        ref_ids = [t.get("refId") for t in targets]
        if len(set(ref_ids)) != len(ref_ids):
            problems.append(f"{where}: refIds repeat: {ref_ids}")
        for t in targets + [p]:
            ds = t.get("datasource")
            if ds is not None and (not isinstance(ds, dict) or ds.get("uid") != "${datasource}"):
                problems.append(f"{where}: datasource {ds!r} is not the ${{datasource}} variable")
        for t in targets:
            if not (t.get("expr") or "").strip():
                problems.append(f"{where}: target {t.get('refId')} has no expr")
            else:
                exprs.append((where, t["expr"]))
    return exprs


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dashboards", nargs="+")
    parser.add_argument("--rules", nargs="*", default=[])
    parser.add_argument("--src", default="src")
    page = parser.add_mutually_exclusive_group()
    page.add_argument("--metrics-url")
    page.add_argument("--metrics-file")
    args = parser.parse_args()

    problems = []
    exprs = []
    for path in args.dashboards:
        exprs += check_dashboard(path, problems)
    for path in args.rules:
        for name, expr in rule_exprs(path):
            exprs.append((f"{path}: rule {name}", expr))
    if args.rules and not any(w.startswith(tuple(args.rules)) for w, _ in exprs):
        problems.append(f"no expr found in {' '.join(args.rules)}")

    if args.metrics_url:
        with urllib.request.urlopen(args.metrics_url, timeout=10) as response:
            known, origin = known_from_page(response.read().decode()), args.metrics_url
    elif args.metrics_file:
        known = known_from_page(pathlib.Path(args.metrics_file).read_text())
        origin = args.metrics_file
    else:
        known, origin = known_from_source(args.src), f"the sources in {args.src}/"
    if not any(n.startswith("gs_") for n in known):
        problems.append(f"no gs_* metric found in {origin}")

    used = set()
    pending_used = set()
    for where, expr in exprs:
        names = metric_names(expr)
        if not names:
            problems.append(f"{where}: no metric name in '{expr}'")
        for name in sorted(names):
            used.add(name)
            base = next((name[: -len(s)] for s in HISTOGRAM_SUFFIXES if name.endswith(s)), name)
            if is_known(name, known):
                continue
            if name in PENDING or base in PENDING:
                pending_used.add(base)
                continue
            problems.append(f"{where}: '{name}' is not a metric of {origin}")
    for name in sorted(PENDING & known):
        print(f"note: {name} is exported now: drop it from PENDING in {__file__}")
    for name in sorted(pending_used - known):
        print(f"note: {name} is not exported yet (PENDING: work in progress)")
    for p in problems:
        print(f"FAIL: {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"ok:   {len(args.dashboards)} dashboard(s), {len(exprs)} queries and rules, "
          f"{len(used)} metric names, all exported by {origin}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
