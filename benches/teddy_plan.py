#!/usr/bin/env python3
"""Makes the Teddy bucket plans of the embedded pack ahead: writes src/rules/teddy_plans.rs.

    python3 benches/teddy_plan.py [--rounds N] [--every K] [ROOT ...]

Run it when `cargo test` says the pack's literals changed (the test `the_embedded_pack_has_its_plans_made_ahead`).
Needs numpy (`pip install numpy`) and cargo; takes a few minutes.

Teddy (aho-corasick's SIMD literal searcher) sends a haystack position to verification when its bytes pass a
bucket's nibble masks (see src/rules/teddy.rs). At start-up the scanner can only estimate how often that happens,
from single-byte frequencies, as if the bytes of a position were independent; in real text they are not (a
lowercase letter follows a lowercase letter), and the estimate puts literals together that pass far more often
than it thinks. Here the passes are counted on real logs instead: every position of a sample of the files under
ROOT (default: the Loghub sample of 16 systems and the fixtures, the text BYTE_FREQ is made from; every K-th block
of 16 KiB, K = 8 by default). Starting from the buckets the scanner plans today, whole nibble groups (literals
aho-corasick always puts in one bucket) are swapped, or moved, between buckets while that lowers the total of
passes x (1 + 0.3 x literals in the bucket), for N rounds (default 3).

The literal sets and their current buckets come from the ignored test `write_literal_sets`; the plans hold the
same literals per bucket, so the scanner lays them out with the code it uses for its own plans, and the test
checks that aho-corasick's bucket assignment gives every literal its planned bucket.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile

import numpy as np

BLOCK = 16 << 10
PER_LITERAL = 0.3

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


def improve(buckets, counter, rounds):
    mask_len = counter.mask_len
    # Each bucket as a list of nibble groups (literals sharing the low nibbles of their first bytes).
    bins = []
    for b in buckets:
        groups = {}
        for l in b:
            groups.setdefault(tuple(x & 15 for x in l[:mask_len]), []).append(l)
        bins.append(list(groups.values()))
    flat = lambda j: [l for g in bins[j] for l in g]
    # A group's first literal takes an id of its bucket's residue (see src/rules/teddy.rs), so a bucket holds at
    # most as many groups as the list has ids of one residue.
    max_groups = sum(len(b) for b in buckets) // len(buckets)
    costs = [counter.cost(flat(j)) for j in range(len(bins))]
    print(f"  start: {sum(costs):.0f}", file=sys.stderr)
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
                    if len(bins[j2]) >= max_groups:
                        break
                    bins[j2].append(bins[j].pop(a))
                    c1, c2 = counter.cost(flat(j)), counter.cost(flat(j2))
                    if c1 + c2 < (costs[j] + costs[j2]) * (1 - 1e-9):
                        costs[j], costs[j2] = c1, c2
                        improved = True
                    else:
                        bins[j].insert(a, bins[j2].pop())
                        a += 1
        print(f"  round {r + 1}: {sum(costs):.0f}", file=sys.stderr)
        if not improved:
            break
    return [flat(j) for j in range(len(bins))]


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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--every", type=int, default=8)
    ap.add_argument("roots", nargs="*", default=[str(root.parent / "shared/corpus/loghub"), str(root / "fixtures")])
    a = ap.parse_args()
    hay = sample(a.roots, a.every)
    print(f"sample: {len(hay)} bytes from {', '.join(a.roots)}", file=sys.stderr)
    plans = []
    for s in literal_sets():
        buckets = [[bytes(l) for l in b] for b in s["buckets"]]
        mask_len = min(4, min(len(l) for b in buckets for l in b))
        print(f"{s['name']}: {sum(map(len, buckets))} literals in {len(buckets)} buckets", file=sys.stderr)
        plans.append((s["name"], improve(buckets, Counter(hay, mask_len), a.rounds)))
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
