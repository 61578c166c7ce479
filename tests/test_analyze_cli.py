"""mlpot analyze on a real trajectory: Langevin MD of Stillinger-Weber silicon at 3000 K (molten
and diffusing), then msd, rdf, vacf and conductivity. The MSD and RDF in the CSV files are checked
against independent numpy computations from the trajectory read by ASE, D > 0, g(r) -> 1 at large
r; a wrapped copy of the trajectory gives the same MSD; bad input exits 2 naming the problem."""
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
from ase.io import read, write

MLPOT = os.environ["MLPOT_CLI"]
SOURCE = os.environ["MLPOT_SOURCE_DIR"]
SW = "sw:" + os.path.join(SOURCE, "examples/silicon/Si.sw")
SI64 = os.path.join(SOURCE, "examples/silicon/si64_rattled.xyz")

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


def csv(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
    return header, np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)


with tempfile.TemporaryDirectory() as tmp:
    traj = os.path.join(tmp, "md.xyz")
    run = mlpot("md", "-p", SW, "--ensemble", "langevin", "--temperature", 3000, "--friction", 0.02, "--dt", 1,
                "--steps", 2000, "--traj-every", 5, "--traj", traj, "--quiet", "--seed", 3, SI64)
    check(run.returncode == 0, "md: " + run.stderr)
    frames = read(traj, ":")[40:]  # --skip 40
    dt = 5.0

    # --- msd: the CSV against numpy, D > 0 ----------------------------------------------------
    out = os.path.join(tmp, "msd.csv")
    run = mlpot("analyze", "msd", "--skip", 40, "-o", out, traj)
    check(run.returncode == 0, "msd: " + run.stderr)
    header, data = csv(out)
    check(header == ["lag_fs", "msd_Si"], "msd header %s" % header)
    pos = np.array([a.positions for a in frames])
    lags = data.shape[0]
    ref = np.array([np.mean(np.sum((pos[k:] - pos[:len(pos) - k]) ** 2, axis=2)) for k in range(lags)])
    err = np.max(np.abs(data[:, 1] - ref)) / ref[-1]
    print("msd: %d frames, %d lags, largest relative difference from numpy %.2g" % (len(pos), lags, err))
    check(err < 1e-9, "msd differs from numpy by %g" % err)
    check(np.allclose(data[:, 0], dt * np.arange(lags)), "lags in fs from time_fs")
    m = re.search(r"D\(Si\) = (\S+) ± (\S+) Å²/fs \(= (\S+) ± (\S+) cm²/s\)", run.stderr)
    check(m is not None, "summary line: " + run.stderr)
    if m:
        d, e = float(m.group(1)), float(m.group(2))
        t = data[:, 0]
        window = (t >= 0.2 * t[-1] - 1e-9) & (t <= 0.8 * t[-1] + 1e-9)
        slope = np.polyfit(t[window], data[window, 1], 1)[0]
        print("msd: D = %.4g ± %.2g Å²/fs, numpy fit %.4g" % (d, e, slope / 6))
        check(d > 0 and e > 0 and d > 2 * e, "molten silicon diffuses: D = %g ± %g" % (d, e))
        check(abs(d - slope / 6) < 1e-3 * d, "D %g vs numpy fit %g" % (d, slope / 6))
        check(abs(float(m.group(3)) - 0.1 * d) < 1e-3 * d, "cm²/s conversion")

    # a wrapped copy of the trajectory: unwrapped again, the same MSD
    wrapped = os.path.join(tmp, "wrapped.xyz")
    copies = read(traj, ":")
    for a in copies:
        a.wrap()
    write(wrapped, copies, format="extxyz")
    out2 = os.path.join(tmp, "msd2.csv")
    run = mlpot("analyze", "msd", "--skip", 40, "-o", out2, wrapped)
    check(run.returncode == 0 and "unwrapped" in run.stderr, "wrapped msd: " + run.stderr)
    if run.returncode == 0:
        diff = np.max(np.abs(csv(out2)[1] - data))
        print("msd of the wrapped copy: largest difference %.2g Å²" % diff)
        check(diff < 1e-6, "wrapped trajectory msd differs by %g" % diff)

    # --- rdf: the CSV against a numpy minimum-image histogram, g -> 1 -------------------------
    out = os.path.join(tmp, "rdf.csv")
    run = mlpot("analyze", "rdf", "--skip", 40, "--bins", 100, "-o", out, traj)
    check(run.returncode == 0, "rdf: " + run.stderr)
    header, data = csv(out)
    check(header == ["r_A", "g_Si-Si", "n_Si-Si"], "rdf header %s" % header)
    L = frames[0].cell[0, 0]
    rmax = L / 2
    hist = np.zeros(100)
    for a in frames:
        d = a.positions[None, :, :] - a.positions[:, None, :]
        d -= L * np.round(d / L)
        r = np.sqrt(np.sum(d * d, axis=2))[~np.eye(len(a), dtype=bool)]
        hist += np.histogram(r[r < rmax], bins=100, range=(0, rmax))[0]
    edges = np.linspace(0, rmax, 101)
    shell = 4 / 3 * np.pi * (edges[1:] ** 3 - edges[:-1] ** 3)
    n = len(frames[0])
    g_ref = hist / (len(frames) * n * (n - 1) / L ** 3 * shell)
    err = np.max(np.abs(data[:, 1] - g_ref))
    tail = np.mean(data[data[:, 0] > 3.0, 1])  # beyond the first shell, averaged over the oscillations
    print("rdf: largest |g - numpy| %.2g, mean g beyond 3 Å %.3f, first peak %.3f Å, n(rmax) %.2f" %
          (err, tail, data[np.argmax(data[:, 1]), 0], data[-1, 2]))
    check(err < 1e-6, "g(r) differs from numpy by %g" % err)
    check(abs(tail - 1) < 0.12, "g(r) at large r: %g" % tail)
    check(abs(data[-1, 2] - (n - 1) / L ** 3 * 4 / 3 * np.pi * rmax ** 3) < 3, "coordination at rmax")
    check(2.2 < data[np.argmax(data[:, 1]), 0] < 2.6, "first Si-Si peak near 2.4 Å")

    # --- vacf and conductivity run and write their columns -------------------------------------
    out = os.path.join(tmp, "vacf.csv")
    run = mlpot("analyze", "vacf", "--skip", 40, "-o", out, traj)
    check(run.returncode == 0, "vacf: " + run.stderr)
    header, data = csv(out)
    check(header == ["lag_fs", "vacf_Si", "freq_THz", "freq_cm-1", "vdos_Si"], "vacf header %s" % header)
    v2 = np.mean([np.sum(a.arrays["velocities"] ** 2, axis=1).mean() for a in frames]) \
        if "velocities" in frames[0].arrays else None
    if v2 is not None:
        check(abs(data[0, 1] / v2 - 1) < 1e-9, "vacf(0) = <v²>: %g vs %g" % (data[0, 1], v2))
    check(abs(np.trapz(data[:, 4], data[:, 2]) - 1) < 1e-6, "VDOS has unit area over THz")
    check(np.allclose(data[:, 3], data[:, 2] * 33.35640951981521), "THz to cm⁻¹")
    out = os.path.join(tmp, "sigma.csv")
    run = mlpot("analyze", "conductivity", "--skip", 40, "--charges", "Si=1", "--max-lag", 200, "-o", out, traj)
    check(run.returncode == 0 and "sigma(Green-Kubo)" in run.stderr and "sigma(Nernst-Einstein)" in run.stderr,
          "conductivity: " + run.stderr)
    header, data = csv(out)
    check(header == ["lag_fs", "jacf_e2A2_per_fs2", "sigma_S_per_m"] and data.shape[0] == 41,
          "conductivity columns %s, %d rows" % (header, data.shape[0]))

    # --- bad input -----------------------------------------------------------------------------
    refused(["analyze", "msd", os.path.join(tmp, "missing.xyz")], "missing.xyz")
    refused(["analyze", "nonsense", traj], "unknown task 'nonsense'")
    refused(["analyze"], "no TASK")
    refused(["analyze", "rdf", "--bins", "0", traj], "--bins")
    refused(["analyze", "msd", "--dt", "3", traj], "--dt 3 fs, but the trajectory's frames are 5 fs apart")
    refused(["analyze", "conductivity", traj], "--charges")
    refused(["analyze", "conductivity", "--charges", "O=-2", traj], "no charge for Si")
    refused(["analyze", "msd", "--species", "O", traj], "no O atoms")
    refused(["analyze", "msd", "--skip", "100000", traj], "no frames left")
    refused(["analyze", "msd", "--blocks", "1", traj], "--blocks")
    changing = os.path.join(tmp, "changing.xyz")
    with open(changing, "w") as f:
        f.write('2\nLattice="9 0 0 0 9 0 0 0 9" Properties=species:S:1:pos:R:3 pbc="T T T"\nSi 0 0 0\nSi 2 2 2\n')
        f.write('3\nLattice="9 0 0 0 9 0 0 0 9" Properties=species:S:1:pos:R:3 pbc="T T T"\n'
                'Si 0 0 0\nSi 2 2 2\nSi 4 4 4\n')
    for task in ("msd", "rdf"):
        refused(["analyze", task, "--dt", "1", changing], "atom")
    refused(["analyze", "msd", "--dt", "1", changing], "the atom count must not change")
    untimed = os.path.join(tmp, "untimed.xyz")
    plain = [a.copy() for a in frames[:3]]
    for a in plain:
        a.info.pop("time_fs", None)
    write(untimed, plain, format="extxyz")
    refused(["analyze", "msd", "--skip", "0", untimed], "give --dt")
    # a failed run leaves no output behind
    out = os.path.join(tmp, "never.csv")
    mlpot("analyze", "msd", "--species", "O", "-o", out, traj)
    check(not os.path.exists(out), "no output file after a failure")

sys.exit(1 if failures else 0)
