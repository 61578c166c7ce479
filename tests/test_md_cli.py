"""mlpot md and mlpot relax from the command line: bad input refused with exit 2 and a message
naming the option or file; a failure mid-run exits 1 naming the step; a run killed with SIGKILL
and resumed from its checkpoint writes byte for byte the trajectory and log of an uninterrupted
run (also NPT and Nosé-Hoover runs stopped and resumed); relax converges SW silicon and reports
non-convergence with exit 1."""
import os
import signal
import subprocess
import sys
import tempfile
import time

import numpy
from ase import units
from ase.io import read

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
    return subprocess.run([MLPOT] + list(args), capture_output=True, text=True)


def refused(args, needle, code=2):
    run = mlpot(*args)
    check(run.returncode == code and needle in run.stderr,
          "%s: exit %d, stderr %r (expected %d and %r)" % (" ".join(args), run.returncode, run.stderr[-400:], code, needle))


with tempfile.TemporaryDirectory() as tmp:
    base = ["md", "-p", SW, "--steps", "10", "--quiet"]
    refused(base + ["--dt", "0", SI64], "timestep 0 fs")
    refused(base + ["--dt", "-1", SI64], "must be positive")
    refused(base + ["--dt", "2000", SI64], "beyond the limit")
    refused(base + ["--dt", "abc", SI64], "--dt: 'abc' is not a number")
    refused(base + ["--temperature", "-5", SI64], "temperature -5")
    refused(base + ["--ensemble", "npx", SI64], "unknown ensemble 'npx'")
    refused(base + ["--ensemble", "npt", "--thermostat", "nve", SI64], "--thermostat: 'nve'")
    refused(base + ["--ensemble", "npt", "--tau-p", "0", SI64], "barostat time constant")
    refused(base + ["--ensemble", "npt", "--cell-coupling", "xyz", SI64], "--cell-coupling: 'xyz'")
    refused(base + ["--ensemble", "npt", "--pressure", "1atm", SI64], "--pressure: '1atm'")
    refused(base + ["--ensemble", "nhc", "--chain", "0", SI64], "--chain must be between 1 and 10")
    refused(base + ["--ensemble", "langevin", "--friction", "0", SI64], "friction")
    refused(base + ["--ensemble", "bussi", "--tau", "-3", SI64], "time constant")
    refused(base + ["--mass", "Xx=3", SI64], "--mass: 'Xx=3'")
    refused(base + ["--mass", "Si=-3", SI64], "must be positive")
    refused(base + [os.path.join(tmp, "missing.xyz")], "missing.xyz")
    refused(["md", "-p", SW, SI64], "--steps N is required")
    refused(base + ["--resume", SI64], "--resume needs --checkpoint")
    refused(["md", "-p", "sw:/nonexistent/Si.sw", "--steps", "1", SI64], "/nonexistent/Si.sw")

    # hydrogen: 12 fs is beyond the limit, deuterium (--mass H=2.014) allows it
    h2 = os.path.join(tmp, "h2.xyz")
    with open(h2, "w") as f:
        f.write('2\nProperties=species:S:1:pos:R:3 pbc="F F F"\nH 0 0 0\nH 3 0 0\n')
    zero = "lj:epsilon=0,sigma=1,cutoff=2"
    refused(["md", "-p", zero, "--steps", "1", "--dt", "12", h2], "lightest mass 1.008")
    run = mlpot("md", "-p", zero, "--steps", "1", "--dt", "12", "--mass", "H=2.014", "--quiet", h2)
    check(run.returncode == 0, "deuterium at 12 fs: " + run.stderr)

    # atoms running into each other: exit 1 naming the step
    two = os.path.join(tmp, "two.xyz")
    with open(two, "w") as f:
        f.write('2\nProperties=species:S:1:pos:R:3:velocities:R:3 pbc="F F F"\n'
                'Ar 0 0 0 0.01 0 0\nAr 2 0 0 -0.01 0 0\n')
    refused(["md", "-p", zero, "--steps", "1000", "--quiet", two], "step 95", code=1)

    # kill -9 and resume: byte-identical outputs
    common = ["md", "-p", SW, "--ensemble", "langevin", "--temperature", "900", "--seed", "5", "--steps", "20000",
              "--traj-every", "100", "--log-every", "10", "--checkpoint-every", "250", "--quiet"]
    ref = [os.path.join(tmp, n) for n in ("ref.xyz", "ref.csv", "ref.ckpt")]
    run = mlpot(*(common + ["--traj", ref[0], "--log", ref[1], "--checkpoint", ref[2], SI64]))
    check(run.returncode == 0, "reference run: " + run.stderr)
    out = [os.path.join(tmp, n) for n in ("run.xyz", "run.csv", "run.ckpt")]
    args = common + ["--traj", out[0], "--log", out[1], "--checkpoint", out[2], SI64]
    proc = subprocess.Popen([MLPOT] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    # kill once a few checkpoints exist and the log is past them
    while time.time() < deadline and proc.poll() is None:
        try:
            lines = open(out[1]).read().count("\n")
        except OSError:
            lines = 0
        if lines > 300:
            break
        time.sleep(0.01)
    interrupted = proc.poll() is None
    if interrupted:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    killed_at = open(out[1]).read().count("\n")
    print("killed with SIGKILL after %d log lines (interrupted: %s)" % (killed_at, interrupted))
    check(interrupted, "the run finished before it could be killed: the resume path was not tested")
    run = mlpot(*(args + ["--resume"]))
    check(run.returncode == 0, "resume: " + run.stderr)
    for a, b in zip(ref[:2], out[:2]):
        same = open(a, "rb").read() == open(b, "rb").read()
        check(same, "%s differs from the uninterrupted run's %s after kill -9 and --resume" % (b, a))
    frames = read(out[0], index=":")
    check(len(frames) == 201 and frames[-1].info["step"] == 20000, "trajectory has %d frames" % len(frames))
    header = open(out[1]).readline().strip()
    check(header == "step,time_fs,T_K,E_pot_eV,E_kin_eV,E_conserved_eV,P_GPa,volume_A3", "log header " + header)
    # resuming with other options is refused
    refused(common[:-1] + ["--seed", "6", "--traj", out[0], "--log", out[1], "--checkpoint", out[2], "--resume",
                           SI64], "other options")

    # NPT and Nosé-Hoover: a run stopped at a checkpoint and resumed writes the log of an
    # uninterrupted one; --pressure in GPa and in bar mean the same
    for extra in (["--ensemble", "npt", "--thermostat", "langevin", "--cell-coupling", "tri", "--pressure", "0.1",
                   "--compressibility", "1e-6", "--tau-p", "200"],
                  ["--ensemble", "npt", "--pressure", "1000bar", "--compressibility", "1e-6", "--tau-p", "200"],
                  ["--ensemble", "nhc", "--chain", "4"]):
        logs = []
        for name, steps, resume in (("full", "600", []), ("part", "300", []), ("part", "600", ["--resume"])):
            ckpt, log = os.path.join(tmp, name + ".ckpt"), os.path.join(tmp, name + ".csv")
            run = mlpot(*(["md", "-p", SW, "--temperature", "600", "--steps", steps, "--log-every", "20",
                           "--checkpoint", ckpt, "--log", log, "--quiet"] + extra + resume + [SI64]))
            check(run.returncode == 0, " ".join(extra) + ": " + run.stderr)
            logs.append(open(log).read())
        check(logs[0] == logs[2], " ".join(extra) + ": resumed log differs from the uninterrupted one")
        rows = [list(map(float, l.split(","))) for l in logs[0].splitlines()[1:]]
        drift = max(abs(r[5] - rows[0][5]) for r in rows)
        volumes = sorted(r[7] for r in rows)
        print("%s: 600 steps, max |E_conserved - start| %.2e eV, volume %.1f..%.1f A^3"
              % (" ".join(extra), drift, volumes[0], volumes[-1]))
        check(drift < 0.02, "conserved energy drift %.3g eV" % drift)
        if "npt" in extra:
            check(volumes[-1] > volumes[0], "the volume did not change under the barostat")
    outs = []
    for p in ("1000bar", "0.1", "0.1GPa"):
        log = os.path.join(tmp, "p.csv")
        run = mlpot("md", "-p", SW, "--steps", "50", "--log", log, "--quiet", "--ensemble", "npt", "--pressure", p,
                    "--compressibility", "1e-6", SI64)
        outs.append(open(log).read())
    check(outs[0] == outs[1] == outs[2], "--pressure 1000bar, 0.1 and 0.1GPa differ")

    # relax: converges to the diamond minimum; too few steps -> exit 1, output still written
    relaxed = os.path.join(tmp, "relaxed.xyz")
    run = mlpot("relax", "-p", SW, "--fmax", "0.001", "-o", relaxed, "--quiet", SI64)
    check(run.returncode == 0, "relax: " + run.stderr)
    frame = read(relaxed)
    e = frame.get_potential_energy()
    fmax = (frame.get_forces() ** 2).sum(axis=1).max() ** 0.5
    print("mlpot relax: E %.8f eV (diamond minimum -277.54239968), fmax %.2e eV/Å" % (e, fmax))
    check(abs(e - -277.54239968) < 1e-5 and fmax < 1e-3, "relaxed energy %.8f, fmax %.2e" % (e, fmax))
    refused(["relax", "-p", SW, "--max-steps", "2", "--fmax", "0.001", "-o", relaxed, SI64], "NOT converged", code=1)
    refused(["relax", "-p", SW, "--method", "newton", "-o", relaxed, SI64], "--method: 'newton'")
    refused(["relax", "-p", SW, "--fmax", "0", "-o", relaxed, SI64], "--fmax must be positive")
    run = mlpot("relax", "-p", SW, "--method", "lbfgs", "--fmax", "0.001", "-o", relaxed, "--quiet", SI64)
    check(run.returncode == 0 and abs(read(relaxed).get_potential_energy() - -277.54239968) < 1e-5,
          "relax with L-BFGS: " + run.stderr)

    # relax --cell: a strained, sheared 8-atom cell back to the SW lattice constant at 0 GPa,
    # smaller under --pressure 5
    from ase.build import bulk
    strained = os.path.join(tmp, "strained.xyz")
    atoms = bulk("Si", "diamond", a=5.6, cubic=True)
    atoms.set_cell(atoms.cell[:] @ [[1, 0.02, 0], [0.02, 1, 0], [0, 0, 1.01]], scale_atoms=True)
    atoms.write(strained)
    for p, expect in (("0", 5.43095), ("5", None)):
        run = mlpot("relax", "-p", SW, "--pressure", p, "--smax", "0.0005", "--fmax", "1e-4", "-o", relaxed,
                    "--quiet", strained)
        check(run.returncode == 0, "relax --pressure %s: %s" % (p, run.stderr))
        frame = read(relaxed)
        lengths = frame.cell.lengths()
        stress = frame.get_stress(voigt=False) / units.GPa
        print("mlpot relax --pressure %s: cell lengths %s, stress %s GPa" % (p, lengths, stress.diagonal()))
        if expect:
            check(abs(lengths - expect).max() < 1e-3, "relaxed lengths %s" % lengths)
        else:
            check(lengths.max() < 5.40, "no shrinking under 5 GPa: %s" % lengths)
        check(abs(stress + float(p) * numpy.eye(3)).max() < 0.0005, "stress %s" % stress)
    refused(["relax", "-p", SW, "--smax", "0", "-o", relaxed, SI64], "--smax must be positive")

print("md_cli: %d failed" % failures)
sys.exit(1 if failures else 0)
