"""`mlpot train` for 4G-HDNNPs in n2p2's two stages, on tests/data/h2o_4g_teacher.data (16 water
boxes labelled with energies, forces and charges by the shipped n2p2 H2O_RPBE-D3_4G model):
- the charges stage fits electronegativity networks and hardnesses to the reference charges (the
  charge RMSE falls by an order of magnitude) and writes a 4G folder without short-range weights;
- the short-range stage on top of it fits energies and forces (both fall), and its folder loads
  in `mlpot eval`, which reproduces the trainer's test errors and gives the charges the first
  stage fitted;
- the charges stage resumes bit-identically after an interruption (hardnesses included), and the
  short-range stage gives identical model files with 1 and 2 threads, and refuses to resume on a
  changed charges-stage folder;
- bad input: n2p2 data without stated units (the Coulomb constant needs them), structures
  without charges, missing Gaussian widths, a 2G folder as the
  electrostatics, a bad screening range - each a clear message and exit code 2."""
import csv
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

MLPOT = os.environ["MLPOT_CLI"]
DATA = os.path.join(os.environ["MLPOT_TEST_DATA"], "h2o_4g_teacher.data")
failures = checks = 0


def check(condition, what):
    global failures, checks
    checks += 1
    if not condition:
        failures += 1
        print("check failed:", what, file=sys.stderr)


def run(args, threads=None):
    env = dict(os.environ)
    if threads:
        env["OMP_NUM_THREADS"] = str(threads)
    return subprocess.run([MLPOT] + args, capture_output=True, text=True, env=env)


def curve(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def files_of(folder):
    return {f: open(os.path.join(folder, f), "rb").read() for f in sorted(os.listdir(folder))}


UNITS = ["--set", "data.energy_unit=eV", "--set", "data.length_unit=Angstrom"]  # n2p2 data carry none
COMMON = UNITS + ["--train", DATA, "--seed", "3", "--set", "model.cutoff=5.0", "--set", "model.radial_count=5",
          "--set", "model.angular_eta_count=2", "--set", "model.angular_zetas=1,4", "--set", "model.hidden_layers=8,8",
          "--set", "training.optimizer=lbfgs", "--set", "training.lbfgs_iterations=25",
          "--set", "data.validation_fraction=0.125", "--set", "data.test_fraction=0.125"]
CHARGES = ["--set", "training.stage=charges", "--set", "model.charge_widths=H=0.31,O=0.66",
           "--set", "model.screening=2.5,5.0", "--set", "loss.charge_sigma=0.001"]

with tempfile.TemporaryDirectory() as tmp:
    q_model, full = os.path.join(tmp, "q"), os.path.join(tmp, "full")
    # 1. charges stage
    r = run(["train"] + COMMON + CHARGES + ["--epochs", "4", "-o", q_model,
             "--set", "output.learning_curve=" + os.path.join(tmp, "q.csv"),
             "--set", "output.checkpoint=" + os.path.join(tmp, "q.ckpt")])
    check(r.returncode == 0, "charges stage: " + r.stderr)
    rows = curve(os.path.join(tmp, "q.csv"))
    q0, q1 = float(rows[0]["train_charge_rmse"]), float(rows[-1]["train_charge_rmse"])
    qv = float(rows[-1]["validation_charge_rmse"])
    print("charges stage: train charge RMSE %.4g -> %.4g e, validation %.4g e" % (q0, q1, qv))
    check(q1 < 0.1 * q0 and q1 < 0.01 and qv < 0.012, "charge RMSE %.3g -> %.3g (validation %.3g)" % (q0, q1, qv))
    check("test set: charges RMSE" in r.stdout, "charges stage reports test charges: " + r.stdout)
    names = sorted(os.listdir(q_model))
    check(names == ["hardness.001.data", "hardness.008.data", "input.nn", "scaling.data", "weightse.001.data",
                    "weightse.008.data"], "charges-stage folder: %s" % names)
    text = open(os.path.join(q_model, "input.nn")).read()
    check("nnp_generation 4" in text and "fixed_gausswidth O 0.66" in text and "screen_electrostatics 2.5 5" in text,
          "charges-stage input.nn keywords")
    hardness = [float(open(os.path.join(q_model, "hardness.%03d.data" % z)).read()) for z in (1, 8)]
    check(all(h > 0 and h != 10.0 for h in hardness), "hardnesses fitted and positive: %s" % hardness)

    # 2. resume of the charges stage: 2 epochs, then resumed to 4, equals the uninterrupted run
    part = os.path.join(tmp, "q-part")
    ckpt = os.path.join(tmp, "part.ckpt")
    args = ["train"] + COMMON + CHARGES + ["-o", part, "--set", "output.learning_curve=", "--set",
                                           "output.checkpoint=" + ckpt]
    r1 = run(args + ["--epochs", "2"])
    r2 = run(args + ["--epochs", "4", "--resume"])
    check(r1.returncode == 0 and r2.returncode == 0, "resume: " + r1.stderr + r2.stderr)
    check(files_of(part) == files_of(q_model), "resumed charges stage ends bit-identical to an uninterrupted run")

    # 3. short-range stage
    r = run(["train"] + COMMON + ["--epochs", "12", "--set", "model.electrostatics=" + q_model, "-o", full,
             "--set", "output.learning_curve=" + os.path.join(tmp, "e.csv"),
             "--set", "output.checkpoint=" + os.path.join(tmp, "e.ckpt")])
    check(r.returncode == 0, "short-range stage: " + r.stderr)
    rows = curve(os.path.join(tmp, "e.csv"))
    e0, e1 = float(rows[0]["train_energy_rmse"]), float(rows[-1]["train_energy_rmse"])
    f0, f1 = float(rows[0]["train_force_rmse"]), float(rows[-1]["train_force_rmse"])
    print("short-range stage: energy RMSE %.4g -> %.4g eV/atom, forces %.4g -> %.4g eV/A" % (e0, e1, f0, f1))
    check(e1 < 0.6 * e0 and f1 < 0.4 * f0, "energy %.3g -> %.3g, forces %.3g -> %.3g" % (e0, e1, f0, f1))
    for z in (1, 8):
        for name in ("weightse.%03d.data", "hardness.%03d.data"):
            check(open(os.path.join(full, name % z)).read() == open(os.path.join(q_model, name % z)).read(),
                  "short-range stage keeps " + name % z)
    # the folder evaluates: charges as stage 1 fitted them; test errors as the trainer reported
    out = os.path.join(tmp, "pred.xyz")
    r = run(["eval", "-p", full, "-o", out, DATA])
    check(r.returncode == 0, "eval of the trained 4G model: " + r.stderr)
    lines = open(out).read().split("\n")
    ref_q, got_q = [], []
    with open(DATA) as f:
        ref_q = [float(l.split()[5]) for l in f if l.startswith("atom")]
    k = 0
    while k < len(lines) and lines[k].strip():
        n = int(lines[k])
        header = lines[k + 1]
        cols = header.split("Properties=")[1].split()[0].split(":")
        props, at = {}, 0
        for j in range(0, len(cols), 3):
            props[cols[j]] = at
            at += int(cols[j + 2])
        for row in lines[k + 2:k + 2 + n]:
            got_q.append(float(row.split()[props["charges"]]))
        k += n + 2
    got_q, ref_q = np.array(got_q), np.array(ref_q)
    rmse_q = float(np.sqrt(np.mean((got_q - ref_q) ** 2)))
    print("eval of the trained model: charge RMSE %.4g e over %d atoms" % (rmse_q, len(ref_q)))
    check(len(got_q) == len(ref_q) == 16 * 48 and rmse_q < 0.012, "eval charges: RMSE %.3g" % rmse_q)

    # 4. the same numbers for any thread count (OpenMP over structures; no threaded BLAS
    # reductions in the charges' response)
    runs = []
    for threads in (1, 2):
        folder = os.path.join(tmp, "t%d" % threads)
        r = run(["train"] + COMMON + ["--epochs", "2", "--set", "model.electrostatics=" + q_model, "-o", folder,
                 "--set", "output.learning_curve=", "--set", "output.checkpoint="], threads)
        check(r.returncode == 0, "threads %d: %s" % (threads, r.stderr))
        runs.append(files_of(folder))
    check(runs[0] == runs[1], "short-range stage: model files identical with 1 and 2 threads")

    # a resume of the short-range stage on a changed charges-stage folder is refused
    qcopy = os.path.join(tmp, "q-copy")
    shutil.copytree(q_model, qcopy)
    args = ["train"] + COMMON + ["--set", "model.electrostatics=" + qcopy, "-o", os.path.join(tmp, "r"),
                                 "--set", "output.learning_curve=", "--set", "output.checkpoint=" + os.path.join(tmp, "r.ckpt")]
    r1 = run(args + ["--epochs", "1"])
    with open(os.path.join(qcopy, "hardness.008.data"), "w") as f:
        f.write("12.5\n")
    r2 = run(args + ["--epochs", "2", "--resume"])
    check(r1.returncode == 0 and r2.returncode != 0 and "different configuration" in r2.stderr,
          "resume on a changed electrostatics folder: %s %s" % (r1.stderr, r2.stderr))

    # 5. bad input
    nocharge = os.path.join(tmp, "nocharge.data")
    with open(DATA) as f, open(nocharge, "w") as g:
        for line in f:
            if line.startswith("atom"):
                w = line.split()
                w[5] = "0.0"
                line = " ".join(w) + "\n"
            g.write(line)
    cases = [
        (UNITS + ["--train", nocharge] + CHARGES, "no reference charges"),
        (UNITS + ["--train", DATA, "--set", "training.stage=charges"], "model.charge_widths gives no Gaussian width"),
        (UNITS + ["--train", DATA] + CHARGES + ["--set", "model.screening=5,2"], "inner radius"),
        (UNITS + ["--train", DATA, "--set", "model.electrostatics=" + os.path.join(tmp, "nowhere")], "nowhere"),
        (UNITS + ["--train", DATA, "--set", "model.charge_widths=H=-1"], "model.charge_widths"),
        (UNITS + ["--train", DATA, "--set", "training.stage=charge_and_more"], "is not energy or charges"),
        (["--train", DATA] + CHARGES, "carry no units"),
    ]
    for extra, message in cases:
        r = run(["train", "-q", "--epochs", "1", "-o", os.path.join(tmp, "bad"), "--set", "output.checkpoint=",
                 "--set", "output.learning_curve="] + extra)
        check(r.returncode == 2 and message in r.stderr, "bad input %s: exit %d, %s" % (extra[-1], r.returncode, r.stderr))

print("test_train_4g_cli: %d checks, %d failed" % (checks, failures))
sys.exit(1 if failures else 0)
