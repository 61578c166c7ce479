"""Extended XYZ interoperability with ASE (Debian python3-ase): files written by ASE are read by
mlpot and written back, files written by mlpot are read by ASE, and every number must survive:
positions, cells (triclinic, mixed periodicity), energies, forces, stress, virial, charges, info
keys of every kind and extra per-atom columns of every type."""
import os
import subprocess
import sys
import tempfile

import numpy as np
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator
from ase.io import read, write

MLPOT = os.environ["MLPOT_CLI"]
failures = 0
checks = 0


def check(condition, what):
    global failures, checks
    checks += 1
    if not condition:
        failures += 1
        print("check failed:", what, file=sys.stderr)


def mlpot(*args):
    run = subprocess.run([MLPOT, *args], capture_output=True, text=True)
    check(run.returncode == 0, "mlpot %s: %s" % (" ".join(args), run.stderr))
    return run


def make_frames():
    rng = np.random.default_rng(7)
    frames = []
    # triclinic periodic cell, calculator results, all column types, all info types
    a = Atoms("SiCSiO", positions=rng.normal(size=(4, 3)) * 2.0,
              cell=[[5.1, 0.2, -0.3], [1.1, 4.9, 0.2], [-0.4, 0.6, 5.3]], pbc=True)
    a.new_array("tags_i", np.array([1, -2, 3, 40], dtype=int))
    a.new_array("flags", np.array([True, False, True, True]))
    a.new_array("vec", rng.normal(size=(4, 3)))
    a.new_array("label", np.array(["x1", "y", "zz", "w"], dtype=object))
    a.info["note"] = "has spaces and \"quotes\""
    a.info["count"] = 42
    a.info["scale"] = 1.25e-7
    a.info["flag"] = True
    a.info["vector"] = np.array([1.5, -2.0, 3.25])
    a.info["config_type"] = "bulk"
    stress = rng.normal(size=6) * 0.01
    a.calc = SinglePointCalculator(a, energy=-12.345678901234567, forces=rng.normal(size=(4, 3)),
                                   stress=stress)
    frames.append(a)
    # slab: periodic in a, b only
    b = Atoms("H2O", positions=[[0, 0, 0], [0.96, 0, 0], [-0.24, 0.93, 0.1]],
              cell=[[6, 0, 0], [0, 7, 0], [0, 0, 20]], pbc=[True, True, False])
    b.calc = SinglePointCalculator(b, energy=1.0 / 3.0, forces=rng.normal(size=(3, 3)))
    frames.append(b)
    # molecule without a cell, charges
    c = Atoms("CO", positions=[[0, 0, 0], [0, 0, 1.128]])
    c.calc = SinglePointCalculator(c, energy=-3.0, forces=np.zeros((2, 3)), charges=np.array([0.3, -0.3]))
    frames.append(c)
    return frames


def compare(x, y, what):
    check(len(x) == len(y), what + ": atoms")
    check(np.array_equal(x.numbers, y.numbers), what + ": numbers")
    check(np.array_equal(x.positions, y.positions), what + ": positions")
    check(np.array_equal(x.cell.array, y.cell.array), what + ": cell")
    check(np.array_equal(x.pbc, y.pbc), what + ": pbc")
    for key in ("energy", "forces", "stress", "charges"):
        try:
            vx = x.calc.get_property(key, allow_calculation=False) if x.calc else None
        except Exception:
            vx = None
        try:
            vy = y.calc.get_property(key, allow_calculation=False) if y.calc else None
        except Exception:
            vy = None
        check((vx is None) == (vy is None), "%s: %s present in both" % (what, key))
        if vx is not None and vy is not None:
            check(np.array_equal(np.asarray(vx), np.asarray(vy)), "%s: %s %s vs %s" % (what, key, vx, vy))
    for key, value in x.info.items():
        check(key in y.info, "%s: info %s kept" % (what, key))
        if key in y.info:
            check(np.array_equal(np.asarray(value), np.asarray(y.info[key])),
                  "%s: info %s %r vs %r" % (what, key, value, y.info[key]))
    for name, array in x.arrays.items():
        if name in ("numbers", "positions"):
            continue
        check(name in y.arrays, "%s: column %s kept" % (what, name))
        if name in y.arrays:
            check(np.array_equal(array, y.arrays[name]), "%s: column %s" % (what, name))


with tempfile.TemporaryDirectory() as tmp:
    frames = make_frames()
    ase_file = os.path.join(tmp, "ase.xyz")
    write(ase_file, frames, format="extxyz")
    # ASE -> mlpot -> ASE: everything ASE wrote comes back
    mlpot_file = os.path.join(tmp, "mlpot.xyz")
    mlpot("convert", ase_file, mlpot_file)
    back = read(mlpot_file, ":", format="extxyz")
    reference = read(ase_file, ":", format="extxyz")
    check(len(back) == len(reference), "frame count")
    for k, (x, y) in enumerate(zip(reference, back)):
        compare(x, y, "frame %d (ASE -> mlpot -> ASE)" % k)

    # mlpot writes from another format (n2p2), ASE reads the same numbers mlpot reports
    shared = os.environ.get("MLPOT_SHARED_DATA", "")
    n2p2 = os.path.join(shared, "n2p2/examples/nnp-train/Cu2S_PBE/input.data")
    if os.path.exists(n2p2):
        out = os.path.join(tmp, "cu2s.xyz")
        mlpot("convert", n2p2, out)
        frames = read(out, ":")
        text = open(n2p2).read().split("begin")[1:]
        check(len(frames) == len(text), "n2p2 frame count")
        first = text[0].split("\n")
        lattice = np.array([[float(v) for v in l.split()[1:4]] for l in first if l.strip().startswith("lattice")])
        atoms = [l.split() for l in first if l.strip().startswith("atom")]
        energy = [float(l.split()[1]) for l in first if l.strip().startswith("energy")][0]
        check(np.array_equal(frames[0].cell.array, lattice), "n2p2 lattice via mlpot")
        check(np.array_equal(frames[0].positions, np.array([[float(v) for v in a[1:4]] for a in atoms])),
              "n2p2 positions via mlpot")
        check(frames[0].get_potential_energy() == energy, "n2p2 energy via mlpot")
        check(np.array_equal(frames[0].get_forces(), np.array([[float(v) for v in a[7:10]] for a in atoms])),
              "n2p2 forces via mlpot")

    # stress given as 6 Voigt values (ASE cannot read those; mlpot can, and writes 9)
    voigt = os.path.join(tmp, "voigt.xyz")
    with open(voigt, "w") as f:
        f.write('1\nLattice="3 0 0 0 3 0 0 0 3" Properties=species:S:1:pos:R:3 energy=1 '
                'stress="1 2 3 4 5 6" pbc="T T T"\nAr 0 0 0\n')
    nine = os.path.join(tmp, "nine.xyz")
    mlpot("convert", voigt, nine)
    s = read(nine).get_stress(voigt=False)
    check(np.array_equal(s, np.array([[1, 6, 5], [6, 2, 4], [5, 4, 3]])), "Voigt stress expanded: %s" % s)

print("test_io_ase: %d checks, %d failed" % (checks, failures))
sys.exit(1 if failures else 0)
