"""`mlpot descriptors` on the water model of n2p2's nnp-predict example:
- CSV and extended XYZ outputs hold the same numbers, one row per atom, in n2p2's order
  (--list names each feature, with its input.nn line);
- --scaled gives scaling.data's affine map of the raw features (n2p2: scale + center, so
  G~ = Smin + (Smax - Smin)(G - <G>)/(Gmax - Gmin)), and the shipped box stays inside the
  training range;
- bad input (missing folder, an element the definitions lack) exits 2 naming the problem."""
import os
import subprocess
import sys
import tempfile

import numpy as np
from ase.io import read

MLPOT = os.environ["MLPOT_CLI"]
SHARED = os.environ.get("MLPOT_SHARED_DATA", "")
MODEL = os.path.join(SHARED, "n2p2/examples/nnp-predict/H2O_RPBE-D3")
if not os.path.isdir(MODEL):
    print("SKIP: no", MODEL)
    sys.exit(77)
failures = checks = 0


def check(condition, what):
    global failures, checks
    checks += 1
    if not condition:
        failures += 1
        print("check failed:", what, file=sys.stderr)


def run(args):
    return subprocess.run([MLPOT, "descriptors"] + args, capture_output=True, text=True)


data = os.path.join(MODEL, "input.data")
with tempfile.TemporaryDirectory() as tmp:
    csv, xyz, scaled = (os.path.join(tmp, n) for n in ("g.csv", "g.xyz", "s.csv"))
    for args in (["-o", csv], ["-o", xyz], ["--scaled", "-o", scaled]):
        r = run(["-p", MODEL, data] + args)
        check(r.returncode == 0, f"{args}: {r.stderr}")
    rows = [line.split(",") for line in open(csv).read().splitlines()]
    head, rows = rows[0], rows[1:]
    check(head[:4] == ["frame", "atom", "element", "n_features"] and len(head) == 4 + 30, f"header {head[:6]}")
    check(len(rows) == 1080, f"{len(rows)} rows")
    atoms = read(xyz, format="extxyz")
    G = atoms.arrays["acsf"]
    worst = 0.0
    for row in rows:
        n = int(row[3])
        values = np.array([float(x) for x in row[4:4 + n]])
        worst = max(worst, np.max(np.abs(values - G[int(row[1]), :n])))
        check(all(x == "" for x in row[4 + n:]), "cells past an atom's count are empty")
    check(worst == 0.0, f"CSV and extxyz differ by {worst}")
    check(atoms.info.get("acsf_counts") == "H:27 O:30", f"acsf_counts {atoms.info.get('acsf_counts')}")
    listing = run(["-p", MODEL, "--list"]).stdout.splitlines()
    check(len(listing) == 57 and listing[0].startswith("H 1: ") and "(line " in listing[0], f"--list: {listing[:2]}")
    # scaled features from scaling.data by hand
    stats = {}
    for line in open(os.path.join(MODEL, "scaling.data")):
        w = line.split()
        if w and not w[0].startswith("#"):
            stats[(int(w[0]), int(w[1]))] = [float(x) for x in w[2:5]]
    smin, smax = -1.0, 1.0  # the model's input.nn
    for line in open(os.path.join(MODEL, "input.nn")):
        w = line.split("#")[0].split()
        if w[:1] == ["scale_min_short"]:
            smin = float(w[1])
        if w[:1] == ["scale_max_short"]:
            smax = float(w[1])
    element_index = {"H": 1, "O": 2}
    srows = [line.split(",") for line in open(scaled).read().splitlines()[1:]]
    worst = inside = 0.0
    for raw, sc in zip(rows, srows):
        e = element_index[raw[2]]
        for k in range(int(raw[3])):
            gmin, gmax, gmean = stats[(e, k + 1)]
            expected = smin + (smax - smin) * (float(raw[4 + k]) - gmean) / (gmax - gmin)
            worst = max(worst, abs(expected - float(sc[4 + k])))
            inside = max(inside, max(gmin - float(raw[4 + k]), float(raw[4 + k]) - gmax))
    check(worst <= 1e-12, f"scaled features differ from scaling.data's map by {worst}")
    check(inside <= 0.0, "the shipped box lies inside the training range")
    # bad input
    r = run(["-p", os.path.join(tmp, "nothing"), data])
    check(r.returncode == 2 and "nothing" in r.stderr, f"missing definitions: {r.returncode} {r.stderr}")
    bad = os.path.join(tmp, "c.xyz")
    with open(bad, "w") as f:
        f.write("2\nLattice=\"10 0 0 0 10 0 0 0 10\" Properties=species:S:1:pos:R:3\nO 0 0 0\nC 1 0 0\n")
    r = run(["-p", MODEL, bad])
    check(r.returncode != 0 and "C" in r.stderr and "c.xyz" in r.stderr, f"foreign element: {r.returncode} {r.stderr}")
    print(f"descriptors: 1080 rows, CSV = extxyz, scaled map error {worst:.1e}")
    # SOAP: QUIP's vectors for P1 on the rattled diamond cell (quip_reference/soap_P1.txt)
    quip = os.path.join(SHARED, "quip_reference")
    p1 = "cutoff=5.0 cutoff_transition_width=1.0 n_max=8 l_max=6 atom_sigma=0.5 n_species=1 species_Z={14}"
    soap = os.path.join(tmp, "soap.csv")
    r = run(["--soap", p1, "-o", soap, os.path.join(quip, "structures/si_diamond_rattled.xyz")])
    check(r.returncode == 0, f"--soap: {r.stderr}")
    mine = np.array([[float(x) for x in line.split(",")[4:]] for line in open(soap).read().splitlines()[1:]])
    ref = np.array([[float(x) for x in line.split()[2:]] for line in open(os.path.join(quip, "soap_P1.txt"))
                    if not line.startswith("#")])
    check(mine.shape == ref.shape, f"SOAP shape {mine.shape} vs QUIP {ref.shape}")
    if mine.shape == ref.shape:
        check(np.abs(mine - ref).max() <= 1e-12, f"SOAP vs QUIP {np.abs(mine - ref).max()}")
        print(f"descriptors --soap: {mine.shape[0]} atoms x {mine.shape[1]}, max |difference| to QUIP {np.abs(mine - ref).max():.1e}")

print(f"test_descriptors_cli: {checks} checks, {failures} failed")
sys.exit(1 if failures else 0)
