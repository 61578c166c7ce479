#!/usr/bin/env python3
"""Per-element reference energies (atom_energy) for n2p2, fitted as mlpot does
(src/train/model_setup.c: least squares E_s - E_elec,s ~ sum_e n_se eps_e, minimum-norm/SVD
solution, so for water, where n_H = 2 n_O always, eps_H : eps_O = 2 : 1).
usage: offsets.py TRAIN.data [PER_FRAME.txt with Eelec in column 5]  -> prints atom_energy lines"""
import math, sys
els = ["H", "O"]
rows, b = [], []
cur = None
for line in open(sys.argv[1]):
    w = line.split()
    if not w: continue
    if w[0] == "begin": cur = {e: 0 for e in els}
    elif w[0] == "atom": cur[w[4]] += 1
    elif w[0] == "energy": en = float(w[1])
    elif w[0] == "end": rows.append([cur[e] for e in els]); b.append(en)
if len(sys.argv) > 2:
    el = [float(l.split()[4]) for l in open(sys.argv[2]) if not l.startswith("#")]
    assert len(el) == len(b)
    b = [x - y for x, y in zip(b, el)]
# minimum-norm least squares via eigen-decomposition of the 2x2 normal matrix
a11 = sum(r[0] * r[0] for r in rows); a12 = sum(r[0] * r[1] for r in rows); a22 = sum(r[1] * r[1] for r in rows)
g = [sum(r[0] * y for r, y in zip(rows, b)), sum(r[1] * y for r, y in zip(rows, b))]
tr, det = a11 + a22, a11 * a22 - a12 * a12
disc = math.sqrt(max(tr * tr / 4 - det, 0.0))
lams = [tr / 2 + disc, tr / 2 - disc]
x = [0.0, 0.0]
for lam in lams:
    if lam <= 1e-10 * lams[0]: continue
    v = [a12, lam - a11] if abs(a12) > 1e-300 else ([1.0, 0.0] if abs(lam - a11) < abs(lam - a22) else [0.0, 1.0])
    nv = math.hypot(*v); v = [v[0] / nv, v[1] / nv]
    c = (v[0] * g[0] + v[1] * g[1]) / lam
    x = [x[0] + c * v[0], x[1] + c * v[1]]
res = [y - (r[0] * x[0] + r[1] * x[1]) for r, y in zip(rows, b)]
nat = [r[0] + r[1] for r in rows]
print("# fitted on %d structures; residual RMS %.6f eV/atom" % (len(b), math.sqrt(sum((d / n) ** 2 for d, n in zip(res, nat)) / len(b))))
for e, v in zip(els, x):
    print("atom_energy                     %s %.10f" % (e, v))
