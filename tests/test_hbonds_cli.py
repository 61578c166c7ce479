"""mlpot analyze hbonds on a hand-made water trajectory: 8 randomly placed and oriented water
molecules in a 7.4 Å cubic box (O-O at least 2.5 Å, each molecule first pointing an H at its
nearest O, then moving and turning a little each frame, positions wrapped, so molecules are cut by
the faces), 12 frames 2 fs apart. The per-frame counts, the per-donor average and C_I(t), C_C(t)
in the CSV files are checked against an independent numpy minimum-image computation (valid as
r_da < half the box); bad input exits 2 naming the problem."""
import os
import subprocess
import sys
import tempfile

import numpy as np
from ase import Atoms
from ase.io import write

MLPOT = os.environ["MLPOT_CLI"]
failures = 0


def check(condition, what):
    global failures
    if not condition:
        failures += 1
        print("check failed:", what, file=sys.stderr)


def mlpot(*args):
    return subprocess.run([MLPOT] + [str(a) for a in args], capture_output=True, text=True)


def refused(args, needle, code=2):
    run = mlpot(*args)
    check(run.returncode == code and needle in run.stderr,
          "%s: exit %d, stderr %r (expected %d and %r)" % (" ".join(map(str, args)), run.returncode,
                                                            run.stderr[-400:], code, needle))


L, NW, NF, DT = 7.4, 8, 12, 2.0
rng = np.random.default_rng(7)


def mic(d):
    return d - L * np.round(d / L)


def rotation(axis, angle):
    """Rodrigues: rotation by `angle` radians about `axis`."""
    k = axis / np.linalg.norm(axis)
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(angle) * K + (1 - np.cos(angle)) * K @ K


def spread(o):
    r = np.linalg.norm(mic(o[:, None] - o[None]), axis=2) + 10 * np.eye(len(o))
    return r.min()


def initial():
    """Oxygens at random at least 2.6 Å apart; each molecule's first H towards its nearest O."""
    o = np.zeros((0, 3))
    while len(o) < NW:
        c = rng.uniform(0, L, 3)
        if len(o) == 0 or np.linalg.norm(mic(o - c), axis=1).min() > 2.6:
            o = np.vstack([o, c])
    frames = []
    for i in range(NW):
        d = mic(o - o[i])
        d[i] = 1e9
        e1 = d[np.argmin(np.linalg.norm(d, axis=1))]
        e1 = e1 / np.linalg.norm(e1)
        e2 = np.cross(e1, rng.normal(size=3))
        e2 /= np.linalg.norm(e2)
        frames.append(np.array([e1, np.cross(e1, e2), e2]))  # rows: body axes
    return o, frames


def water_positions(o, axes):
    th = np.radians(104.52)
    local = 0.9572 * np.array([[1, 0, 0], [np.cos(th), np.sin(th), 0]])
    pos = []
    for i in range(NW):
        pos += [o[i], o[i] + local[0] @ axes[i], o[i] + local[1] @ axes[i]]
    return np.array(pos)


def step(o, axes):
    """Small random moves and rotations (about 10° a frame), so bonds live a few frames."""
    while True:
        new = (o + rng.normal(scale=0.08, size=o.shape)) % L
        if spread(new) > 2.5:
            break
    return new, [a @ rotation(rng.normal(size=3), np.radians(10)).T for a in axes]


def hbonds_numpy(x, rda=3.5, angle=30.0, dhmax=1.25):
    """(D, H, A) triples by minimum image: H owned by its nearest O within dhmax."""
    oxy = np.arange(0, 3 * NW, 3)
    hyd = np.array([i for i in range(3 * NW) if i % 3])
    bonds = set()
    for h in hyd:
        dh = x[h] - x[oxy]
        dh = mic(dh)
        r = np.linalg.norm(dh, axis=1)
        k = np.argmin(r)
        if r[k] >= dhmax:
            continue
        d = oxy[k]
        u = dh[k]  # D -> H
        for a in oxy:
            if a == d:
                continue
            v = x[a] - x[d]
            v = mic(v)
            rv = np.linalg.norm(v)
            cos = u @ v / (np.linalg.norm(u) * rv)
            if rv < rda and np.degrees(np.arccos(np.clip(cos, -1, 1))) < angle:
                bonds.add((d, h, a))
    return bonds


with tempfile.TemporaryDirectory() as tmp:
    o, axes = initial()
    traj = os.path.join(tmp, "water.xyz")
    frames, expected = [], []
    for f in range(NF):
        atoms = Atoms("OH2" * NW, positions=water_positions(o, axes), cell=[L, L, L], pbc=True)
        atoms.wrap()
        atoms.info["time_fs"] = f * DT
        frames.append(atoms)
        expected.append(hbonds_numpy(atoms.positions))
        o, axes = step(o, axes)
    cut = sum(np.linalg.norm(a.positions[i + 1] - a.positions[i]) > 1.25 for a in frames
              for i in range(0, 3 * NW, 3))
    check(cut > 0, "some molecule is cut by a face of the box")
    write(traj, frames, format="extxyz")
    counts = np.array([len(b) for b in expected])

    out, acf = os.path.join(tmp, "hb.csv"), os.path.join(tmp, "acf.csv")
    run = mlpot("analyze", "hbonds", "-o", out, "--acf", acf, "--max-lag", 16, traj)
    check(run.returncode == 0, "hbonds: " + run.stderr)
    print(run.stderr.strip())
    with open(out) as fh:
        header = fh.readline().strip().split(",")
    data = np.loadtxt(out, delimiter=",", skiprows=1, ndmin=2)
    check(header == ["time_fs", "frame", "n_hbonds", "per_donor", "n_O-O"], "header %s" % header)
    print("counts mlpot", data[:, 2].astype(int).tolist(), "numpy", counts.tolist())
    check(np.array_equal(data[:, 2], counts), "counts %s vs numpy %s" % (data[:, 2], counts))
    check(np.array_equal(data[:, 4], counts), "O-O counts")
    check(np.allclose(data[:, 3], counts / NW), "per donor")
    check(np.allclose(data[:, 0], DT * np.arange(NF)), "times")
    check(counts.sum() > NF, "the test system has hydrogen bonds (%d)" % counts.sum())

    # C_I and C_C by brute force over the triples seen
    triples = sorted(set().union(*expected))
    h = np.array([[t in e for e in expected] for t in triples], dtype=float)
    nl = 9
    ci, cc = np.zeros(nl), np.zeros(nl)
    for lag in range(nl):
        den = h[:, :NF - lag].sum()
        ci[lag] = (h[:, :NF - lag] * h[:, lag:]).sum() / den
        cont = np.ones_like(h[:, :NF - lag])
        for s in range(lag + 1):
            cont *= h[:, s:NF - lag + s]
        cc[lag] = cont.sum() / den
    header = open(acf).readline().strip().split(",")
    a = np.loadtxt(acf, delimiter=",", skiprows=1, ndmin=2)
    check(header == ["lag_fs", "C_continuous", "C_intermittent"], "acf header %s" % header)
    check(a.shape == (nl, 3) and np.allclose(a[:, 0], DT * np.arange(nl)), "acf lags %s" % a[:, 0])
    print("C_I mlpot", np.round(a[:, 2], 4).tolist(), "numpy", np.round(ci, 4).tolist())
    check(np.allclose(a[:, 2], ci, atol=1e-9), "C_I %s vs %s" % (a[:, 2], ci))
    check(np.allclose(a[:, 1], cc, atol=1e-9), "C_C %s vs %s" % (a[:, 1], cc))
    # mean uninterrupted stretch
    runs = []
    for row in h:
        k = 0
        for v in list(row) + [0]:
            if v:
                k += 1
            elif k:
                runs.append(k)
                k = 0
    life = DT * np.mean(runs)
    check("continuous lifetime (mean uninterrupted bond) %.4g fs over %d stretches" % (life, len(runs))
          in run.stderr, "lifetime %.4g fs, %d stretches not in stderr" % (life, len(runs)))

    # a tighter angle: the counts follow numpy again
    run = mlpot("analyze", "hbonds", "--angle", 15, "--rda", 3.2, "-o", out, traj)
    tight = np.array([len(hbonds_numpy(a.positions, rda=3.2, angle=15)) for a in frames])
    data = np.loadtxt(out, delimiter=",", skiprows=1, ndmin=2)
    check(run.returncode == 0 and np.array_equal(data[:, 2], tight), "angle 15, rda 3.2: %s vs %s"
          % (data[:, 2], tight))
    print("angle 15°, rda 3.2 Å: mlpot", data[:, 2].astype(int).tolist(), "numpy", tight.tolist())

    # bad input
    refused(["analyze", "hbonds", "--angle", 0, traj], "--angle")
    refused(["analyze", "hbonds", "--angle", 190, traj], "--angle")
    refused(["analyze", "hbonds", "--donors", "O,Xx", traj], "Xx")
    refused(["analyze", "hbonds", "--acceptors", "Qq", traj], "--acceptors")
    refused(["analyze", "hbonds", "--rda", -1, traj], "--rda")
    refused(["analyze", "hbonds", "--donors", "N", traj], "donor")
    refused(["analyze", "msd", "--acf", acf, traj], "--acf")

print("test_hbonds_cli: %d failures" % failures)
sys.exit(1 if failures else 0)
