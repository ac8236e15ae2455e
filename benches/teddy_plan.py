#!/usr/bin/env python3
"""Makes the Teddy bucket plans of the embedded pack ahead: writes src/rules/teddy_plans.rs.

    python3 benches/teddy_plan.py [--rounds N] [--restarts R] [--seed S] [--every K] [--no-generated] [ROOT ...]

Run it when `cargo test` says the pack's literals changed (the test `the_embedded_pack_has_its_plans_made_ahead`).
Needs numpy (`pip install numpy`) and cargo; takes 10–15 minutes. The plan in use is where the search starts, also
after the rules changed: its literals keep their buckets, a literal gone leaves its bucket, and a new one joins its
nibble group's bucket, or the bucket it adds the fewest passes to (see `seed`). With `--rounds 0 --restarts 0` that
is the plan written: the least change to a plan whose timings are known. To plan from the scanner's estimate
instead, empty `PLANS` in src/rules/teddy_plans.rs first (`&[]`).

Teddy (aho-corasick's SIMD literal searcher) sends a haystack position to verification when its bytes pass a
bucket's nibble masks (see src/rules/teddy.rs). At start-up the scanner can only estimate how often that happens,
from single-byte frequencies, as if the bytes of a position were independent; in real text they are not (a
lowercase letter follows a lowercase letter), and the estimate puts literals together that pass far more often
than it thinks. Here the passes are counted on real logs instead: every position of a sample of the files under
ROOT (default: the Loghub sample of 16 systems and the fixtures, the text BYTE_FREQ is made from), and of generated
StackState text (see `generated`; `--no-generated` leaves it out): every K-th block of 16 KiB, K = 8 by default.
Starting from the plan in use, whole nibble groups (literals aho-corasick always puts in one
bucket) are swapped, or moved, between buckets while that lowers the total of passes x (1 + 0.3 x literals in the
bucket), for at most N rounds (default 8). That descent stops in a local optimum, so the best plan is then shaken
R times (default 12: a few random swaps and moves, seeded by S) and descended again, keeping what costs less.
Running the script again goes on from its last plan; another seed explores other shakes.

The literal sets and their current buckets come from the ignored test `write_literal_sets`; the plans hold the
same literals per bucket, so the scanner lays them out with the code it uses for its own plans, and the test
checks that aho-corasick's bucket assignment gives every literal its planned bucket.
"""
import argparse
import json
import os
import pathlib
import random
import subprocess
import sys
import tempfile

import numpy as np

BLOCK = 16 << 10
TEDDY_LIMIT = 128
PER_LITERAL = 0.3
SHAKE = 6

here = pathlib.Path(__file__).resolve().parent
root = here.parent


def literal_sets():
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "sets.json"
        env = dict(os.environ, STACKSCAN_LITERAL_SETS=str(out))
        subprocess.run(
            ["cargo", "test", "--quiet", "--lib", "--", "--ignored", "--exact",
             "rules::teddy::tests::write_literal_sets"],
            cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)
        return json.loads(out.read_text())


def sample(roots, every):
    blocks = []
    for r in roots:
        for path in sorted(pathlib.Path(r).rglob("*.log")):
            data = path.read_bytes()
            blocks.extend(data[i:i + BLOCK] for i in range(0, len(data), BLOCK))
    text = b"".join(blocks[::every])
    return np.frombuffer(text, dtype=np.uint8)


class Counter:
    """Counts the sample positions whose bytes pass a bucket's nibble masks, with packed bit vectors: per masked
    position k and nibble value v, the positions p where byte p + k has that nibble."""

    def __init__(self, hay, mask_len):
        n = len(hay) - mask_len
        self.mask_len = mask_len
        self.lo = [[np.packbits((hay[k:k + n] & 15) == v) for v in range(16)] for k in range(mask_len)]
        self.hi = [[np.packbits((hay[k:k + n] >> 4) == v) for v in range(16)] for k in range(mask_len)]

    def cost(self, literals):
        if not literals:
            return 0.0
        passing = None
        for k in range(self.mask_len):
            lo = np.bitwise_or.reduce([self.lo[k][v] for v in {l[k] & 15 for l in literals}])
            hi = np.bitwise_or.reduce([self.hi[k][v] for v in {l[k] >> 4 for l in literals}])
            here_ = lo & hi
            passing = here_ if passing is None else passing & here_
        return float(np.bitwise_count(passing).sum()) * (1 + PER_LITERAL * len(literals))


def mask_len_of(literals):
    """How many leading bytes Teddy compares: at most 4, at most the shortest literal (`mask_len` in
    src/rules/teddy.rs)."""
    return min(4, min(map(len, literals)))


def nibble_key(l, mask_len):
    """The low nibbles of a literal's first `mask_len` bytes: aho-corasick puts the literals sharing them in one
    bucket (`nibble_groups` in src/rules/teddy.rs)."""
    return tuple(x & 15 for x in l[:mask_len])


def max_groups(buckets):
    """The most nibble groups a bucket can open: a group's first literal takes an id of its bucket's residue (see
    src/rules/teddy.rs), and a bucket has as many ids as the list has literals per bucket."""
    return sum(len(b) for b in buckets) // len(buckets)


def search(buckets, counter, rounds, restarts, seed):
    """Iterated local search: descend from the given buckets, then `restarts` times shake the best plan found (a
    few random swaps and moves of nibble groups) and descend again, keeping a plan only when it costs less."""
    mask_len = counter.mask_len
    # Each bucket as a list of nibble groups (literals sharing the low nibbles of their first bytes).
    bins = []
    for b in buckets:
        groups = {}
        for l in b:
            groups.setdefault(nibble_key(l, mask_len), []).append(l)
        bins.append(list(groups.values()))
    room_for = max_groups(buckets)
    best = improve(bins, counter, rounds, room_for)
    best_cost = total(best, counter)
    print(f"  descent: {best_cost:.0f}", file=sys.stderr)
    rng = random.Random(seed)
    for t in range(restarts):
        bins = [list(b) for b in best]
        for _ in range(SHAKE):
            j, j2 = rng.sample(range(len(bins)), 2)
            if not bins[j] or not bins[j2]:
                continue
            a, b = rng.randrange(len(bins[j])), rng.randrange(len(bins[j2]))
            if rng.random() < 0.5 or len(bins[j2]) >= room_for or len(bins[j]) <= 1:
                bins[j][a], bins[j2][b] = bins[j2][b], bins[j][a]
            else:
                bins[j2].append(bins[j].pop(a))
        bins = improve(bins, counter, rounds, room_for)
        cost = total(bins, counter)
        print(f"  restart {t + 1}: {cost:.0f}", file=sys.stderr)
        if cost < best_cost * (1 - 1e-9):
            best, best_cost = bins, cost
    return [literals(b) for b in best]


def realised(plan, order):
    """Whether the scanner lays `plan` (per bucket its literals) out as planned: `layout` and `simulate` of
    src/rules/teddy.rs, for the literals in the order the scanner is given them (`order`). A bucket's groups open on
    its own ids (`B - 1 - id % B`); an id whose bucket has no group left and no spare literal to take opens another
    bucket's group, which then lands in the wrong bucket."""
    B, n = len(plan), len(order)
    mask_len = mask_len_of(order)
    key = lambda l: nibble_key(l, mask_len)
    groups, gidx = [], {}
    for i, l in enumerate(order):
        if key(l) not in gidx:
            gidx[key(l)] = len(groups)
            groups.append([])
        groups[gidx[key(l)]].append(i)
    bins, opened = [[] for _ in range(B)], {}
    for j, b in enumerate(plan):
        for l in b:
            g = gidx[key(l)]
            if opened.setdefault(g, j) != j:
                return False
            if g not in bins[j]:
                bins[j].append(g)
    wanted = [sorted(b, key=lambda g: (-len(groups[g]), g)) for b in bins]
    spare, out = [], []
    for p in range(n):
        j = B - 1 - p % B
        g = None
        if wanted[j]:
            g = wanted[j].pop(0)
        elif not spare:
            k = max(range(B), key=lambda k: (len(wanted[k]), -k))
            g = wanted[k].pop(0) if wanted[k] else None
        if g is not None:
            out.append(groups[g][0])
            spare.extend(reversed(groups[g][1:]))
        elif spare:
            out.append(spare.pop())
    assigned = {}
    for i, l in enumerate(out):
        assigned.setdefault(key(order[l]), B - 1 - i % B)
    return all(assigned.get(key(l)) == j for j, b in enumerate(plan) for l in b)


def seed(previous, current, counter, order):
    """The plan in use (`previous`, per bucket its literals) fitted to the literal set of today (`current`, the
    scanner's buckets for it): literals of both keep their bucket, the others join the bucket of their nibble group
    or, opening a group, the bucket they add the fewest passes to among those with room for a group. `current`
    when the two plans do not have the same number of buckets."""
    if not previous or len(previous) != len(current):
        return current
    lits = [l for b in current for l in b]
    mask_len = counter.mask_len
    key = lambda l: nibble_key(l, mask_len)
    room_for = max_groups(current)
    kept = set(lits)
    bins = [[] for _ in current]
    group_bin = {}
    placed = set()
    for j, b in enumerate(previous):
        for l in map(bytes, b):
            if l in kept and l not in placed:
                j2 = group_bin.setdefault(key(l), j)
                bins[j2].append(l)
                placed.add(l)
    new = sorted(set(lits) - placed)
    for l in new:
        if key(l) not in group_bin:
            room = [j for j in range(len(bins)) if len({key(x) for x in bins[j]}) < room_for] or range(len(bins))
            group_bin[key(l)] = min(room, key=lambda j: (counter.cost(bins[j] + [l]) - counter.cost(bins[j]), j))
        bins[group_bin[key(l)]].append(l)
    # A plan the scanner cannot lay out is not used at all: move a new literal's group to the next cheapest bucket
    # until it can.
    for l in new:
        if realised(bins, order):
            break
        members = [x for b in bins for x in b if key(x) == key(l)]
        home = group_bin[key(l)]
        rest = lambda j: [x for x in bins[j] if key(x) != key(l)]
        for j in sorted(range(len(bins)), key=lambda j: counter.cost(rest(j) + members) - counter.cost(rest(j))):
            trial = [rest(k) + (members if k == j else []) for k in range(len(bins))]
            if realised(trial, order):
                bins, group_bin[key(l)] = trial, j
                break
        if group_bin[key(l)] != home:
            print(f"  {l!r} moved to bucket {group_bin[key(l)]}: the layout could not give it bucket {home}",
                  file=sys.stderr)
    for l in new:
        print(f"  new literal {l!r}: bucket {group_bin[key(l)]}", file=sys.stderr)
    if not realised(bins, order):
        print("  the scanner cannot lay this plan out: run again without --rounds 0 --restarts 0", file=sys.stderr)
    return bins


def literals(groups):
    """A bucket's literals, from its nibble groups."""
    return [l for g in groups for l in g]


def total(bins, counter):
    return sum(counter.cost(literals(b)) for b in bins)


def improve(bins, counter, rounds, room_for):
    """Swaps and moves of nibble groups between buckets while the total cost falls."""
    bins = [list(b) for b in bins]
    flat = lambda j: literals(bins[j])
    costs = [counter.cost(flat(j)) for j in range(len(bins))]
    for r in range(rounds):
        improved = False
        for j in range(len(bins)):
            for j2 in range(j + 1, len(bins)):
                for a in range(len(bins[j])):
                    for b in range(len(bins[j2])):
                        bins[j][a], bins[j2][b] = bins[j2][b], bins[j][a]
                        c1, c2 = counter.cost(flat(j)), counter.cost(flat(j2))
                        if c1 + c2 < (costs[j] + costs[j2]) * (1 - 1e-9):
                            costs[j], costs[j2] = c1, c2
                            improved = True
                        else:
                            bins[j][a], bins[j2][b] = bins[j2][b], bins[j][a]
        # Moves: a group to another bucket, so that bucket sizes change too (swaps alone keep them, and stall).
        for j in range(len(bins)):
            for j2 in range(len(bins)):
                a = 0
                while j != j2 and a < len(bins[j]) and len(bins[j]) > 1:
                    if len(bins[j2]) >= room_for:
                        break
                    bins[j2].append(bins[j].pop(a))
                    c1, c2 = counter.cost(flat(j)), counter.cost(flat(j2))
                    if c1 + c2 < (costs[j] + costs[j2]) * (1 - 1e-9):
                        costs[j], costs[j2] = c1, c2
                        improved = True
                    else:
                        bins[j].insert(a, bins[j2].pop())
                        a += 1
        if not improved:
            break
    return bins


def rust_bytes(l):
    out = []
    for x in l:
        c = chr(x)
        if c in '"\\':
            out.append("\\" + c)
        elif 0x20 <= x < 0x7f:
            out.append(c)
        else:
            out.append(f"\\x{x:02x}")
    return 'b"' + "".join(out) + '"'


def generated(tmp):
    """StackState's own text beside the Loghub sample: 2 MiB of benches/gen_corpus.py's noise (the layouts of
    LOG-FORMATS.md, no Loghub lines) and 1 MiB per layout of benches/gen_dense.py's storms at 10%, each from a
    seed the benchmarks do not use. The fixtures alone hold too little of it: a plan fitted without it made the
    scan of StackState-like text dearer while it counted fewer passes on the sample."""
    corpus, dense = tmp / "corpus", tmp / "dense"
    subprocess.run([sys.executable, str(here / "gen_corpus.py"), "--rules", str(root / "rules/stackstate"),
                    "--out", str(corpus), "--size", str(2 << 20), "--files", "1", "--no-single", "--seed", "11"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([sys.executable, str(here / "gen_dense.py"), "--out", str(dense), "--size", str(1 << 20),
                    "--densities", "0.1", "--seed", "5"], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    for noise in dense.rglob("noise.log"):
        noise.unlink()
    return [str(corpus), str(dense)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--restarts", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--every", type=int, default=8)
    ap.add_argument("--no-generated", action="store_true", help="leave the generated StackState text out")
    ap.add_argument("roots", nargs="*", default=[str(root.parent / "shared/corpus/loghub"), str(root / "fixtures")])
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        roots = list(a.roots) if a.no_generated else list(a.roots) + generated(pathlib.Path(tmp))
        hay = sample(roots, a.every)
    print(f"sample: {len(hay)} bytes from {', '.join(roots)}", file=sys.stderr)
    plans = []
    for s in literal_sets():
        if len(s["literals"]) >= TEDDY_LIMIT:
            sys.exit(f"the pack's {s['name']} literals are {len(s['literals'])}: Teddy takes fewer than {TEDDY_LIMIT} "
                     "(src/rules/teddy.rs), and with more no plan is used; share or drop literals")
        buckets = [[bytes(l) for l in b] for b in s["buckets"]]
        mask_len = mask_len_of([l for b in buckets for l in b])
        print(f"{s['name']}: {sum(map(len, buckets))} literals in {len(buckets)} buckets", file=sys.stderr)
        counter = Counter(hay, mask_len)
        buckets = seed(s.get("previous"), buckets, counter, [bytes(l) for l in s["literals"]])
        plans.append((s["name"], search(buckets, counter, a.rounds, a.restarts, a.seed)))
    lines = [
        "//! Teddy bucket plans made ahead for the embedded pack's literal sets (see `rules/teddy.rs`): generated by",
        "//! `benches/teddy_plan.py` from passes counted on real logs; do not edit.",
        "",
        "/// Per literal set, its buckets: the literals each holds.",
        "pub(super) const PLANS: &[&[&[&[u8]]]] = &[",
    ]
    for name, buckets in plans:
        lines.append(f"    // {name}")
        lines.append("    &[")
        for b in buckets:
            lines.append("        &[" + ", ".join(rust_bytes(l) for l in b) + "],")
        lines.append("    ],")
    lines.append("];")
    target = root / "src/rules/teddy_plans.rs"
    target.write_text("\n".join(lines) + "\n")
    subprocess.run(["rustfmt", "--edition", "2021", str(target)], check=True)
    print(f"wrote {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
