"""NVE molecular dynamics against LAMMPS (Debian `lmp`): Stillinger-Weber silicon, 64 atoms, the
same positions, velocities and masses, velocity Verlet with a 1 fs step for 100 steps in both
codes; then Nosé-Hoover chains against fix nvt (see the end).

Units: LAMMPS metal velocities are Å/ps, mlpot's Å/fs; both use mass 28.0855 for Si. The two
codes' force-to-acceleration constants differ in the 8th digit: LAMMPS metal has
mvv2e = 1.0364269e-4 (rounded), mlpot CODATA 2018's amu·Å²/fs² = 103.64269652 eV, i.e.
1.0364269652e-4 in Å/ps. Accelerations thus differ by 6.3e-8 relative, which moves atoms apart
by a few 1e-8 Å in 100 steps (measured 3.6e-8 Å). So two mlpot runs are compared:
  - identical masses: positions within 1e-7 Å, velocities within 1e-5 Å/ps (the constant);
  - the mass scaled by 1.0364269e-4 / 1.0364269652e-4, which gives mlpot exactly LAMMPS's
    accelerations: positions within 1e-8 Å (measured 4e-15 Å) and velocities within 1e-8 Å/ps,
    i.e. the integrators agree to rounding.
Without `lmp` the test is skipped, unless MLPOT_REQUIRE_LAMMPS=1, where that is a failure."""
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from ase.build import bulk
from ase.io import read

MLPOT = os.environ["MLPOT_CLI"]
SOURCE = os.environ["MLPOT_SOURCE_DIR"]
LMP = shutil.which(os.environ.get("LMP", "lmp"))
MASS = 28.0855
STEPS = 100

if not LMP:
    if os.environ.get("MLPOT_REQUIRE_LAMMPS") == "1":
        print("LAMMPS (lmp) is required (MLPOT_REQUIRE_LAMMPS=1) but not installed", file=sys.stderr)
        sys.exit(1)
    print("SKIP: lmp not found")
    sys.exit(77)

sw = os.path.join(SOURCE, "examples/silicon/Si.sw")
atoms = bulk("Si", "diamond", a=5.431, cubic=True).repeat((2, 2, 2))
rng = np.random.default_rng(2027)
atoms.positions += rng.normal(scale=0.05, size=atoms.positions.shape)
atoms.wrap()
# Maxwell-Boltzmann at 600 K in Å/fs, centre-of-mass momentum removed
kt = 8.617333262e-5 * 600.0
amu_a2_fs2_ev = 1.66053906660e-27 * 1e10 / 1.602176634e-19
v = rng.normal(size=atoms.positions.shape) * np.sqrt(kt / (MASS * amu_a2_fs2_ev))
v -= v.mean(axis=0)

failures = 0
with tempfile.TemporaryDirectory() as tmp:
    # LAMMPS: data file with Masses and Velocities (Å/ps)
    L = atoms.cell[0, 0]
    with open(os.path.join(tmp, "data.lmp"), "w") as f:
        f.write("mlpot md parity\n\n%d atoms\n1 atom types\n\n" % len(atoms))
        f.write("0 %.17g xlo xhi\n0 %.17g ylo yhi\n0 %.17g zlo zhi\n\n" % (L, L, L))
        f.write("Masses\n\n1 %.17g\n\nAtoms # atomic\n\n" % MASS)
        for i, x in enumerate(atoms.positions):
            f.write("%d 1 %.17g %.17g %.17g\n" % (i + 1, x[0], x[1], x[2]))
        f.write("\nVelocities\n\n")
        for i, u in enumerate(v):
            f.write("%d %.17g %.17g %.17g\n" % (i + 1, 1000 * u[0], 1000 * u[1], 1000 * u[2]))
    def run_lammps(fix):
        with open(os.path.join(tmp, "in.lmp"), "w") as f:
            f.write("units metal\natom_style atomic\nboundary p p p\nread_data data.lmp\n")
            f.write("pair_style sw\npair_coeff * * %s Si\n" % sw)
            f.write("timestep 0.001\nfix 1 all %s\n" % fix)
            f.write("thermo_style custom step pe ke etotal\nthermo_modify format float %.15g\nthermo 50\n")
            f.write("dump 1 all custom %d pos.dump id xu yu zu vx vy vz\n" % STEPS)
            f.write("dump_modify 1 format float %.17g sort id\n")
            f.write("run %d\n" % STEPS)
        run = subprocess.run([LMP, "-in", "in.lmp", "-log", "none"], capture_output=True, text=True, cwd=tmp)
        if run.returncode != 0:
            print("lmp failed:", run.stdout[-2000:], run.stderr[-2000:], file=sys.stderr)
            sys.exit(1)
        # the dump holds step 0 and step STEPS; keep the last snapshot
        lines = open(os.path.join(tmp, "pos.dump")).read().splitlines()
        last = max(k for k, line in enumerate(lines) if line.startswith("ITEM: ATOMS"))
        ref = np.array([[float(t) for t in line.split()] for line in lines[last + 1:last + 1 + len(atoms)]])
        return ref[:, 1:4], ref[:, 4:7]

    x_ref, v_ref = run_lammps("nve")

    # mlpot: the same start as extended XYZ with a velocities column in Å/fs
    start = os.path.join(tmp, "start.xyz")
    # written by hand with 17 digits (ASE's writer rounds to 8 decimals)
    with open(start, "w") as f:
        f.write("%d\nLattice=\"%.17g 0 0 0 %.17g 0 0 0 %.17g\" Properties=species:S:1:pos:R:3:velocities:R:3 "
                "pbc=\"T T T\"\n" % (len(atoms), L, L, L))
        for x, u in zip(atoms.positions, v):
            f.write("Si %.17g %.17g %.17g %.17g %.17g %.17g\n" % (x[0], x[1], x[2], u[0], u[1], u[2]))
    def run_mlpot(mass, name, ensemble=("--ensemble", "nve")):
        traj = os.path.join(tmp, name + ".xyz")
        run = subprocess.run([MLPOT, "md", "-p", "sw:" + sw, "--dt", "1", "--steps", str(STEPS),
                              "--mass", "Si=%.17g" % mass, "--skin", "1.0", "--traj", traj, "--traj-every",
                              str(STEPS), "--quiet"] + list(ensemble) + [start], capture_output=True, text=True)
        if run.returncode != 0:
            print("mlpot md failed:", run.stderr, file=sys.stderr)
            sys.exit(1)
        return read(traj, index=":")

    def compare(frames, what, x_tol, v_tol):
        global failures
        final = frames[-1]
        dx = np.abs(final.positions - x_ref).max()
        dv = np.abs(final.arrays["velocities"] * 1000.0 - v_ref).max()  # Å/ps
        moved = np.abs(final.positions - atoms.positions).max()
        print("mlpot vs LAMMPS after %d steps of SW Si (64 atoms, 600 K start), %s: max |dx| %.3e Å, "
              "max |dv| %.3e Å/ps (atoms moved up to %.3f Å)" % (STEPS, what, dx, dv, moved))
        if len(frames) != 2 or final.info.get("step") != STEPS:
            print("check failed: trajectory has %d frames, last step %s" % (len(frames), final.info.get("step")),
                  file=sys.stderr)
            failures += 1
        if not dx <= x_tol:
            print("check failed: %s: positions differ from LAMMPS by %.3e Å" % (what, dx), file=sys.stderr)
            failures += 1
        if not dv <= v_tol:
            print("check failed: %s: velocities differ from LAMMPS by %.3e Å/ps" % (what, dv), file=sys.stderr)
            failures += 1
        if not moved > 0.05:
            print("check failed: the atoms hardly moved (%.3g Å): nothing was tested" % moved, file=sys.stderr)
            failures += 1

    compare(run_mlpot(MASS, "same_mass"), "identical masses", 1e-7, 1e-5)
    codata_mvv2e = 1e-6 * 1.66053906660e-27 * 1e10 / 1.602176634e-19  # Å/ps, as mlpot
    compare(run_mlpot(MASS * 1.0364269e-4 / codata_mvv2e, "lammps_constant"), "mass scaled to LAMMPS's mvv2e",
            1e-8, 1e-8)

    # Nosé-Hoover chain: LAMMPS fix nvt (chain of 3, period 0.1 ps, thermostat masses N_f kT τ²
    # and kT τ², N_f = 3N - 3) against --ensemble nhc. LAMMPS integrates the chain with one plain
    # Trotter step per half step, mlpot with the seventh-order Suzuki-Yoshida weights, and its
    # Boltzmann constant is 8.617343e-5 (CODATA 2006) against 8.617333262e-5: the chain's forces
    # differ by ~1e-6 relative, the thermostat's integration error is O((dt/τ)³): the
    # trajectories agree to 1e-6 Å (measured 6e-8 Å), while the thermostat itself moves the atoms
    # by 1e-3 Å against NVE.
    x_nve = x_ref
    x_ref, v_ref = run_lammps("nvt temp 600 600 0.1 tchain 3")
    # control: the thermostat moves the atoms far more than the tolerance below
    effect = np.abs(x_ref - x_nve).max()
    print("fix nvt vs fix nve after %d steps: max |dx| %.3e Å" % (STEPS, effect))
    if not effect > 1e-4:
        print("check failed: the thermostat hardly acts (%.3g Å): nothing was tested" % effect, file=sys.stderr)
        failures += 1
    compare(run_mlpot(MASS * 1.0364269e-4 / codata_mvv2e, "nhc",
                      ("--ensemble", "nhc", "--temperature", "600", "--tau", "100", "--chain", "3")),
            "Nose-Hoover chain vs fix nvt", 1e-6, 1e-3)

print("md_lammps: %d failed" % failures)
sys.exit(1 if failures else 0)
