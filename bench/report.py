#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
Writes build/bench/report.md, summary.md, the plot data (*.dat) and the
plots (*.png, gnuplot) from the raw outputs scripts/bench.sh collected in
RAW. Every figure comes from those files: nothing is hard-coded, and a
figure that is missing is shown as "no data".

Usage: report.py RAW OUT
"""
import glob
import os
import re
import statistics
import subprocess
import sys

RAW, OUT = sys.argv[1], sys.argv[2]
# The goals of issue 5 (Documentation/benchmarks.rst): targets, not results.
PAIR_TARGET = 100          # guest instructions, 256 B pair, init_on_alloc=0
RATIO_TARGET = 1.0         # gomem/SLUB time, multi-CPU workloads
MIMALLOC_FACTOR = 1.5      # userspace fast path against mimalloc (callgrind)
# bulk workload (bench/gomem_bench.c): object sizes and objects per call
BULK_SIZES = (64, 256, 1024, 4096)
BULK_COUNTS = (1, 2, 3, 4, 8, 16, 30, 32, 34, 48, 64, 128, 158, 250, 256)
ALLOCS_USER = ["gomem", "glibc", "jemalloc", "tcmalloc", "mimalloc"]


# ---------------------------------------------------------------- input ----

def parse(path, source):
    """The 'bench key=value ...' lines of a file, as dicts."""
    recs = []
    if not os.path.exists(path):
        return recs
    with open(path, errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line.startswith("bench "):
                continue
            d = {"source": source}
            for tok in line.split()[1:]:
                if "=" in tok:
                    k, v = tok.split("=", 1)
                    d[k] = v
            recs.append(d)
    return recs


def lines_with(path, prefix):
    if not os.path.exists(path):
        return []
    with open(path, errors="replace") as f:
        return [l.rstrip("\n")[len(prefix):] for l in f if l.startswith(prefix)]


def read_meta():
    meta = {}
    path = os.path.join(RAW, "meta.env")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    meta[k] = v
    return meta


def val(recs, **kw):
    """The value of the first record matching every key=value given."""
    for r in recs:
        if all(r.get(k) == str(v) for k, v in kw.items()):
            try:
                return float(r["value"])
            except (KeyError, ValueError):
                return None
    return None


def vals(recs, **kw):
    out = []
    for r in recs:
        if all(r.get(k) == str(v) for k, v in kw.items()):
            try:
                out.append(float(r["value"]))
            except (KeyError, ValueError):
                pass
    return out


def fmt(v, d=1):
    if v is None:
        return "no data"
    if isinstance(v, str):
        return v
    if abs(v) >= 1e5:
        return f"{v:,.0f}"
    return f"{v:,.{d}f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_ratio(r):
    return "no data" if r is None else f"{r:.2f}"


def verdict(ok):
    if ok is None:
        return "no data"
    return "**met**" if ok else "**not met**"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(c) for c in r) + " |")
    return "\n".join(out) + "\n"


def mib(b):
    return None if b is None else b / (1 << 20)


# ------------------------------------------------------------- the data ----

meta = read_meta()
REALMOD_FS = ["minix", "vfat", "ext4", "xfs"]


def realmod_boots():
    """One list of result dicts per realmod boot (raw/realmod-N/results.txt,
    scripts/realmod.sh's "fs=... variant=... secs=... mem_kb=..." lines)."""
    boots = []
    for path in sorted(glob.glob(os.path.join(RAW, "realmod-*", "results.txt"))):
        recs = []
        with open(path, errors="replace") as f:
            for line in f:
                if line.startswith("#") or "=" not in line:
                    continue
                recs.append(dict(tok.split("=", 1) for tok in line.split() if "=" in tok))
        boots.append(recs)
    return boots


RM = realmod_boots()


def realmod_vals(fs, variant, key):
    out = []
    for boot in RM:
        for r in boot:
            if r.get("fs") == fs and r.get("variant") == variant:
                try:
                    out.append(float(r[key]))
                except (KeyError, ValueError):
                    pass
    return out


def realmod_median(fs, variant, key):
    v = realmod_vals(fs, variant, key)
    return statistics.median(v) if v else None
K = {0: parse(os.path.join(RAW, "qemu-icount-ioa0.log"), "icount0"),
     1: parse(os.path.join(RAW, "qemu-icount-ioa1.log"), "icount1")}
KD = parse(os.path.join(RAW, "qemu-icount-debug.log"), "icountd")
SMP = []
for path in sorted(glob.glob(os.path.join(RAW, "qemu-smp-*.log"))):
    SMP.append((os.path.basename(path)[9:-4], parse(path, path)))
# userspace: one file per allocator and repetition (user-ALLOC-I.txt)
USER_REPS = {a: [parse(p, a) for p in sorted(glob.glob(os.path.join(RAW, f"user-{a}-*.txt")))]
             for a in ALLOCS_USER}
USER = {a: [r for reps in USER_REPS[a] for r in reps] for a in ALLOCS_USER}


def uval(a, **kw):
    """A userspace figure: the median over the repetitions (one per file)."""
    v = [x for x in (val(recs, **kw) for recs in USER_REPS[a]) if x is not None]
    return statistics.median(v) if v else None
CG_PAIRS = int(meta.get("CG_PAIRS", "1000000"))


def cg_total(alloc, mode):
    path = os.path.join(RAW, f"callgrind-{alloc}-{mode}.out")
    v = lines_with(path, "summary: ")
    return int(v[0]) if v else None


CG = {}
for a in ALLOCS_USER:
    f, e = cg_total(a, "fastpath"), cg_total(a, "empty")
    # a program that died before its loop leaves a summary of 0: no data,
    # not a pair that costs nothing
    CG[a] = None if f is None or e is None or f <= e else (f - e) / CG_PAIRS


def cg_profile(path, pairs, limit=16):
    """Exclusive instructions per pair by function, from callgrind_annotate."""
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path, errors="replace") as f:
        text = f.read()
    m = re.search(r"Ir\s+file:function\n-+\n(.*?)(\n\n|\n-{10})", text, re.S)
    if not m:
        return rows
    for line in m.group(1).splitlines():
        mm = re.match(r"\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(\S+?):(\S+)", line)
        if not mm:
            continue
        ir = int(mm.group(1).replace(",", ""))
        where, func = mm.group(3), mm.group(4)
        where = re.sub(r"^.*?/(gomem|selftests|bench|include)/", r"\1/", where)
        rows.append((func, where, ir / pairs, float(mm.group(2))))
        if len(rows) >= limit:
            break
    return rows


def cg_lines(path, pairs, limit=25):
    """Instructions per pair by source line, from callgrind_annotate --auto=yes
    --context=0: (file:line, instructions, source text), costliest first."""
    rows, cur, line = [], None, None
    if not os.path.exists(path):
        return rows
    with open(path, errors="replace") as f:
        for l in f:
            m = re.match(r"-- Auto-annotated source: (\S+)", l)
            if m:
                cur = re.sub(r"^.*?/(gomem|selftests|bench|include)/", r"\1/", m.group(1))
                continue
            m = re.match(r"-- line (\d+) -", l)
            if m:
                line = int(m.group(1))
                continue
            m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)  (.*)$", l)
            if not m or cur is None or line is None or m.group(2).startswith("=>"):
                continue
            if m.group(2).strip() == "events annotated":
                break
            ir = int(m.group(1).replace(",", "")) / pairs
            if ir >= 0.5 and not cur.startswith("bench/"):
                rows.append((f"{cur}:{line}", ir, m.group(2).strip()))
            line += 1
    rows.sort(key=lambda r: -r[1])
    return rows[:limit]


def smp_ratios(name, metrics=("ns_op",)):
    """gomem/SLUB per round, both from the same round of the same boot (the
    sum of @metrics when there are several)."""
    rs, per_boot = [], []
    for boot, recs in SMP:
        rounds = {}
        for r in recs:
            if r.get("name") == name and r.get("metric") in metrics and r.get("round") != "-":
                d = rounds.setdefault(r["round"], {})
                d[r["alloc"]] = d.get(r["alloc"], 0.0) + float(r["value"])
        b = [v["gomem"] / v["slub"] for v in rounds.values()
             if "gomem" in v and "slub" in v and v["slub"] > 0]
        if b:
            per_boot.append(statistics.median(b))
        rs.extend(b)
    return rs, per_boot


def problems():
    """Errors and kernel log trouble from every QEMU run, and failed steps."""
    out = []
    for path in sorted(glob.glob(os.path.join(RAW, "qemu-*.log"))):
        src = os.path.basename(path)
        recs = parse(path, src)
        for r in recs:
            if r.get("metric") == "error" or r.get("name") == "error":
                out.append(f"{src}: error: " + " ".join(f"{k}={v}" for k, v in r.items()
                                                         if k != "source"))
        for l in lines_with(path, "bench-dmesg: "):
            out.append(f"{src}: kernel log: {l}")
        with open(path, errors="replace") as f:
            text = f.read()
        if "=== gomem bench ===" not in text or "=== end ===" not in text:
            out.append(f"{src}: the guest's results are incomplete (crash, hang or timeout)")
            err = path[:-4] + ".err"
            if os.path.exists(err):
                with open(err, errors="replace") as f:
                    tail = [l.strip() for l in f if l.strip()][-5:]
                out += [f"{src}: qemu.sh: {l}" for l in tail]
        if recs and not any(r.get("name") == "done" for r in recs):
            out.append(f"{src}: the benchmark module did not finish")
    bad = re.compile(r"(BUG:|Oops|Kernel panic|general protection fault|soft lockup|"
                     r"hard LOCKUP|rcu_sched self-detected stall|rcu: INFO|UBSAN:|"
                     r"list_add corruption|list_del corruption|gomem: internal error)")
    for path in sorted(glob.glob(os.path.join(RAW, "*-console.log"))):
        with open(path, errors="replace") as f:
            lines = [l.rstrip() for l in f]
        hits = [i for i, l in enumerate(lines) if bad.search(l)]
        if hits:
            first = hits[0]
            excerpt = "\n".join("      " + l for l in lines[max(0, first - 2):first + 40])
            out.append(f"{os.path.basename(path)}: {len(hits)} kernel error line(s); "
                       f"from the first:\n\n{excerpt}\n")
    for path in sorted(glob.glob(os.path.join(RAW, "realmod-*.log"))):
        with open(path, errors="replace") as f:
            lines = [l.rstrip() for l in f]
        res = [l for l in lines if re.match(r"realmod: \d+ passed, \d+ failed", l)]
        if not res or not res[-1].endswith(" 0 failed"):
            out.append(f"{os.path.basename(path)}: {res[-1] if res else 'no result line'}")
            out += [f"{os.path.basename(path)}: {l}" for l in lines if l.startswith("not ok")][:10]
    for k, v in sorted(meta.items()):
        if k.startswith("STATUS_") and v != "0":
            out.append(f"step {k[7:]} exited with status {v}")
    if meta.get("SOURCE_BEFORE") != meta.get("SOURCE_AFTER"):
        out.append("the sources changed while the modules and the userspace binaries were "
                   "being built: the kernel and userspace figures may be of different versions")
    return out


# --------------------------------------------------------------- goals ----

def goals():
    """(goal, target, gomem, reference, verdict) rows, and the bottleneck notes."""
    rows, notes = [], []
    k0 = K[0]
    # 1. fast path, 256 B, init_on_alloc=0
    for api, label in (("cache", "gomem_cache_alloc+free vs kmem_cache_*"),
                       ("kmalloc", "gomem_kmalloc+kfree vs kmalloc+kfree")):
        g = val(k0, name="pair", api=api, size=256, alloc="gomem", metric="pair")
        s = val(k0, name="pair", api=api, size=256, alloc="slub", metric="pair")
        ok = None if g is None or s is None else (g <= PAIR_TARGET and g < s)
        rows.append((f"Fast-path pair, 256 B, init_on_alloc=0 ({label}), guest instructions",
                     f"gomem <= {PAIR_TARGET} and < SLUB", fmt(g), f"SLUB {fmt(s)}", verdict(ok)))
        if ok is False:
            ga = val(k0, name="pair", api=api, size=256, alloc="gomem", metric="alloc")
            gf = val(k0, name="pair", api=api, size=256, alloc="gomem", metric="free")
            sa = val(k0, name="pair", api=api, size=256, alloc="slub", metric="alloc")
            sf = val(k0, name="pair", api=api, size=256, alloc="slub", metric="free")
            notes.append(f"Fast path ({api} API): gomem alloc {fmt(ga)} + free {fmt(gf)} "
                         f"instructions against SLUB's {fmt(sa)} + {fmt(sf)}; "
                         f"the userspace profile below shows where gomem's go.")
    # 2. mixed
    g = val(k0, name="mixed", alloc="gomem", metric="op")
    s = val(k0, name="mixed", alloc="slub", metric="op")
    ok = None if g is None or s is None else g < s
    rows.append(("Mixed kmalloc workload, instructions per operation (init_on_alloc=0)",
                 "gomem < SLUB", fmt(g), f"SLUB {fmt(s)}", verdict(ok)))
    if ok is False:
        notes.append("Mixed: gomem alloc {} / free {} against SLUB {} / {} instructions.".format(
            fmt(val(k0, name="mixed", alloc="gomem", metric="alloc")),
            fmt(val(k0, name="mixed", alloc="gomem", metric="free")),
            fmt(val(k0, name="mixed", alloc="slub", metric="alloc")),
            fmt(val(k0, name="mixed", alloc="slub", metric="free"))))
    # 3. N then N (steady state, kmalloc API)
    ns = sorted({int(r["n"]) for r in k0 if r.get("name") == "nn"})
    for n in ns:
        g = val(k0, name="nn", api="kmalloc", n=n, alloc="gomem", metric="op")
        s = val(k0, name="nn", api="kmalloc", n=n, alloc="slub", metric="op")
        ok = None if g is None or s is None else g < s
        rows.append((f"Allocate N then free N, N = {n:,}, 256 B kmalloc, instructions per operation "
                     "(init_on_alloc=0, steady state)", "gomem < SLUB", fmt(g), f"SLUB {fmt(s)}",
                     verdict(ok)))
        if ok is False:
            notes.append("N = {:,}: gomem alloc {} / free {} against SLUB {} / {} instructions "
                         "per operation.".format(
                             n, fmt(val(k0, name="nn", api="kmalloc", n=n, alloc="gomem",
                                        metric="alloc")),
                             fmt(val(k0, name="nn", api="kmalloc", n=n, alloc="gomem",
                                     metric="free")),
                             fmt(val(k0, name="nn", api="kmalloc", n=n, alloc="slub",
                                     metric="alloc")),
                             fmt(val(k0, name="nn", api="kmalloc", n=n, alloc="slub",
                                     metric="free"))))
    if not ns:
        rows.append(("Allocate N then free N", "gomem < SLUB", "no data", "no data",
                     verdict(None)))
    # 4-5. multi-CPU
    for name, label in (("xcpu", "Cross-CPU free (same node)"),
                        ("xnode", "Cross-CPU free (other node)"),
                        ("churn", "All-CPU churn")):
        rs, per_boot = smp_ratios(name)
        med = statistics.median(rs) if rs else None
        ok = None if med is None else med <= RATIO_TARGET
        rows.append((f"{label}, gomem/SLUB time, QEMU -smp 4 (median of {len(rs)} paired rounds, "
                     f"{len(per_boot)} boots)", f"<= {RATIO_TARGET:.1f}", fmt_ratio(med),
                     "SLUB 1.00", verdict(ok)))
        if ok is False:
            calls = ""
            if name != "churn":
                ra, _ = smp_ratios(name, ("alloc_call",))
                rf, _ = smp_ratios(name, ("free_call",))
                if ra and rf:
                    calls = (f" Time inside the calls, gomem/SLUB: allocations "
                             f"{statistics.median(ra):.2f}, frees {statistics.median(rf):.2f}.")
            notes.append(f"{label}: gomem/SLUB median {med:.2f} (interquartile "
                         f"{statistics.quantiles(rs, n=4)[0]:.2f} to "
                         f"{statistics.quantiles(rs, n=4)[2]:.2f}).{calls} No profile is "
                         "taken in the guest (TCG); the userspace profiles of gomem's "
                         "cross-thread free and churn below run the same code.")
    # 6. memory
    for point, label in (("peak", "at the peak"), ("after", "after 90 % of the objects are freed")):
        g = val(k0, name="mem", alloc="gomem", metric=f"{point}_held")
        gr = val(k0, name="mem", alloc="gomem", metric=f"{point}_requested")
        s = val(k0, name="mem", alloc="slub", metric=f"{point}_held")
        sr = val(k0, name="mem", alloc="slub", metric=f"{point}_requested")
        gp, sp = ratio(g, gr), ratio(s, sr)
        ok = None if gp is None or sp is None else gp <= sp
        rows.append((f"Memory held per byte requested, mixed workload, {label}", "gomem <= SLUB",
                     fmt(gp, 2), f"SLUB {fmt(sp, 2)}", verdict(ok)))
        if ok is False:
            gh = val(k0, name="mem", alloc="gomem", metric=f"{point}_gomem_held")
            notes.append(f"Memory {label}: gomem holds {fmt(mib(g))} MiB for {fmt(mib(gr))} MiB "
                         f"requested (its own count: {fmt(mib(gh))} MiB held), SLUB "
                         f"{fmt(mib(s))} MiB.")
    # 7. bulk API: per object, every count and object size, both init_on_alloc
    for ioa, k in K.items():
        cells, worse = 0, []
        for osz in BULK_SIZES:
            for n in BULK_COUNTS:
                g = val(k, name=f"bulk-{osz}", size=n, alloc="gomem", metric="pair")
                s = val(k, name=f"bulk-{osz}", size=n, alloc="slub", metric="pair")
                if g is None or s is None:
                    continue
                cells += 1
                if g > s:
                    worse.append(f"{osz} B x {n}: {fmt(g)} vs {fmt(s)}")
        ok = None if not cells else not worse
        rows.append((f"Bulk alloc+free per object, {len(BULK_COUNTS)} counts 1 to 256 x "
                     f"{len(BULK_SIZES)} object sizes {BULK_SIZES[0]} B to {BULK_SIZES[-1]} B, "
                     f"init_on_alloc={ioa}", "gomem <= SLUB in every cell",
                     f"{cells - len(worse)} of {cells} cells" if cells else "no data",
                     "SLUB", verdict(ok)))
        if ok is False:
            notes.append(f"Bulk, init_on_alloc={ioa}: gomem above SLUB in {len(worse)} cells "
                         f"(gomem vs SLUB per object): " + "; ".join(worse) + ".")
    # 8. real filesystems (issue 12): workload time and memory against
    # Debian's own module, medians over the realmod boots
    for fs in REALMOD_FS:
        gt, st = realmod_median(fs, "gomem", "secs"), realmod_median(fs, "stock", "secs")
        gm, sm = realmod_median(fs, "gomem", "mem_kb"), realmod_median(fs, "stock", "mem_kb")
        n = len(realmod_vals(fs, "gomem", "secs"))
        rt = ratio(gt, st)
        rows.append((f"{fs} workload (make realmod), gomem/stock time, median of {n} boots",
                     f"<= {RATIO_TARGET:.1f}", fmt_ratio(rt),
                     f"stock {fmt(st, 2)}, gomem {fmt(gt, 2)} (s)",
                     verdict(None if rt is None else rt <= RATIO_TARGET)))
        rows.append((f"{fs} workload, memory (Slab + gomem held, KiB), median of {n} boots",
                     "gomem <= stock", fmt(gm, 0), f"stock {fmt(sm, 0)}",
                     verdict(None if gm is None or sm is None else gm <= sm)))
        if rt is not None and rt > RATIO_TARGET:
            notes.append(f"{fs}: gomem's module takes {rt:.2f}x the stock module's time "
                         f"({fmt(gt, 2)} s against {fmt(st, 2)} s, medians).")
        if gm is not None and sm is not None and gm > sm:
            notes.append(f"{fs}: gomem's module uses {fmt(gm - sm, 0)} KiB more than the "
                         f"stock one ({100 * (gm / sm - 1):.1f} %); its caches' slots in "
                         "/proc/gomem (slot_size against object_size) say where.")
    # 9. userspace fast path
    g, m = CG.get("gomem"), CG.get("mimalloc")
    ok = None if g is None or m is None else g <= MIMALLOC_FACTOR * m
    rows.append(("Userspace fast path (256 B malloc+free), callgrind instructions per pair",
                 f"gomem <= {MIMALLOC_FACTOR} x mimalloc", fmt(g),
                 f"mimalloc {fmt(m)} (x{fmt_ratio(ratio(g, m))})", verdict(ok)))
    if ok is False:
        notes.append(f"Userspace fast path: gomem {fmt(g)} instructions per pair, "
                     f"{fmt_ratio(ratio(g, m))}x mimalloc's {fmt(m)}; per function below.")
    return rows, notes


# --------------------------------------------------------------- plots ----

def write_dat(name, header, rows):
    with open(os.path.join(OUT, name), "w") as f:
        f.write("# " + " ".join(header) + "\n")
        for r in rows:
            f.write(" ".join("NaN" if c is None else str(c) for c in r) + "\n")


def plots():
    made = []
    script = ["set terminal pngcairo noenhanced size 900,540 font ',10'", "set grid",
              "set key top left", "set datafile missing 'NaN'"]
    # 1. instructions per pair against size
    for ioa in (0, 1):
        rows = []
        for size in (8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096):
            rows.append((size,) + tuple(val(K[ioa], name="pair", api=api, size=size, alloc=a,
                                            metric="pair")
                                        for api in ("cache", "kmalloc")
                                        for a in ("gomem", "slub")))
        if any(c is not None for r in rows for c in r[1:]):
            write_dat(f"pair-ioa{ioa}.dat", ("size", "cache_gomem", "cache_slub",
                                             "kmalloc_gomem", "kmalloc_slub"), rows)
            script += [f"set output '{OUT}/pair-ioa{ioa}.png'",
                       f"set title 'alloc+free pair, guest instructions (QEMU icount), "
                       f"init_on_alloc={ioa}'",
                       "set logscale x 2", "set xlabel 'object size (bytes)'",
                       "set ylabel 'instructions per pair'", "set yrange [0:*]",
                       "set key bottom right box opaque",
                       f"plot '{OUT}/pair-ioa{ioa}.dat' u 1:2 w lp lw 2 t 'gomem cache', "
                       "'' u 1:3 w lp lw 2 t 'SLUB kmem_cache', "
                       "'' u 1:4 w lp lw 2 dt 2 t 'gomem_kmalloc', "
                       "'' u 1:5 w lp lw 2 dt 2 t 'kmalloc'",
                       "unset logscale x", "unset xlabel", "set key top left nobox"]
            made.append((f"pair-ioa{ioa}.png",
                         f"Instructions per alloc+free pair against object size, init_on_alloc={ioa}"))
    # 2. gomem/SLUB instruction ratios of the single-CPU workloads
    rows = []
    labels = []
    for label, kw in (("pair 256 cache", dict(name="pair", api="cache", size=256, metric="pair")),
                      ("pair 256 kmalloc", dict(name="pair", api="kmalloc", size=256, metric="pair")),
                      ("mixed", dict(name="mixed", metric="op")),
                      ("nn 100", dict(name="nn", api="kmalloc", n=100, metric="op")),
                      ("nn 10k", dict(name="nn", api="kmalloc", n=10000, metric="op")),
                      ("nn 1M", dict(name="nn", api="kmalloc", n=1000000, metric="op")),
                      ("bulk 16", dict(name="bulk-256", size=16, metric="pair")),
                      ("large 1M", dict(name="large", size=1048576, metric="pair"))):
        r0 = ratio(val(K[0], alloc="gomem", **kw), val(K[0], alloc="slub", **kw))
        r1 = ratio(val(K[1], alloc="gomem", **kw), val(K[1], alloc="slub", **kw))
        rows.append((len(labels), f'"{label}"', r0, r1))
        labels.append(label)
    if any(r[2] is not None or r[3] is not None for r in rows):
        write_dat("kernel-ratios.dat", ("i", "workload", "ioa0", "ioa1"), rows)
        script += [f"set output '{OUT}/kernel-ratios.png'",
                   "set title 'gomem/SLUB guest instructions (QEMU icount); below 1: gomem cheaper'",
                   "set style data histograms", "set style histogram clustered gap 1",
                   "set style fill solid 0.8 border -1", "set boxwidth 0.9",
                   "set xtics rotate by -30", "set ylabel 'gomem / SLUB'", "set yrange [0:*]",
                   "set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lw 2 dt 2",
                   f"plot '{OUT}/kernel-ratios.dat' u 3:xtic(2) t 'init_on_alloc=0', "
                   "'' u 4 t 'init_on_alloc=1'",
                   "unset arrow 1", "unset style", "set style data lines", "set xtics norotate"]
        made.append(("kernel-ratios.png", "gomem/SLUB instruction ratios, single-CPU workloads"))
    # 3. multi-CPU ratios
    rows, points = [], []
    for i, name in enumerate(("xcpu", "xnode", "churn")):
        rs, _ = smp_ratios(name)
        if len(rs) >= 2:
            q = statistics.quantiles(rs, n=4, method="inclusive")
            rows.append((i, name, statistics.median(rs), q[0], q[2]))
            points += [(i + 0.3 * ((j % 7) - 3) / 3, r) for j, r in enumerate(rs)]
    if rows:
        write_dat("smp-ratios.dat", ("i", "workload", "median", "q1", "q3"), rows)
        write_dat("smp-rounds.dat", ("x", "ratio"), points)
        script += [f"set output '{OUT}/smp-ratios.png'",
                   "set title 'gomem/SLUB time, QEMU -smp 4: median (bar), quartiles (whiskers), "
                   "every round (dots)'",
                   "set style fill solid 0.5 border -1", "set boxwidth 0.7",
                   "set ylabel 'gomem / SLUB'", "set yrange [0:*]", "set xrange [-0.6:2.6]",
                   "set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lw 2 dt 2",
                   f"plot '{OUT}/smp-ratios.dat' u 1:3:xtic(2) w boxes t 'median', "
                   "'' u 1:3:4:5 w yerrorbars lw 2 t 'quartiles', "
                   f"'{OUT}/smp-rounds.dat' u 1:2 w p pt 7 ps 0.6 t 'rounds'",
                   "unset arrow 1", "set xrange [*:*]", "set autoscale x"]
        made.append(("smp-ratios.png", "gomem/SLUB time ratios of the multi-CPU workloads"))
    # 4. userspace, ratio to glibc
    wl = user_workloads()
    rows = []
    for i, (label, kw) in enumerate(wl):
        base = uval("glibc", **kw)
        rows.append((i, f'"{label}"') + tuple(ratio(uval(a, **kw), base) for a in ALLOCS_USER))
    if any(c is not None for r in rows for c in r[2:]):
        write_dat("user-ratios.dat", ("i", "workload") + tuple(ALLOCS_USER), rows)
        cols = ", ".join(f"'' u {3 + j} t '{a}'" for j, a in enumerate(ALLOCS_USER))
        cols = cols.replace("''", f"'{OUT}/user-ratios.dat'", 1).replace("u 3 ", "u 3:xtic(2) ", 1)
        script += [f"set output '{OUT}/user-ratios.png'",
                   "set title 'userspace time per operation relative to glibc malloc (this machine)'",
                   "set style data histograms", "set style histogram clustered gap 1",
                   "set style fill solid 0.8 border -1", "set boxwidth 0.9",
                   "set xtics rotate by -30", "set ylabel 'time / glibc time'", "set yrange [0:*]",
                   "set key top right",
                   "set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lw 2 dt 2",
                   "plot " + cols, "unset arrow 1", "set key top left", "set xtics norotate"]
        made.append(("user-ratios.png", "Userspace: time per operation relative to glibc"))
    # 5. callgrind
    rows = [(i, a, CG[a]) for i, a in enumerate(ALLOCS_USER) if CG.get(a) is not None]
    if rows:
        write_dat("callgrind.dat", ("i", "allocator", "instructions"), rows)
        script += [f"set output '{OUT}/callgrind.png'",
                   "set title 'userspace fast path: instructions per 256 B malloc+free pair (callgrind)'",
                   "set style fill solid 0.7 border -1", "set boxwidth 0.6",
                   "set ylabel 'instructions per pair'", "set yrange [0:*]",
                   "set xrange [-0.6:%g]" % (len(rows) - 0.4),
                   f"plot '{OUT}/callgrind.dat' u 1:3:xtic(2) w boxes notitle, "
                   "'' u 1:3:(sprintf('%.0f', $3)) w labels offset 0,1 notitle"]
        made.append(("callgrind.png", "Userspace fast path, callgrind instructions per pair"))
    path = os.path.join(OUT, "plots.gp")
    with open(path, "w") as f:
        f.write("\n".join(script) + "\n")
    try:
        subprocess.run(["gnuplot", path], check=True, capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as e:
        err = getattr(e, "stderr", b"") or b""
        sys.stderr.write(f"report: gnuplot failed: {e} {err.decode(errors='replace')}\n")
    return [(png, cap) for png, cap in made if os.path.exists(os.path.join(OUT, png))]


def user_workloads():
    wl = [("pair 8", dict(name="pair", size=8, metric="pair")),
          ("pair 256", dict(name="pair", size=256, metric="pair")),
          ("pair 4096", dict(name="pair", size=4096, metric="pair")),
          ("nn 100", dict(name="nn", n=100, metric="op")),
          ("nn 10k", dict(name="nn", n=10000, metric="op")),
          ("nn 1M", dict(name="nn", n=1000000, metric="op")),
          ("mixed", dict(name="mixed", metric="op")),
          ("xthread", dict(name="xthread", round="-", metric="ns_op")),
          ("churn 1T", dict(name="churn", threads=1, metric="ns_op"))]
    nt = sorted({int(r["threads"]) for a in ALLOCS_USER for r in USER[a]
                 if r.get("name") == "churn" and "threads" in r})
    for t in nt:
        if t > 1:
            wl.append((f"churn {t}T", dict(name="churn", threads=t, metric="ns_op")))
    return wl


# -------------------------------------------------------------- report ----

def kernel_sections():
    s = []
    for ioa in (0, 1):
        k = K[ioa]
        s.append(f"\n### init_on_alloc={ioa}\n")
        if not k:
            s.append("No data (the run failed; see Problems).\n")
            continue
        info = next((r for r in k if r.get("name") == "info"), {})
        s.append(f"Guest: {info.get('cpus', '?')} CPU, figures are guest instructions per "
                 f"operation (QEMU `-icount shift=0,sleep=off`), medians of {info.get('rounds', '?')} "
                 "rounds, with the harness's own cost (a null allocator through the same loop) "
                 "subtracted.\n")
        rows = []
        for size in (8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096):
            r = [size]
            for api in ("cache", "kmalloc"):
                g = val(k, name="pair", api=api, size=size, alloc="gomem", metric="pair")
                sl = val(k, name="pair", api=api, size=size, alloc="slub", metric="pair")
                ga = val(k, name="pair", api=api, size=size, alloc="gomem", metric="alloc")
                gf = val(k, name="pair", api=api, size=size, alloc="gomem", metric="free")
                sa = val(k, name="pair", api=api, size=size, alloc="slub", metric="alloc")
                sf = val(k, name="pair", api=api, size=size, alloc="slub", metric="free")
                r += [f"{fmt(g, 0)} ({fmt(ga, 0)}+{fmt(gf, 0)})",
                      f"{fmt(sl, 0)} ({fmt(sa, 0)}+{fmt(sf, 0)})", fmt_ratio(ratio(g, sl))]
            rows.append(r)
        s.append("\n**(a) alloc+free pairs, hot reuse** — instructions per pair (alloc+free):\n\n")
        s.append(table(["size", "gomem cache", "SLUB kmem_cache", "ratio", "gomem_kmalloc",
                        "kmalloc", "ratio"], rows))
        rows = []
        for name in ("nn", "nn_cold"):
            for api in ("cache", "kmalloc"):
                for n in sorted({int(r["n"]) for r in k if r.get("name") == name}):
                    g = [val(k, name=name, api=api, n=n, alloc="gomem", metric=m)
                         for m in ("alloc", "free", "op")]
                    sl = [val(k, name=name, api=api, n=n, alloc="slub", metric=m)
                          for m in ("alloc", "free", "op")]
                    if g[2] is None and sl[2] is None:
                        continue
                    rows.append([f"{n:,}", api, "steady" if name == "nn" else "cold",
                                 fmt(g[0]), fmt(g[1]), fmt(g[2]), fmt(sl[0]), fmt(sl[1]),
                                 fmt(sl[2]), fmt_ratio(ratio(g[2], sl[2]))])
        s.append("\n**(b) allocate N, then free N** (256 B; steady: after a warm-up round; cold: "
                 "both allocators shrunk before every round) — instructions per operation:\n\n")
        s.append(table(["N", "API", "state", "gomem alloc", "gomem free", "gomem op",
                        "SLUB alloc", "SLUB free", "SLUB op", "ratio"], rows))
        g = [val(k, name="mixed", alloc="gomem", metric=m) for m in ("alloc", "free", "op")]
        sl = [val(k, name="mixed", alloc="slub", metric=m) for m in ("alloc", "free", "op")]
        n = next((r["n"] for r in k if r.get("name") == "mixed"), "?")
        s.append(f"\n**(c) mixed kmalloc sizes with lifetimes** ({int(n):,} allocations, "
                 "the same PRNG sequence for both) — instructions per operation:\n\n"
                 if n != "?" else "\n**(c) mixed** — no data\n\n")
        s.append(table(["allocator", "alloc", "free", "per operation"],
                       [["gomem"] + [fmt(x) for x in g], ["SLUB"] + [fmt(x) for x in sl],
                        ["gomem/SLUB"] + [fmt_ratio(ratio(a, b)) for a, b in zip(g, sl)]]))
        for osz in BULK_SIZES:
            rows = []
            for n in BULK_COUNTS:
                g = [val(k, name=f"bulk-{osz}", size=n, alloc="gomem", metric=m)
                     for m in ("alloc", "free")]
                sl = [val(k, name=f"bulk-{osz}", size=n, alloc="slub", metric=m)
                      for m in ("alloc", "free")]
                gp = None if None in g else g[0] + g[1]
                sp = None if None in sl else sl[0] + sl[1]
                rows.append([n, fmt(g[0]), fmt(g[1]), fmt(sl[0]), fmt(sl[1]),
                             fmt_ratio(ratio(gp, sp))])
            s.append(f"\n**(d) bulk API** ({osz} B objects) — instructions per object:\n\n")
            s.append(table(["objects per call", "gomem alloc", "gomem free", "SLUB alloc",
                            "SLUB free", "ratio (alloc+free)"], rows))
        rows = []
        for sh in range(16, 23):
            size = 1 << sh
            g = val(k, name="large", size=size, alloc="gomem", metric="pair")
            sl = val(k, name="large", size=size, alloc="slub", metric="pair")
            ga = val(k, name="large", size=size, alloc="gomem", metric="free")
            sa = val(k, name="large", size=size, alloc="slub", metric="free")
            rows.append([f"{size >> 10} KiB", fmt(g, 0), fmt(ga, 0), fmt(sl, 0), fmt(sa, 0),
                         fmt_ratio(ratio(g, sl))])
        s.append("\n**(g) large objects** (gomem's page heap against kmalloc's page allocator) "
                 "— instructions per pair, and of it the free:\n\n")
        s.append(table(["size", "gomem pair", "gomem free", "SLUB pair", "SLUB free", "ratio"],
                       rows))
    g = [val(KD, name="debugpair", alloc="gomem", metric=m) for m in ("alloc", "free", "pair")]
    sl = [val(KD, name="debugpair", alloc="slub", metric=m) for m in ("alloc", "free", "pair")]
    s.append("\n### Debug caches\n\n256 B objects with red zones, poison, owners and "
             "consistency checks: gomem's GOMEM_DEBUG_FLAGS against SLUB's cache with "
             "`slub_debug=FZPU,bench_slub_dbg`, in one boot of their own (init_on_alloc=0) — "
             "instructions per operation, hot alloc+free pairs:\n\n")
    s.append(table(["allocator", "alloc", "free", "pair"],
                   [["gomem (debug cache)"] + [fmt(x, 0) for x in g],
                    ["SLUB (slub_debug=FZPU)"] + [fmt(x, 0) for x in sl],
                    ["gomem/SLUB"] + [fmt_ratio(ratio(a, b)) for a, b in zip(g, sl)]]))
    return "".join(s)


def memory_section():
    k = K[0]
    s = ["\n## Memory efficiency (mixed workload, init_on_alloc=0 run)\n\n",
         "Bytes taken from the page allocator (free pages before minus now, counting the "
         "per-CPU page lists as free) per byte the workload asked for. Peak: after "
         "the growth phase; after frees: 90 % of the objects freed, both allocators shrunk; end: "
         "everything freed and shrunk (what stays held).\n\n"]
    rows = []
    for point in ("peak", "after", "end"):
        gr = val(k, name="mem", alloc="gomem", metric=f"{point}_requested")
        g = val(k, name="mem", alloc="gomem", metric=f"{point}_held")
        sl = val(k, name="mem", alloc="slub", metric=f"{point}_held")
        gh = val(k, name="mem", alloc="gomem", metric=f"{point}_gomem_held")
        objs = next((r["n"] for r in k if r.get("name") == "mem" and
                     r.get("metric") == f"{point}_requested"), "?")
        rows.append([point, objs, fmt(mib(gr), 2), fmt(mib(g), 2), fmt(mib(gh), 2),
                     fmt(mib(sl), 2),
                     fmt(ratio(g, gr), 2) if point != "end" else "-",
                     fmt(ratio(sl, gr), 2) if point != "end" else "-"])
    s.append(table(["point", "live objects", "requested MiB", "gomem held MiB",
                    "(gomem's own count)", "SLUB held MiB", "gomem per byte", "SLUB per byte"],
                   rows))
    s.append("\n**Tiny allocator, short strings** (2 to 24 bytes, all live at once): "
             "gomem_kmalloc_noscan() packs those under 16 bytes into 16-byte blocks "
             "(Go reports about 12 % fewer allocations and 20 % smaller heaps from it).\n\n")
    rows = []
    base = {}
    for api, a, label in (("kmalloc", "gomem", "gomem_kmalloc"), ("noscan", "gomem",
                                                                  "gomem_kmalloc_noscan"),
                          ("kmalloc", "slub", "kmalloc (reference)")):
        m = {x: val(k, name="tiny", api=api, alloc=a, metric=x)
             for x in ("span_allocs", "heap", "span_bytes", "held", "requested", "alloc", "free")}
        if label == "gomem_kmalloc":
            base = m
        rows.append([label, fmt(m["span_allocs"], 0), fmt(m["heap"], 0),
                     fmt(m["span_bytes"], 0) if a == "gomem" else "-",
                     fmt(m["held"], 0), fmt(m["alloc"]), fmt(m["free"])])
    s.append(table(["", "span-layer allocations", "heap bytes (slots in use)",
                    "span bytes in use", "held from the page allocator", "alloc instr",
                    "free instr"], rows))
    nsc = {x: val(k, name="tiny", api="noscan", alloc="gomem", metric=x)
           for x in ("span_allocs", "heap", "span_bytes")}
    red = []
    for x, label in (("span_allocs", "span-layer allocations"), ("heap", "heap bytes"),
                     ("span_bytes", "span bytes")):
        r = ratio(nsc[x], base.get(x))
        if r is not None:
            red.append(f"{label} {100 * (1 - r):.1f} % fewer")
    if red:
        s.append("\nTiny packing against gomem_kmalloc: " + ", ".join(red) + ".\n")
    return "".join(s)


def realmod_section():
    s = ["\n## Real filesystems: make realmod (issue 12)\n\n",
         "minix, vfat, ext4 (+ jbd2, mbcache) and xfs from linux-source-6.1 rebuilt on gomem "
         "with one Kbuild line, against Debian's stock modules, in the same boot "
         "(scripts/realmod.sh; QEMU -smp 1 -icount shift=0, TCG: the guest's clock advances "
         "1 ns per guest instruction, so a time is an instruction count and a boot's "
         "ratios do not depend on the host's load). Time: the workload's own clock "
         "(creates, stats, links, renames, symlinks, xattrs, truncates, unlinks, directory "
         "reads, a copy of the initramfs's binaries, sync). Memory: /proc/meminfo Slab plus "
         "gomem's held_bytes, grown from before the modules were loaded to the end of the "
         f"workload (still mounted). Medians over {len(RM)} boots; per-boot gomem/stock "
         "time ratios beside them.\n\n"]
    rows = []
    for fs in REALMOD_FS:
        st, gt = realmod_median(fs, "stock", "secs"), realmod_median(fs, "gomem", "secs")
        sm, gm = realmod_median(fs, "stock", "mem_kb"), realmod_median(fs, "gomem", "mem_kb")
        per = []
        for boot in RM:
            t = {r.get("variant"): r.get("secs") for r in boot if r.get("fs") == fs}
            try:
                per.append(f"{float(t['gomem']) / float(t['stock']):.2f}")
            except (KeyError, TypeError, ValueError, ZeroDivisionError):
                per.append("-")
        gu = realmod_median(fs, "gomem", "gomem_inuse_kb")
        gsl = realmod_median(fs, "gomem", "slab_kb")
        gin = None if gu is None or gsl is None else gu + gsl
        rows.append([fs, fmt(st, 2), fmt(gt, 2), fmt_ratio(ratio(gt, st)), fmt(sm, 0),
                     fmt(gm, 0), fmt_ratio(ratio(gm, sm)), fmt(gin, 0),
                     fmt_ratio(ratio(gin, sm)), ", ".join(per)])
    s.append(table(["filesystem", "stock s", "gomem s", "time gomem/stock", "stock KiB",
                    "gomem KiB", "memory gomem/stock", "gomem in use KiB",
                    "in use gomem/stock", "per-boot time ratios"], rows))
    s.append("\ngomem KiB is Slab plus gomem's held bytes: besides the objects' spans it "
             "holds free pages it keeps for reuse (the page heap's, given back by the "
             "scavenger and under memory pressure). In use counts Slab plus gomem's spans "
             "in use: what the module's objects take, against SLUB's slabs (which hold "
             "their own free objects too).\n")
    return "".join(s)


def smp_section():
    s = ["\n## Multi-CPU workloads (QEMU -smp 4, multi-threaded TCG)\n\n",
         "Ratios only: gomem's wall time over SLUB's from the same round of the same boot "
         "(the two run back to back, alternating which goes first); medians over every "
         "round of every boot. TCG's timings are not a machine's: read them as relative.\n\n"]
    rows = []
    for name, label in (("xcpu", "cross-CPU free, same node (CPU 0 allocates, CPU 1 frees)"),
                        ("xnode", "cross-CPU free, other node (CPU 0 allocates, CPU 2 frees)"),
                        ("churn", "every CPU churning mixed sizes")):
        rs, per_boot = smp_ratios(name)
        if rs:
            q = statistics.quantiles(rs, n=4) if len(rs) >= 4 else [min(rs), 0, max(rs)]
            rows.append([label, f"{statistics.median(rs):.2f}", f"{q[0]:.2f} .. {q[2]:.2f}",
                         f"{min(rs):.2f} .. {max(rs):.2f}", len(rs),
                         ", ".join(f"{b:.2f}" for b in per_boot)])
        else:
            rows.append([label, "no data", "", "", 0, ""])
    s.append(table(["workload", "gomem/SLUB median", "interquartile", "min .. max", "rounds",
                    "per-boot medians"], rows))
    rows = []
    for name in ("xcpu", "xnode"):
        r = [name]
        for metrics in (("alloc_call",), ("free_call",), ("alloc_call", "free_call")):
            rs, _ = smp_ratios(name, metrics)
            r.append(f"{statistics.median(rs):.2f}" if rs else "no data")
        rows.append(r)
    if any(c != "no data" for r in rows for c in r[1:]):
        s.append("\nIn the cross-CPU runs both CPUs also time each of their calls (TSC): the "
                 "producer's allocations and the consumer's frees, without the calls a host "
                 "preemption stretched fifty-fold. Their gomem/SLUB ratios (medians over the "
                 "same rounds) show which side costs what, free of the waiting that the "
                 "wall time includes:\n\n")
        s.append(table(["workload", "allocations (CPU A)", "frees (CPU B)", "both"], rows))
    return "".join(s)


def user_section():
    s = ["\n## Userspace (this machine, native)\n\n",
         f"gomem's core built for userspace over the test shim (`-O2 -DNDEBUG`, no sanitizers; "
         "see bench/user/gomem_glue.c for the two shim functions the benchmark build "
         "replaces) against glibc malloc, jemalloc, tcmalloc (minimal) and mimalloc, the "
         "Debian packages. Nanoseconds per operation on this machine "
         f"({meta.get('NPROC', '?')} CPUs, {meta.get('CPU', '?')}), medians of "
         f"{meta.get('BENCH_REPS', '?')} repetitions (every allocator in turn, then again), "
         "with the same loop through a null allocator subtracted for pair, nn and mixed; "
         "xthread and churn are wall time per object, their harness included (the same for "
         "every allocator). In brackets the ratio to glibc.\n\n"]
    rows = []
    for label, kw in user_workloads():
        base = uval("glibc", **kw)
        r = [label]
        for a in ALLOCS_USER:
            v = uval(a, **kw)
            r.append(f"{fmt(v, 1)} ({fmt_ratio(ratio(v, base))})" if v is not None else "no data")
        rows.append(r)
    s.append(table(["workload (ns/op)"] + ALLOCS_USER, rows))
    s.append("\n**Fast path under callgrind**: instructions per 256 B alloc+free pair "
             f"({CG_PAIRS:,} pairs after a warm-up, minus the same loop without the allocator).\n\n")
    rows = [[a, fmt(CG.get(a)), fmt_ratio(ratio(CG.get(a), CG.get("mimalloc")))]
            for a in ALLOCS_USER]
    s.append(table(["allocator", "instructions per pair", "x mimalloc"], rows))
    prof = cg_profile(os.path.join(RAW, "callgrind-gomem-annotate.txt"), CG_PAIRS)
    if prof:
        s.append("\n**Where gomem's fast-path instructions go** (callgrind, exclusive "
                 "instructions per pair by function; inlined code is charged to the function "
                 "it was inlined into, `file:` names the source of the inlined lines):\n\n")
        s.append(table(["function", "source", "instructions per pair", "share"],
                       [[f"`{f}`", w, f"{v:.1f}", f"{p:.1f} %"] for f, w, v, p in prof]))
        hot = cg_lines(os.path.join(RAW, "callgrind-gomem-lines.txt"), CG_PAIRS)
        if hot:
            s.append("\n**The costliest source lines of gomem's fast path** (callgrind, "
                     "instructions per pair; a function's `{` and `}` lines are its prologue "
                     "and epilogue: register saves and restores):\n\n")
            s.append(table(["line", "instructions per pair", "source"],
                           [[w, f"{v:.1f}", "`" + t.replace("|", "\\|")[:90] + "`"]
                            for w, v, t in hot]))
        shim = sum(v for f, w, v, p in prof if w.startswith("selftests/"))
        if shim:
            s.append(f"\nOf these, {shim:.1f} per pair are the test shim's (`selftests/host/shim`: "
                     "CPU-slot lookups, a thread-local load and a sign test where the kernel has "
                     "one segment-relative add).\n")
    for wl, label in (("xthread", "cross-thread free"), ("churn", "all-thread churn"),
                      ("nn", "allocate N, free N")):
        prof = perf_profile(os.path.join(RAW, f"perf-gomem-{wl}.txt"))
        if prof:
            s.append(f"\n**gomem, {label}: where the time goes** (`perf record`, userspace, "
                     "share of samples by symbol, top entries; `[k]` is the host kernel, "
                     "e.g. page faults on memory fresh from mmap()):\n\n")
            s.append(table(["symbol", "share"], [[f"`{sym}`", f"{p:.1f} %"] for sym, p in prof]))
    return "".join(s)


def perf_profile(path, limit=12):
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path, errors="replace") as f:
        for line in f:
            m = re.match(r"\s*([\d.]+)%\s+(\[[.k]\])\s+(\S.*?)\s*$", line)
            if m:
                rows.append((f"{m.group(2)} {m.group(3)}", float(m.group(1))))
                if len(rows) >= limit:
                    break
    return rows


def main():
    os.makedirs(OUT, exist_ok=True)
    grows, notes = goals()
    pngs = plots()
    probs = problems()
    head = [f"- Date: {meta.get('DATE', '?')}",
            f"- Command: `{meta.get('COMMAND', '?')}` (total {meta.get('TOTAL_SECS', '?')} s)",
            f"- Source: {meta.get('GIT', '?')}",
            f"- Machine: {meta.get('NPROC', '?')} CPUs, {meta.get('CPU', '?')}, "
            f"{meta.get('MEM', '?')}; host kernel {meta.get('HOST_KERNEL', '?')}; "
            f"load average {meta.get('LOAD_START', '?')} at the start, "
            f"{meta.get('LOAD_END', '?')} at the end",
            f"- Modules loaded in every boot: {meta.get('MODULES', '?')} (sha256, built once "
            "for this run)",
            f"- Guest kernel: {meta.get('GUEST_KERNEL', '?')} (Debian, pinned), "
            f"{meta.get('QEMU', '?')}",
            f"- In-kernel runs: icount (`-smp 1 -icount shift=0,sleep=off`, "
            f"{meta.get('QEMU_MEM_MB', '?')} MiB) with init_on_alloc=0 and =1; "
            f"{meta.get('SMP_RUNS', '?')} boots with `-smp 4` (two NUMA nodes) for the "
            "multi-CPU workloads"]
    goal_rows = [list(r) for r in grows]
    summary = ["# gomem benchmark summary\n",
               f"{meta.get('DATE', '?')}, {meta.get('GIT', '?')}; `make bench` "
               "(Documentation/benchmarks.rst). In-kernel figures are from QEMU: guest "
               "instruction counts (icount) and gomem/SLUB time ratios (-smp 4), never "
               "absolute speeds.\n",
               table(["goal", "target", "gomem", "reference", "verdict"], goal_rows)]
    rep = ["# gomem benchmark report\n\n", "\n".join(head) + "\n",
           "\n## Goals\n\n", table(["goal", "target", "gomem", "reference", "verdict"], goal_rows)]
    if notes:
        rep.append("\n**Where goals are not met** (from this run's figures):\n\n")
        rep += [f"- {n}\n" for n in notes]
    rep.append("\n## In-kernel, single CPU: guest instruction counts\n")
    rep.append(kernel_sections())
    rep.append(memory_section())
    rep.append(smp_section())
    rep.append(realmod_section())
    rep.append(user_section())
    if pngs:
        rep.append("\n## Plots\n\n")
        rep += [f"![{cap}]({png})\n\n" for png, cap in pngs]
    rep.append("\n## Problems\n\n")
    rep += ([f"- {p}\n" for p in probs] if probs else ["None: every run completed, no error "
                                                       "lines, no kernel warnings.\n"])
    rep.append("\n## Raw data\n\nEvery figure above is from `build/bench/raw/` of this run: "
               "`qemu-*.log` (guest result lines), `*-console.log`, `user-ALLOC-REP.txt`, "
               "`callgrind-*.out`, `callgrind-gomem-annotate.txt`, `perf-gomem-*.txt` and "
               "`realmod-N/` (results.txt, qemu.log); "
               "plot data in "
               "`build/bench/*.dat`.\n")
    with open(os.path.join(OUT, "report.md"), "w") as f:
        f.write("".join(rep))
    with open(os.path.join(OUT, "summary.md"), "w") as f:
        f.write("\n".join(summary))
    unmet = sum(1 for r in grows if "not met" in r[4])
    nodata = sum(1 for r in grows if "no data" in r[4])
    print(f"report: {len(grows)} goals, {len(grows) - unmet - nodata} met, {unmet} not met, "
          f"{nodata} without data; {len(probs)} problems; {OUT}/report.md")


main()
