#!/usr/bin/env python3
"""Small helpers for make_teacher.sh (pure Python, no numpy).

  prep  TRAJ OUT --min-step N --tag TEXT
        keep the frames of an mlpot md extended-XYZ trajectory with step >= N, wrap the
        positions into the cell, drop every per-atom column but species and positions and
        every label, and write Lattice, pbc, total_charge=0 and a provenance comment.
  pick  IN OUT --natoms N --count K
        from an extended-XYZ file, take K frames of N atoms spread evenly (first and last
        included) over those frames, in file order.
  check FILE.data
        read an n2p2 input.data file and check/summarise the labels: per-atom charges present
        and nonzero, total 'charge' line and the per-atom sum both 0, energy and forces finite.
        Prints per-element charge statistics, energy range, force RMS.
  split FULL.data SUBSET.data TRAIN.data TEST.data
        TEST = the frames of FULL that SUBSET holds (matched by comment and positions), TRAIN =
        the others.
  charges REF.data PRED.xyz
        charge RMSE and MAE of an extended-XYZ prediction (mlpot eval) against n2p2 input.data.
"""
import math
import re
import shlex
import sys


def read_extxyz(path):
    frames = []
    with open(path) as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        n = int(lines[i])
        frames.append((lines[i + 1], lines[i + 2:i + 2 + n]))
        i += 2 + n
    return frames


def parse_header(header):
    kv = {}
    for tok in shlex.split(header):
        if "=" in tok:
            k, v = tok.split("=", 1)
            kv[k] = v
    return kv


def properties(spec):
    """Column ranges of an extxyz Properties string: name -> (start, count)."""
    parts = spec.split(":")
    cols, c = {}, 0
    for j in range(0, len(parts), 3):
        name, n = parts[j], int(parts[j + 2])
        cols[name] = (c, n)
        c += n
    return cols


def inv3(m):
    a, b, c = m
    det = (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0])
           + a[2] * (b[0] * c[1] - b[1] * c[0]))
    cof = [[b[1] * c[2] - b[2] * c[1], a[2] * c[1] - a[1] * c[2], a[1] * b[2] - a[2] * b[1]],
           [b[2] * c[0] - b[0] * c[2], a[0] * c[2] - a[2] * c[0], a[2] * b[0] - a[0] * b[2]],
           [b[0] * c[1] - b[1] * c[0], a[1] * c[0] - a[0] * c[1], a[0] * b[1] - a[1] * b[0]]]
    return [[cof[i][j] / det for j in range(3)] for i in range(3)]


def cmd_prep(args):
    traj, out = args[0], args[1]
    min_step = int(args[args.index("--min-step") + 1])
    tag = args[args.index("--tag") + 1]
    kept = 0
    with open(out, "w") as f:
        for header, atoms in read_extxyz(traj):
            kv = parse_header(header)
            step = int(kv["step"])
            if step < min_step:
                continue
            lat = [float(x) for x in kv["Lattice"].split()]
            cell = [lat[0:3], lat[3:6], lat[6:9]]  # rows = lattice vectors
            inv = inv3(cell)  # frac = x . inv (row vector times inverse)
            cols = properties(kv["Properties"])
            ps, _ = cols["pos"]
            ss, _ = cols["species"]
            f.write("%d\n" % len(atoms))
            comment = "%s step=%d t=%gfs" % (tag, step, float(kv["time_fs"]))
            f.write('Lattice="%s" Properties=species:S:1:pos:R:3 total_charge=0 comment="%s" pbc="T T T"\n'
                    % (kv["Lattice"], comment))
            for line in atoms:
                w = line.split()
                x = [float(w[ps + k]) for k in range(3)]
                fr = [sum(x[i] * inv[i][j] for i in range(3)) for j in range(3)]
                fr = [u - math.floor(u) for u in fr]
                xw = [sum(fr[i] * cell[i][j] for i in range(3)) for j in range(3)]
                f.write("%-2s %.16g %.16g %.16g\n" % (w[ss], xw[0], xw[1], xw[2]))
            kept += 1
    print("prep: %s -> %s: %d frames (step >= %d)" % (traj, out, kept, min_step), file=sys.stderr)


def cmd_pick(args):
    src, out = args[0], args[1]
    natoms = int(args[args.index("--natoms") + 1])
    count = int(args[args.index("--count") + 1])
    frames = [fr for fr in read_extxyz(src) if len(fr[1]) == natoms]
    if len(frames) < count:
        sys.exit("pick: only %d frames of %d atoms" % (len(frames), natoms))
    idx = sorted({round(i * (len(frames) - 1) / (count - 1)) for i in range(count)})
    with open(out, "w") as f:
        for i in idx:
            header, atoms = frames[i]
            f.write("%d\n%s\n" % (len(atoms), header))
            f.write("\n".join(atoms) + "\n")
    print("pick: %d of %d frames of %d atoms: indices %s" % (len(idx), len(frames), natoms, idx),
          file=sys.stderr)


def stats(v):
    m = sum(v) / len(v)
    s = math.sqrt(sum((x - m) ** 2 for x in v) / len(v))
    return m, s, min(v), max(v)


def cmd_check(args):
    path = args[0]
    frames = []
    for block in n2p2_blocks(path):
        fr = {"atoms": [], "energy": None, "charge": None, "comment": ""}
        for line in block:
            w = line.split()
            if w[0] == "comment":
                fr["comment"] = line.strip()[8:]
            elif w[0] == "atom":
                fr["atoms"].append((w[4], float(w[5]), float(w[6]), [float(x) for x in w[7:10]]))
            elif w[0] == "energy":
                fr["energy"] = float(w[1])
            elif w[0] == "charge":
                fr["charge"] = float(w[1])
        frames.append(fr)
    bad = 0
    q_by_el, fsq, nf, epa, sizes = {}, 0.0, 0, [], {}
    max_qsum, max_total = 0.0, 0.0
    temps = {}
    for k, fr in enumerate(frames):
        n = len(fr["atoms"])
        sizes[n] = sizes.get(n, 0) + 1
        m = re.search(r"T=(\d+)K", fr["comment"])
        if m:
            temps[(n, m.group(1))] = temps.get((n, m.group(1)), 0) + 1
        qs = [a[1] for a in fr["atoms"]]
        if any(q == 0.0 for q in qs) or any(not math.isfinite(q) for q in qs):
            print("frame %d: zero or non-finite per-atom charge" % (k + 1)); bad += 1
        if fr["charge"] is None:
            print("frame %d: no 'charge' line" % (k + 1)); bad += 1
        else:
            max_total = max(max_total, abs(fr["charge"]))
        max_qsum = max(max_qsum, abs(sum(qs)))
        if fr["energy"] is None or not math.isfinite(fr["energy"]) or fr["energy"] == 0.0:
            print("frame %d: missing/zero/non-finite energy" % (k + 1)); bad += 1
        else:
            epa.append(fr["energy"] / n)
        for el, q, e, fv in fr["atoms"]:
            q_by_el.setdefault(el, []).append(q)
            if any(not math.isfinite(x) for x in fv):
                print("frame %d: non-finite force" % (k + 1)); bad += 1
            fsq += sum(x * x for x in fv)
            nf += 3
        if all(all(x == 0.0 for x in a[3]) for a in fr["atoms"]):
            print("frame %d: all forces zero" % (k + 1)); bad += 1
    print("%s: %d frames, sizes %s" % (path, len(frames), dict(sorted(sizes.items()))))
    if temps:
        print("  frames by (atoms, T/K): %s" % dict(sorted(temps.items())))
    print("  max |sum_i q_i| per frame %.3e e, max |charge line| %.3e e" % (max_qsum, max_total))
    for el in sorted(q_by_el):
        m, s, lo, hi = stats(q_by_el[el])
        print("  q(%s): mean %+.4f std %.4f min %+.4f max %+.4f e  (%d atoms)" % (el, m, s, lo, hi, len(q_by_el[el])))
    m, s, lo, hi = stats(epa)
    print("  energy/atom: mean %.6f std %.6f min %.6f max %.6f (file units)" % (m, s, lo, hi))
    es = [fr["energy"] for fr in frames]
    print("  energy/frame: min %.6f max %.6f (file units)" % (min(es), max(es)))
    print("  force component RMS %.5f (file units)" % math.sqrt(fsq / nf))
    if bad or max_qsum > 1e-8 or max_total > 1e-12:
        print("CHECK FAILED (%d problems)" % bad)
        sys.exit(1)
    print("  check passed")


def n2p2_blocks(path):
    out, cur = [], None
    with open(path) as f:
        for line in f:
            w = line.split()
            if not w:
                continue
            if w[0] == "begin":
                cur = [line]
            elif cur is not None:
                cur.append(line)
                if w[0] == "end":
                    out.append(cur)
                    cur = None
    return out


def frame_key(block):
    comment = [l.strip() for l in block if l.startswith("comment")]
    pos = [tuple(float(x) for x in l.split()[1:4]) for l in block if l.startswith("atom")]
    return (comment[0] if comment else ""), pos


def cmd_split(args):
    full, sub = n2p2_blocks(args[0]), n2p2_blocks(args[1])

    def same(a, b):
        (ca, pa), (cb, pb) = frame_key(a), frame_key(b)
        return ca == cb and len(pa) == len(pb) and all(abs(x - y) < 1e-8 for p, q in zip(pa, pb) for x, y in zip(p, q))

    test = set()
    for s in sub:
        match = [i for i, f in enumerate(full) if same(f, s)]
        if len(match) != 1:
            sys.exit("split: a subset frame matches %d frames of %s" % (len(match), args[0]))
        test.add(match[0])
    with open(args[2], "w") as f:
        f.writelines(l for i, b in enumerate(full) if i not in test for l in b)
    with open(args[3], "w") as f:
        f.writelines(l for i in sorted(test) for l in full[i])
    print("split: %d frames: %d training, %d test" % (len(full), len(full) - len(test), len(test)))


def cmd_charges(args):
    ref = [float(l.split()[5]) for b in n2p2_blocks(args[0]) for l in b if l.startswith("atom")]
    got = []
    for header, rows in read_extxyz(args[1]):
        start, _ = properties(parse_header(header)["Properties"])["charges"]
        got.extend(float(r.split()[start]) for r in rows)
    if len(got) != len(ref):
        sys.exit("charges: %d predicted, %d reference" % (len(got), len(ref)))
    d = [g - r for g, r in zip(got, ref)]
    print("charges vs reference: RMSE %.4g me, MAE %.4g me (%d atoms)"
          % (1e3 * math.sqrt(sum(x * x for x in d) / len(d)), 1e3 * sum(abs(x) for x in d) / len(d), len(d)))


if __name__ == "__main__":
    cmd = sys.argv[1]
    {"prep": cmd_prep, "pick": cmd_pick, "check": cmd_check, "split": cmd_split, "charges": cmd_charges}[cmd](sys.argv[2:])
