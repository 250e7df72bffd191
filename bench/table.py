"""Prints the benchmark table from bench-results/ (figure, baseline, ratio, target)."""
import csv, json, pathlib, sys

out = pathlib.Path(sys.argv[1])
rows = []
def row(what, figure, baseline, ratio, target, ok):
    """`ok` is True/False, or a status of its own (a partly met or unmeasurable target)."""
    status = ok if isinstance(ok, str) else ("met" if ok else "NOT met")
    rows.append((what, figure, baseline, ratio, target, status))

total_raw = total_gz = first_raw = first_gz = 0
for line in (out / "bundle.txt").read_text().split("\n"):
    if line.strip():
        name, raw, gz = line.split()
        total_raw += int(raw); total_gz += int(gz)
        # The secondary modules (scripts/split.mjs) load after the home page's console answers.
        if not name.startswith(("redis-lab-extra-", "redis-lab-pages-")):
            first_raw += int(raw); first_gz += int(gz)
row("bundle before the console (primary wasm+js+css)", f"{first_raw/1024:.0f} KB raw, {first_gz/1024:.0f} KB gz",
    "budget 300 KB gz", f"{first_gz/(300*1024):.2f}x budget", "<= 1.00x", first_gz <= 300 * 1024)
row("bundle, all of it (all three wasm modules+js+css)", f"{total_raw/1024:.0f} KB raw, {total_gz/1024:.0f} KB gz", "", "", "", "info")

b = json.loads((out / "browser.json").read_text())
row("page load → focused prompt (median of 7)", f"{b['load_ms_median']:.0f} ms", "target 300 ms",
    f"{b['load_ms_median']/300:.2f}x", "<= 1.00x", b['load_ms_median'] <= 300)
l = json.loads((out / "load.json").read_text())
def ms(x):
    return "fails" if x is None else f"{x} ms"
def le(x, target):
    return x is not None and x <= target
c, w, o = l["cold"], l["warm"], l["offline"]
row("slow link, cold: first contentful paint", ms(c["fcp_ms"]), "target 1.0 s", "", "<= 1000 ms", le(c["fcp_ms"], 1000))
row("slow link, cold: lesson map readable", ms(c["map_ms"]), "target 1.5 s", "", "<= 1500 ms", le(c["map_ms"], 1500))
row("slow link, cold: console answers PING", ms(c["pong_ms"]), "target 2.5 s", "", "<= 2500 ms", le(c["pong_ms"], 2500))
kb = None if c["bytes_before_pong"] is None else c["bytes_before_pong"] / 1024
row("slow link, cold: bytes before PONG (gzip)", "—" if kb is None else f"{kb:.0f} KB", "budget 300 KB", "", "<= 300 KB", kb is not None and kb <= 300)
row("slow link, warm: console answers PING", ms(w["pong_ms"]), "target 300 ms", "", "<= 300 ms", le(w["pong_ms"], 300))
row("offline after one visit: page + PING", f"{o['works']} runs, PING {ms(o['pong_ms'])}", "", "", "works", o["works"].startswith(o["works"].split("/")[1] + "/"))
for label, db in (("empty DB", "empty"), ("100k keys, key browser open", "full")):
    p50, p95 = b[f"{db}_p50"], b[f"{db}_p95"]
    r50, r95 = b[f"{db}_rendered_p50"], b[f"{db}_rendered_p95"]
    share = b[f"{db}_first_frame"]
    # The target: the reply's work fits in one 16 ms frame (rendered p95), so it
    # is painted in the first frame after Enter; painted times include the
    # wait for the display's next refresh, which no page can shorten.
    row(f"Enter → reply, {label}",
        f"rendered p50 {r50:.1f} ms, p95 {r95:.1f} ms; painted p50 {p50:.1f}, p95 {p95:.1f}; "
        f"in the first frame {share:.0%}",
        "target p95 16 ms", f"{r95/16:.2f}x", "<= 1.00x", r95 <= 16)

if "ping_after_5mb_rendered_p95" in b:
    # A 5 MB value typed into the console (SET), then printed (GET): later
    # commands should cost what they cost before it (one frame at most).
    before95, after95 = b["ping_before_5mb_rendered_p95"], b["ping_after_5mb_rendered_p95"]
    row("Enter → PING reply, before / after a 5 MB value",
        f"rendered p50 {b['ping_before_5mb_rendered_p50']:.1f} / {b['ping_after_5mb_rendered_p50']:.1f} ms, "
        f"p95 {before95:.1f} / {after95:.1f}; painted p95 {b['ping_before_5mb_p95']:.1f} / {b['ping_after_5mb_p95']:.1f}; "
        f"SET 5 MB {b['set_5mb_ms']:.0f} ms, GET {b['get_5mb_ms']:.0f} ms",
        f"before {before95:.1f} ms", f"{after95/max(before95, 0.1):.2f}x", "after p95 <= 16 ms", after95 <= 16)

native = {}
for line in (out / "native.txt").read_text().split("\n"):
    if line.strip():
        name, ops = line.split()[:2]
        native[name] = float(ops)
for line in (out / "node.jsonl").read_text().split("\n"):
    if not line.strip():
        continue
    r = json.loads(line)
    n = r["name"]
    def engine_status(mock, via_js, inside, simple):
        fast = inside >= 2e6
        if mock is None:
            return "no baseline" if not simple else ("2M met, no baseline" if fast else "NOT met, no baseline")
        tenfold = via_js >= 10 * mock
        if not simple:
            return tenfold
        if fast and tenfold:
            return "met"
        return "2M met, 10x not" if fast else ("10x met, 2M not" if tenfold else "NOT met")
    simple = n in ("SET", "GET", "INCR")
    mock = r['mock_ops']
    row(f"{n} ops/s (native | wasm | wasm via JS calls)",
        f"{native.get(n, 0)/1e6:.2f}M | {r['wasm_ops']/1e6:.2f}M | {r['wasm_call_ops']/1e6:.2f}M",
        f"ioredis-mock {mock/1e3:.0f}k" if mock else "ioredis-mock has no " + n,
        f"{r['wasm_call_ops']/max(mock,1):.1f}x mock" if mock else "-",
        ">= 10x mock" + (", >= 2M in wasm" if simple else ""),
        engine_status(mock, r['wasm_call_ops'], r['wasm_ops'], simple))

def rb(name):
    """Best requests/s per test over the alternating rounds."""
    res = {}
    for path in sorted(out.glob(f"rb-{name}-*.csv")):
        with open(path) as f:
            for rec in csv.reader(f):
                if rec and rec[0] != "test":
                    res[rec[0]] = max(res.get(rec[0], 0.0), float(rec[1]))
    return res
real, ours = rb("real"), rb("ours")
for test in real:
    if test in ours:
        row(f"redis-benchmark {test} (-P 16, best of 3)", f"{ours[test]/1e3:.0f}k rps", f"redis-server {real[test]/1e3:.0f}k rps",
            f"{ours[test]/real[test]:.2f}x", ">= 1.00x", ours[test] >= real[test])

mem = {}
for line in (out / "memory.txt").read_text().split("\n"):
    if line.strip():
        name, before, after, keys = line.split()
        mem[name] = int(after) - int(before) if int(after) > int(before) else int(after)
        mem[name + "_total"] = int(after)
row("resident memory, 1M keys + 100k hash + 100k zset", f"{mem['ours_total']/2**20:.0f} MB",
    f"redis-server {mem['real_total']/2**20:.0f} MB", f"{mem['ours_total']/mem['real_total']:.2f}x", "<= 1.00x",
    mem['ours_total'] <= mem['real_total'])

widths = [max(len(str(r[i])) for r in rows + [("what", "figure", "baseline", "ratio", "target", "")]) for i in range(6)]
head = ("what", "figure", "baseline", "ratio", "target", "")
for r in [head] + rows:
    print(" | ".join(str(c).ljust(w) for c, w in zip(r, widths)))
