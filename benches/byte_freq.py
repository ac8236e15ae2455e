#!/usr/bin/env python3
"""Prints the byte frequency table of src/rules/teddy.rs (`BYTE_FREQ`): how often each byte occurs in real logs.

    python3 benches/byte_freq.py [../shared/corpus/loghub] [fixtures]

Counts every byte of every `*.log` file under the given directories (the loghub sample of 16 real systems and
the StackState-like fixtures), in parts per million, at least 1 so that no byte is taken for impossible.
"""
import pathlib
import sys

roots = sys.argv[1:] or [str(pathlib.Path(__file__).resolve().parent.parent.parent / "shared/corpus/loghub"), "fixtures"]
counts = [0] * 256
for root in roots:
    for path in sorted(pathlib.Path(root).rglob("*.log")):
        for b in path.read_bytes():
            counts[b] += 1
total = sum(counts) or 1
ppm = [max(1, round(c * 1_000_000 / total)) for c in counts]
print("const BYTE_FREQ: [u32; 256] = [")
for row in range(0, 256, 16):
    print("    " + " ".join(f"{v}," for v in ppm[row:row + 16]))
print("];")
