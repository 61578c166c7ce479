#!/usr/bin/python3
"""Copies an extxyz training file, giving its slabs their own energy noise level.

usage: slab_sigma.py IN.xyz OUT.xyz SIGMA

A slab is a periodic frame whose volume per atom is above 1.5 times the file's median (the
vacuum of a surface cell; bulk, strained and hot frames stay near the median). Each slab gets
energy_sigma = N * SIGMA (SIGMA in eV/atom): gap_fit's per-configuration key, absolute, which
mlpot train reads as the noise level of that frame's energy, in place of loss.energy_sigma.
Frames are copied line for line otherwise. Prints how many frames it marked."""
import sys

import numpy as np


def frames(lines):
    i = 0
    while i < len(lines):
        n = int(lines[i])
        yield lines[i], lines[i + 1], lines[i + 2:i + 2 + n]
        i += 2 + n


def volume_per_atom(header, n):
    if 'Lattice="' not in header:
        return None
    lattice = np.array(header.split('Lattice="')[1].split('"')[0].split(), float).reshape(3, 3)
    return abs(np.linalg.det(lattice)) / n


def main(source, target, sigma):
    with open(source) as f:
        lines = f.read().splitlines(True)
    volumes = [volume_per_atom(h, len(body)) for _, h, body in frames(lines)]
    bulk = np.median([v for v in volumes if v is not None])
    out, marked = [], 0
    for (count, header, body), v in zip(frames(lines), volumes):
        if "energy_sigma=" in header:
            sys.exit("slab_sigma.py: %s already gives energy_sigma" % source)
        if v is not None and v > 1.5 * bulk:
            header = header.rstrip("\n") + " energy_sigma=%r\n" % (len(body) * sigma)
            marked += 1
        out += [count, header] + body
    with open(target, "w") as f:
        f.writelines(out)
    print("%s: %d slabs (volume per atom above %.1f A^3) with energy_sigma = N * %g eV" % (target, marked, 1.5 * bulk, sigma))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
