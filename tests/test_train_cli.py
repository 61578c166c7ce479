"""`mlpot train` end to end on a small silicon set labelled with the shipped Stillinger-Weber
potential:
- the trained model loads in `mlpot eval` and reproduces the test errors the trainer reported;
- the same seed gives bit-identical model files with 1 and 2 threads;
- a run killed with SIGKILL mid-training and resumed ends with model files bit-identical to an
  uninterrupted run (and the same learning curve apart from wall times), and the resume removes
  the hidden temporaries a kill in the middle of a write leaves;
- the Kalman filter (training.optimizer kalman) lowers the errors, gives identical model files
  with 1 and 2 threads, and a run stopped after 4 epochs and resumed to 8 ends identical to a
  run of 8; so does its moving average of the parameters (training.ema_decay);
- per-structure noise levels (gap_fit's energy_sigma, force_sigma, virial_sigma, absolute) train
  as the run's loss.*_sigma would, bit for bit; frames of config_weight 0 change nothing, of
  weight 1 with absurd labels they spoil the fit; bad values are named with file and line;
- an n2p2 training input.nn (Kalman keywords, networks, symmetry functions, input.data beside
  it) is a configuration: `mlpot train input.nn` trains with its settings, and keywords mlpot
  does not reproduce, or misspelt ones, fail naming the line;
- bad input (missing or NaN labels, an element no training structure has, unknown keys, wrong
  values, an empty split) fails before training with a message naming the problem and exit code
  2; labels so large that the untrained model's loss overflows stop before anything is written;
  a run that diverges stops with exit code 1 and keeps its best model and last checkpoint."""
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np
from ase.build import bulk
from ase.io import read, write

MLPOT = os.environ["MLPOT_CLI"]
SOURCE = os.environ["MLPOT_SOURCE_DIR"]
failures = checks = 0


def check(condition, what):
    global failures, checks
    checks += 1
    if not condition:
        failures += 1
        print("check failed:", what, file=sys.stderr)


def run(args, env=None, **kw):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([MLPOT] + args, capture_output=True, text=True, env=e, **kw)


def files_of(folder):
    return {f: open(os.path.join(folder, f), "rb").read() for f in sorted(os.listdir(folder))}


def fnv1a(h, data):
    for byte in data:
        h = ((h ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def config_fingerprint(printed, legacy):
    """The checkpoint's fingerprint of a configuration, from its --print-config text: FNV-1a of
    "key\\0value\\0" for every key but the output paths, epochs, early stopping, resume, keys
    added later at their old default, and the step sizes (which checkpoints written before
    2026-12-06 hashed too: legacy)."""
    h, section = 0xCBF29CE484222325, ""
    for line in printed.splitlines():
        if not line or line.startswith("#"):
            continue
        if not line.startswith(" "):
            section = line.split(":")[0]
            continue
        name, _, rest = line[2:].partition(":")
        key, value = section + "." + name, rest.split("  # ")[0].strip()
        value = json.loads(value) if value.startswith('"') else value  # strings are quoted only when printed
        if (section == "output" or key in ("training.epochs", "training.resume", "training.early_stopping")
                or (key, value) in (("training.selection", "mean"), ("training.keep_last", "false"),
                                    ("training.ema_decay", "0"),
                                    ("training.stress_fraction", "1"), ("model.scaling", "scale_center"),
                                    ("model.angular_shifted", "false"), ("model.initial_weights", ""))
                or (key in ("training.learning_rate", "training.kalman_etamax") and not legacy)):
            continue
        h = fnv1a(fnv1a(h, key.encode() + b"\0"), value.encode() + b"\0")
    return h


def printed_settings(printed):
    """{key: value} of --print-config's output (keys without their section)."""
    return dict(l.split("#")[0].strip().split(": ", 1) for l in printed.splitlines() if l.startswith("  ") and ": " in l)


def checkpoint_epoch(path):
    try:
        with open(path, "rb") as f:
            head = f.read(24)
        return struct.unpack("<i", head[20:24])[0] if len(head) == 24 else -1
    except OSError:
        return -1


with tempfile.TemporaryDirectory() as tmp:
    # data: rattled and strained 8-atom silicon cells, labelled by SW
    rng = np.random.default_rng(5)
    frames = []
    for k in range(24):
        a = bulk("Si", "diamond", a=5.43 * (1 + 0.03 * rng.standard_normal()), cubic=True)
        a.rattle(0.08, seed=int(rng.integers(1 << 30)))
        frames.append(a)
    raw = os.path.join(tmp, "raw.xyz")
    write(raw, frames, format="extxyz")
    import warnings
    warnings.simplefilter("ignore")
    labelled = os.path.join(tmp, "si.xyz")
    r = run(["eval", "-p", "sw:" + os.path.join(SOURCE, "examples", "silicon", "Si.sw"), "-o", labelled, raw])
    check(r.returncode == 0, "labelling with SW: " + r.stderr)
    data, test = os.path.join(tmp, "train.xyz"), os.path.join(tmp, "test.xyz")
    everything = read(labelled, ":")
    write(data, everything[:20], format="extxyz")
    write(test, everything[20:], format="extxyz")
    config = os.path.join(tmp, "train.yaml")
    with open(config, "w") as f:
        f.write("""# a small, fast model
data:
  train: [%s]
  test: [%s]
  validation_fraction: 0.15
model:
  cutoff: 4.0
  radial_count: 5
  angular_eta_count: 2
  angular_zetas: [1, 4]
  hidden_layers: [8, 8]
training:
  epochs: 30
  batch_size: 4
  learning_rate: 0.01
  seed: 7
""" % (data, test))

    def train(folder, extra=(), env=None, **kw):
        return run(["train", config, "-q", "-o", os.path.join(tmp, folder), "--set",
                    "output.checkpoint=" + os.path.join(tmp, folder + ".ckpt"), "--set",
                    "output.learning_curve=" + os.path.join(tmp, folder + ".csv")] + list(extra), env=env, **kw)

    def prediction_path(name):
        return os.path.join(tmp, "pred_%s.xyz" % name)

    def predict(spec, name):
        """mlpot eval of the model spec on the test frames, kept as pred_<name>.xyz: the frames."""
        r = run(["eval", "-p", spec, "-o", prediction_path(name), test])
        check(r.returncode == 0, "eval of %s: %s" % (spec, r.stderr))
        return read(prediction_path(name), ":")

    def eval_rmse(model):
        """A written model's test RMSE in mlpot eval: energy meV/atom, forces meV/A."""
        pred, ref = predict(os.path.join(tmp, model), model), read(test, ":")
        e_err = np.array([(p.get_potential_energy() - q.get_potential_energy()) / len(q) for p, q in zip(pred, ref)])
        f_err = np.concatenate([(p.get_forces() - q.get_forces()).ravel() for p, q in zip(pred, ref)])
        return 1e3 * np.sqrt(np.mean(e_err ** 2)), 1e3 * np.sqrt(np.mean(f_err ** 2))

    # 1. a run, and the model in mlpot eval
    r = train("one", env={"OMP_NUM_THREADS": "1"})
    check(r.returncode == 0, "training: " + r.stderr)
    report = r.stdout
    check("test set: energy RMSE" in report, "report: " + report)
    reported = float(report.split("test set: energy RMSE")[1].split()[0])
    reported_f = float(report.split("forces RMSE")[1].split()[0])
    rmse_e, rmse_f = eval_rmse("one")
    check(abs(rmse_e - reported) <= 1e-3 * reported and abs(rmse_f - reported_f) <= 1e-3 * reported_f,
          "the written model in mlpot eval gives the reported test errors: %g vs %g meV/atom, %g vs %g meV/A"
          % (rmse_e, reported, rmse_f, reported_f))
    curve = np.genfromtxt(os.path.join(tmp, "one.csv"), delimiter=",", names=True)
    check(curve["epoch"][-1] == 30, "learning curve has every epoch")
    check(curve["train_force_rmse"][-1] < 0.7 * curve["train_force_rmse"][0],
          "training lowers the force error: %g -> %g" % (curve["train_force_rmse"][0], curve["train_force_rmse"][-1]))

    # training.keep_last writes the last epoch's model; the training path is the same
    r = train("kept", ["--epochs", "12", "--set", "training.keep_last=true"], env={"OMP_NUM_THREADS": "1"})
    check(r.returncode == 0 and "kept epoch 12 of 12" in r.stdout, "keep_last: " + r.stdout + r.stderr)
    r_best = train("best", ["--epochs", "12"], env={"OMP_NUM_THREADS": "1"})
    check(r_best.returncode == 0 and "best epoch" in r_best.stdout, "12 epochs: " + r_best.stderr)
    best_epoch = int(r_best.stdout.split("best epoch")[1].split()[0])
    a = np.genfromtxt(os.path.join(tmp, "kept.csv"), delimiter=",", names=True)
    b = np.genfromtxt(os.path.join(tmp, "best.csv"), delimiter=",", names=True)
    check(len(a) == len(b) and all(np.array_equal(a[n], b[n], equal_nan=True) for n in a.dtype.names if n != "time_s"),
          "keep_last leaves the learning curve as it was")
    kept_e, _ = eval_rmse("kept")  # its predictions stay in prediction_path("kept")
    check(abs(kept_e - float(r.stdout.split("test set: energy RMSE")[1].split()[0])) <= 1e-3 * kept_e,
          "the kept run reports its written model's test errors")
    kept = np.array([p.get_forces() for p in read(prediction_path("kept"), ":")])
    best = np.array([p.get_forces() for p in predict(os.path.join(tmp, "best"), "best")])
    check((best_epoch == 12) == np.array_equal(kept, best),
          "the kept model is the best epoch's (%d) only where that is the last" % best_epoch)

    # model.initial_weights: the fit starts from a model's weights, scaling and reference energies.
    # With no epochs the model written is that model, and its learning curve's one row holds the
    # errors of that model's best epoch.
    def written_model(folder):
        """A model folder as written: input.nn without its comment lines, scaling.data, the Si weights."""
        with open(os.path.join(tmp, folder, "input.nn")) as f:
            text = [l for l in f if not l.startswith("#")]
        return text + [open(os.path.join(tmp, folder, name), "rb").read() for name in ("scaling.data", "weights.014.data")]

    one_best = int(report.split("best epoch")[1].split()[0])
    r = train("from_one", ["--epochs", "0", "--set", "model.initial_weights=" + os.path.join(tmp, "one")])
    check(r.returncode == 0 and written_model("from_one") == written_model("one"),
          "0 epochs from initial weights write the model they came from: " + r.stderr)
    a = np.genfromtxt(os.path.join(tmp, "one.csv"), delimiter=",", names=True)
    b = np.genfromtxt(os.path.join(tmp, "from_one.csv"), delimiter=",", names=True)
    errors = [n for n in a.dtype.names if n.endswith("_rmse") or n.endswith("_mae")]
    check(b.size == 1 and all(np.array_equal(a[n][one_best], b[n], equal_nan=True) for n in errors),
          "the curve starts at the errors of the initial model's best epoch %d" % one_best)
    # a run from initial weights resumes as it would have gone on (the weights come from the
    # checkpoint), and is refused when the folder's scaling has changed since
    shutil.copytree(os.path.join(tmp, "one"), os.path.join(tmp, "one_copy"))
    start = ["--set", "model.initial_weights=" + os.path.join(tmp, "one_copy")]
    r1 = train("cont", start + ["--epochs", "2"])
    r2 = train("cont", start + ["--epochs", "4", "--resume"])
    r3 = train("cont_whole", start + ["--epochs", "4"])
    check(r1.returncode == r2.returncode == r3.returncode == 0 and written_model("cont") == written_model("cont_whole"),
          "a run from initial weights, resumed after 2 of 4 epochs, ends as the uninterrupted one: " + r2.stderr + r3.stderr)
    scaling_path = os.path.join(tmp, "one_copy", "scaling.data")
    rows = open(scaling_path).read().split("\n")
    first = next(k for k, l in enumerate(rows) if l.strip() and not l.startswith("#"))
    words = rows[first].split()
    words[2] = repr(float(words[2]) - 0.01)
    rows[first] = " ".join(words)
    with open(scaling_path, "w") as f:
        f.write("\n".join(rows))
    r = train("cont", start + ["--epochs", "6", "--resume"])
    check(r.returncode != 0 and "different configuration" in r.stderr,
          "a resume after the initial model's scaling changed is refused: exit %d, %s" % (r.returncode, r.stderr.strip()))
    # what must agree for the weights to mean what they meant, each named
    for setting, phrase in (("model.hidden_layers=9,8", "the network of Si is"),
                            ("model.activation=p", "the network of Si is"),
                            ("model.radial_count=6", "symmetry functions of Si, the configuration's"),
                            ("model.cutoff=4.5", "symmetry function 1 of Si is"),
                            ("model.scaling=scale", "the configuration's model.scaling scale"),
                            ("model.reference_energies=Si=-4", "the reference energy of Si is")):
        r = train("bad_start", ["--epochs", "1", "--set", "model.initial_weights=" + os.path.join(tmp, "one"), "--set", setting])
        check(r.returncode == 2 and phrase in r.stderr and not os.path.exists(os.path.join(tmp, "bad_start")),
              "initial weights with %s: exit %d, %s" % (setting, r.returncode, r.stderr.strip()))

    # model.radial_r_lower: auto puts the closest pair of the training frames on the radial
    # grid's second centre: the reported pair is one of the frames' own closest pairs (ASE's
    # neighbour list) and no closer than the closest of all of them (the validation frames drawn
    # from the file may hold it), and the written functions start one grid spacing below it
    r = train("auto_grid", ["--epochs", "0", "--set", "model.radial_r_lower=auto"])
    line = [l for l in r.stdout.splitlines() if l.startswith("radial grid from")]
    from ase.neighborlist import neighbor_list
    frame_closest = [neighbor_list("d", a, 4.0).min() for a in read(data, ":")]
    ok = r.returncode == 0 and len(line) == 1
    if ok:
        r_lower, closest = float(line[0].split()[3]), float(line[0].split()[-2])
        with open(os.path.join(tmp, "auto_grid", "input.nn")) as f:
            centres = [float(l.split()[5]) for l in f if l.startswith("symfunction_short") and l.split()[2] == "2"]
        ok = (min(abs(closest - d) for d in frame_closest) < 1e-3 and closest >= min(frame_closest) - 1e-3 and
              abs(centres[0] - r_lower) < 1e-3 and abs(centres[1] - closest) < 1e-3 and
              abs(centres[1] - centres[0] - (4.0 - centres[0]) / len(centres)) < 1e-12)
    check(ok, "radial_r_lower auto: %s %s; frames' closest pairs %s" % (line, r.stderr, np.round(sorted(frame_closest)[:3], 4)))
    r = train("bad_grid", ["--epochs", "0", "--set", "model.radial_r_lower=automatic"])
    check(r.returncode == 2 and "model.radial_r_lower: 'automatic' is neither a number nor auto" in r.stderr,
          "radial_r_lower automatic: exit %d, %s" % (r.returncode, r.stderr.strip()))

    # n2p2's sigma scaling (standardised inputs): the written model says so, and mlpot eval of it
    # gives the reported test errors
    r = train("sigma", ["--epochs", "5", "--set", "model.scaling=sigma", "--set", "model.scale_min=0", "--set",
                        "model.scale_max=1"])
    check(r.returncode == 0, "training with model.scaling sigma: " + r.stderr)
    reported = float(r.stdout.split("test set: energy RMSE")[1].split()[0]) if "test set" in r.stdout else float("nan")
    with open(os.path.join(tmp, "sigma", "input.nn")) as f:
        keywords = [l.split()[0] for l in f if l.strip() and not l.startswith("#")]
    scaled = np.loadtxt(os.path.join(tmp, "sigma", "scaling.data"))
    rmse_e = eval_rmse("sigma")[0]
    check("scale_symmetry_functions_sigma" in keywords and "center_symmetry_functions" not in keywords and
          scaled.shape[1] == 6 and np.all(scaled[:, 5] > 0) and abs(rmse_e - reported) <= 1e-3 * reported,
          "the sigma-scaled model: keyword written, sigma column, eval gives the reported %g meV/atom (%g)" % (reported, rmse_e))

    # per-structure noise levels and weights. A frame's own energy_sigma (eV, of its energy),
    # force_sigma and virial_sigma are gap_fit's absolute per-configuration keys: every training
    # frame given twice the run's noise levels trains the model the run with loss.energy_sigma
    # and loss.force_sigma doubled does, bit for bit (Adam, and the Kalman filter, whose
    # measurements are scaled by them)
    noisy = os.path.join(tmp, "noisy.xyz")
    frames_n = read(data, ":")
    for a in frames_n:
        a.info["energy_sigma"], a.info["force_sigma"] = repr(len(a) * 0.002), repr(0.1)
    write(noisy, frames_n, format="extxyz")
    doubled = ["--set", "loss.energy_sigma=0.002", "--set", "loss.force_sigma=0.1"]
    for name, extra in (("adam", []), ("kalman", ["--set", "training.optimizer=kalman", "--set", "training.kalman_batch=4"])):
        r1 = train("own_sigma_" + name, ["--epochs", "4", "--set", "data.train=[%s]" % noisy] + extra)
        r2 = train("run_sigma_" + name, ["--epochs", "4"] + doubled + extra)
        r3 = train("plain_sigma_" + name, ["--epochs", "4"] + extra)
        check(r1.returncode == 0 and r2.returncode == 0 and r3.returncode == 0, "noise levels: " + r1.stderr + r2.stderr + r3.stderr)
        same = files_of(os.path.join(tmp, "own_sigma_" + name)) == files_of(os.path.join(tmp, "run_sigma_" + name))
        plain = files_of(os.path.join(tmp, "own_sigma_" + name)) == files_of(os.path.join(tmp, "plain_sigma_" + name))
        check(same and not plain, "%s: the frames' own noise levels train as the run's doubled (%s), not as the run's (%s)"
              % (name, same, plain))
    # a frame that sets one noise level keeps the run's others
    force_only = os.path.join(tmp, "force_only.xyz")
    for a in frames_n:
        del a.info["energy_sigma"]
    write(force_only, frames_n, format="extxyz")
    r1 = train("own_force_sigma", ["--epochs", "4", "--set", "data.train=[%s]" % force_only])
    r2 = train("run_force_sigma", ["--epochs", "4", "--set", "loss.force_sigma=0.1"])
    check(r1.returncode == 0 and r2.returncode == 0 and
          files_of(os.path.join(tmp, "own_force_sigma")) == files_of(os.path.join(tmp, "run_force_sigma")),
          "frames' own force_sigma alone trains as loss.force_sigma: " + r1.stderr + r2.stderr)
    # config_weight (MACE's key): frames of weight 0 with absurd labels change nothing (L-BFGS on
    # the full batch, given reference energies and min-max scaling, which copies of training
    # geometries leave as they were); of weight 1 they spoil the fit
    def spoilt(weight):
        path = os.path.join(tmp, "spoilt_%g.xyz" % weight)
        extra_frames = read(data, "2:5")  # copies of training frames
        for a in extra_frames:
            a.calc.results["energy"] += 50.0
            a.calc.results["forces"] = -3.0 * a.get_forces()
            a.info["config_weight"] = weight
        write(path, read(data, ":")[2:] + extra_frames, format="extxyz")
        return path
    validation = os.path.join(tmp, "validation.xyz")
    write(validation, read(data, "0:2"), format="extxyz")
    fixed = ["--epochs", "6", "--set", "training.optimizer=lbfgs", "--set", "model.reference_energies=Si=-4.3",
             "--set", "model.scaling=scale", "--set", "data.validation=[%s]" % validation]
    clean = os.path.join(tmp, "clean.xyz")
    write(clean, read(data, ":")[2:], format="extxyz")
    r0 = train("unspoilt", fixed + ["--set", "data.train=[%s]" % clean])
    r1 = train("weight0", fixed + ["--set", "data.train=[%s]" % spoilt(0)])
    r2 = train("weight1", fixed + ["--set", "data.train=[%s]" % spoilt(1)])
    check(r0.returncode == 0 and r1.returncode == 0 and r2.returncode == 0, "config_weight: " + r0.stderr + r1.stderr + r2.stderr)
    w0, clean_files = files_of(os.path.join(tmp, "weight0")), files_of(os.path.join(tmp, "unspoilt"))
    a, b = (np.genfromtxt(os.path.join(tmp, n + ".csv"), delimiter=",", names=True) for n in ("weight0", "unspoilt"))
    check(all(w0[f] == clean_files[f] for f in ("scaling.data", "weights.014.data")) and
          all(np.array_equal(a[n], b[n], equal_nan=True) for n in a.dtype.names if n != "time_s"),
          "frames of config_weight 0 leave the model, its scaling and its learning curve as without them")
    test_e = [float(r.stdout.split("test set: energy RMSE")[1].split()[0]) if "test set" in r.stdout else float("nan")
              for r in (r0, r2)]
    check(test_e[1] > 10 * test_e[0], "frames of weight 1 with those labels spoil the fit: %s" % test_e)
    # the weight goes through mlpot's extxyz writer; bad values are named with their line
    r = run(["eval", "-p", "sw:" + os.path.join(SOURCE, "examples", "silicon", "Si.sw"), "-o",
             os.path.join(tmp, "weights_out.xyz"), spoilt(0.25)])
    check(r.returncode == 0 and read(os.path.join(tmp, "weights_out.xyz"), -1).info.get("config_weight") == 0.25,
          "config_weight is written back: " + r.stderr)
    for key, value in (("config_weight", "-1"), ("energy_sigma", "0"), ("force_sigma", "x")):
        bad = os.path.join(tmp, "bad_%s.xyz" % key)
        with open(noisy) as f:
            lines = f.read().splitlines(True)
        lines[1] = ("config_weight=-1 " + lines[1]) if key == "config_weight" else \
            re.sub(key + r"=\S+", key + "=" + value, lines[1])
        with open(bad, "w") as f:
            f.writelines(lines)
        r = train("bad_" + key, ["--epochs", "1", "--set", "data.train=[%s]" % bad])
        check(r.returncode == 2 and bad + ":" in r.stderr and (key in r.stderr or "weight" in r.stderr),
              "a bad %s=%s is named with its file and line: %s" % (key, value, r.stderr.strip()))

    # 2. thread independence
    r = train("two", env={"OMP_NUM_THREADS": "2"})
    check(r.returncode == 0, "training with 2 threads: " + r.stderr)
    check(files_of(os.path.join(tmp, "one")) == files_of(os.path.join(tmp, "two")),
          "1 and 2 threads give identical model files")

    # 3. kill -9 and resume
    ckpt = os.path.join(tmp, "killed.ckpt")
    p = subprocess.Popen([MLPOT, "train", config, "-q", "-o", os.path.join(tmp, "killed"), "--set", "output.checkpoint=" + ckpt,
                          "--set", "output.learning_curve=" + os.path.join(tmp, "killed.csv")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while checkpoint_epoch(ckpt) < 4 and p.poll() is None and time.time() < deadline:
        time.sleep(0.001)
    p.send_signal(signal.SIGKILL)
    p.wait()
    at = checkpoint_epoch(ckpt)
    check(0 <= at < 30, "the run was interrupted mid-training (checkpoint at epoch %d)" % at)
    # temporaries a kill in the middle of a write leaves (hidden, mkstemp's suffix) go on resume;
    # a hidden file of the same shape beside the checkpoint that is no temporary of it stays
    killed_dir = os.path.join(tmp, "killed")
    model_files = sorted(f for f in os.listdir(killed_dir) if not f.startswith(".")) if os.path.isdir(killed_dir) else []
    check(len(model_files) > 0, "the killed run had written a model")
    if len(model_files) > 1:  # the last as if killed while writing it for the first time
        os.remove(os.path.join(killed_dir, model_files[-1]))
    stale = [os.path.join(killed_dir, "." + model_files[0] + ".Ab12Cd"),
             os.path.join(killed_dir, "." + model_files[-1] + ".xY7zQ2"),
             os.path.join(tmp, ".killed.ckpt.Zz9999"), os.path.join(tmp, ".killed.csv.q1w2e3")]
    unrelated = os.path.join(tmp, ".unrelated.ABCDEF")
    for path in stale + [unrelated]:
        open(path, "w").write("partial")
    r = run(["train", config, "-q", "--resume", "-o", os.path.join(tmp, "killed"), "--set", "output.checkpoint=" + ckpt,
             "--set", "output.learning_curve=" + os.path.join(tmp, "killed.csv")])
    check(r.returncode == 0, "resume: " + r.stderr)
    check(not any(os.path.exists(path) for path in stale) and os.path.exists(unrelated),
          "resume removes the killed run's temporaries, and only those")
    check(files_of(os.path.join(tmp, "one")) == files_of(os.path.join(tmp, "killed")),
          "killed and resumed run ends with model files identical to an uninterrupted one")
    a = np.genfromtxt(os.path.join(tmp, "one.csv"), delimiter=",", names=True)
    b = np.genfromtxt(os.path.join(tmp, "killed.csv"), delimiter=",", names=True)
    same = len(a) == len(b) and all(np.array_equal(a[n], b[n], equal_nan=True) for n in a.dtype.names if n != "time_s")
    check(same, "the learning curves agree")
    # a changed configuration refuses the checkpoint
    r = run(["train", config, "-q", "--resume", "--set", "model.cutoff=4.5", "-o", os.path.join(tmp, "killed"), "--set",
             "output.checkpoint=" + ckpt])
    check(r.returncode != 0 and "different configuration" in r.stderr, "resume with another configuration: " + r.stderr)
    # training.selection came later: at its default (mean) it stays out of the fingerprint, so
    # older checkpoints resume; set away from it, it is part of the configuration
    r = run(["train", config, "-q", "--resume", "--set", "training.selection=median", "-o", os.path.join(tmp, "killed"),
             "--set", "output.checkpoint=" + ckpt])
    check(r.returncode != 0 and "different configuration" in r.stderr, "resume with another selection: " + r.stderr)

    # 4. the Kalman filter: thread independence and resume (its covariance is in the checkpoint)
    kalman = ["--set", "training.optimizer=kalman", "--set", "training.kalman_batch=3", "--set",
              "training.force_fraction=0.05", "--set", "training.force_threshold=1"]
    r = train("k1", kalman + ["--epochs", "8"], env={"OMP_NUM_THREADS": "1"})
    check(r.returncode == 0, "Kalman training: " + r.stderr)
    curve = np.genfromtxt(os.path.join(tmp, "k1.csv"), delimiter=",", names=True)
    check(curve["train_force_rmse"][-1] < 0.5 * curve["train_force_rmse"][0] and
          curve["train_energy_rmse"][-1] < 0.5 * curve["train_energy_rmse"][0],
          "the Kalman filter lowers the errors: F %g -> %g, E %g -> %g" % (
              curve["train_force_rmse"][0], curve["train_force_rmse"][-1], curve["train_energy_rmse"][0],
              curve["train_energy_rmse"][-1]))
    r = train("k2", kalman + ["--epochs", "8"], env={"OMP_NUM_THREADS": "2"})
    check(r.returncode == 0 and files_of(os.path.join(tmp, "k1")) == files_of(os.path.join(tmp, "k2")),
          "Kalman: 1 and 2 threads give identical model files " + r.stderr)
    # networks past 256 parameters, whose covariance rows the filter shares between threads in
    # tiles of eight, and 12 measurements per update (one eight-wide pass and four left over)
    wide = kalman + ["--set", "model.hidden_layers=[24, 24]", "--set", "training.kalman_batch=12", "--epochs", "2"]
    r1 = train("kw1", wide, env={"OMP_NUM_THREADS": "1"})
    r2 = train("kw2", wide, env={"OMP_NUM_THREADS": "2"})
    check(r1.returncode == 0 and r2.returncode == 0 and
          files_of(os.path.join(tmp, "kw1")) == files_of(os.path.join(tmp, "kw2")),
          "Kalman, 24-24 networks, 12 per update: 1 and 2 threads give identical model files " + r1.stderr + r2.stderr)
    r = train("k3", kalman + ["--epochs", "4"])
    check(r.returncode == 0, "Kalman, 4 epochs: " + r.stderr)
    r = train("k3", kalman + ["--epochs", "8", "--resume"])
    check(r.returncode == 0 and files_of(os.path.join(tmp, "k1")) == files_of(os.path.join(tmp, "k3")),
          "Kalman: 4 epochs resumed to 8 end identical to 8 epochs " + r.stderr)
    curve = np.genfromtxt(os.path.join(tmp, "k3.csv"), delimiter=",", names=True)
    check(len(curve) == 9 and np.all(np.diff(curve["time_s"]) > 0),
          "the learning curve's time goes on across the resume: %s" % list(curve["time_s"]))
    m = re.search(r"in ([\d.]+) s \(([\d.]+) s with the runs resumed\)", r.stdout)
    check(m is not None and float(m.group(2)) >= float(m.group(1)) and float(m.group(2)) >= curve["time_s"][-1] - 0.05,
          "the report of the resumed run gives its time and the time in all (%s; the curve ends at %.2f s)" %
          (r.stdout.splitlines()[0] if r.stdout else "", curve["time_s"][-1]))
    # a checkpoint of an earlier release (version 3: the same fields, a byte-wise FNV-1a
    # checksum; its fingerprint hashed the step sizes too) resumes to the same model; a damaged
    # one is refused
    r = train("k4", kalman + ["--epochs", "4"])
    check(r.returncode == 0, "Kalman, 4 epochs: " + r.stderr)
    ckpt4 = os.path.join(tmp, "k4.ckpt")
    body = bytearray(open(ckpt4, "rb").read()[:-8])
    check(struct.unpack("<I", body[8:12])[0] == 4, "checkpoint version 4")
    printed = run(["train", config, "--print-config"] + kalman).stdout
    check(struct.unpack("<Q", body[12:20])[0] == config_fingerprint(printed, False),
          "the checkpoint's fingerprint is the one the test computes from --print-config")
    body[8:12] = struct.pack("<I", 3)
    body[12:20] = struct.pack("<Q", config_fingerprint(printed, True))
    open(ckpt4, "wb").write(bytes(body) + struct.pack("<Q", fnv1a(0xCBF29CE484222325, body)))
    r = train("k4", kalman + ["--epochs", "8", "--resume"])
    check(r.returncode == 0 and files_of(os.path.join(tmp, "k1")) == files_of(os.path.join(tmp, "k4")),
          "Kalman: a version-3 checkpoint with the older fingerprint resumed to 8 epochs ends identical to 8 epochs " + r.stderr)
    damaged = bytearray(open(ckpt4, "rb").read())
    damaged[len(damaged) - 64] ^= 1  # a bit of the covariance
    open(ckpt4, "wb").write(bytes(damaged))
    r = train("k4", kalman + ["--epochs", "10", "--resume"])
    check(r.returncode != 0 and "damaged" in r.stderr, "a damaged checkpoint is refused: " + r.stderr.strip())
    # 5. the moving average of the parameters (training.ema_decay): validated, kept and written
    # instead of the last step; it is in the checkpoint, so a resumed run ends identical; a
    # checkpoint without it is of another configuration; L-BFGS has no steps to average
    ema = kalman + ["--set", "training.ema_decay=0.9"]
    r = train("e1", ema + ["--epochs", "8"])
    check(r.returncode == 0, "Kalman with ema_decay: " + r.stderr)
    averaged = np.genfromtxt(os.path.join(tmp, "e1.csv"), delimiter=",", names=True)
    check(averaged["train_energy_rmse"][-1] < 0.5 * averaged["train_energy_rmse"][0] and
          averaged["train_force_rmse"][-1] < 0.5 * averaged["train_force_rmse"][0],
          "the averaged model's errors fall too: E %g -> %g" % (averaged["train_energy_rmse"][0],
                                                               averaged["train_energy_rmse"][-1]))
    check(files_of(os.path.join(tmp, "e1")) != files_of(os.path.join(tmp, "k1")) and
          averaged["train_energy_rmse"][-1] != curve["train_energy_rmse"][-1],
          "ema_decay changes the model kept (the average, not the last step)")
    r = train("e2", ema + ["--epochs", "4"])
    check(r.returncode == 0, "Kalman with ema_decay, 4 epochs: " + r.stderr)
    r = train("e2", ema + ["--epochs", "8", "--resume"])
    check(r.returncode == 0 and files_of(os.path.join(tmp, "e1")) == files_of(os.path.join(tmp, "e2")),
          "ema_decay: 4 epochs resumed to 8 end identical to 8 epochs " + r.stderr)
    r = train("k3", ema + ["--epochs", "10", "--resume"])
    check(r.returncode != 0 and "different configuration" in r.stderr,
          "a checkpoint without the average does not resume with ema_decay: " + r.stderr.strip())
    r = train("ea", ["--set", "training.ema_decay=0.9", "--epochs", "8"])  # Adam's steps
    adam_avg = np.genfromtxt(os.path.join(tmp, "ea.csv"), delimiter=",", names=True) if r.returncode == 0 else None
    check(adam_avg is not None and adam_avg["train_energy_rmse"][-1] < 0.5 * adam_avg["train_energy_rmse"][0],
          "Adam with ema_decay trains: " + r.stderr)
    r = train("ebad", ["--set", "training.optimizer=lbfgs", "--set", "training.ema_decay=0.9"])
    check(r.returncode == 2 and "ema_decay" in r.stderr, "L-BFGS with ema_decay is refused: " + r.stderr.strip())
    r = train("ebad", kalman + ["--set", "training.ema_decay=1"])
    check(r.returncode == 2 and "ema_decay" in r.stderr, "ema_decay 1 (no step would count) is refused: " + r.stderr.strip())

    # a committee of the Adam and the Kalman model: their mean, their spread as the variance
    pred_k = predict(os.path.join(tmp, "k1"), "k1")
    pred_c = predict("committee:%s;%s" % (os.path.join(tmp, "one"), os.path.join(tmp, "k1")), "committee")
    for a, b, c in zip(read(prediction_path("one"), ":"), pred_k, pred_c):  # "one": eval_rmse's, section 1
        ea, eb = a.get_potential_energy(), b.get_potential_energy()
        check(abs(c.get_potential_energy() - 0.5 * (ea + eb)) < 1e-9 and
              abs(c.info["energy_variance"] - 0.25 * (ea - eb) ** 2) < 1e-9 * max(1.0, (ea - eb) ** 2) and
              np.abs(c.get_forces() - 0.5 * (a.get_forces() + b.get_forces())).max() < 1e-9,
              "committee: mean energy and forces, variance of the energies")
    # stresses as Kalman measurements (which n2p2's filter has not): the fitted model's stress
    # error on the training frames falls well below that of the model fitted without them
    r = train("ks", kalman + ["--epochs", "8", "--set", "loss.stress=true"])
    check(r.returncode == 0, "Kalman training with stresses: " + r.stderr)

    def stress_rmse(model):
        r = run(["eval", "-p", os.path.join(tmp, model), "-o", os.path.join(tmp, "pred_s.xyz"), data])
        m = re.search(r"stress vs reference: RMSE ([\d.eE+-]+) GPa", r.stderr)
        return float(m.group(1)) if r.returncode == 0 and m else float("nan")
    with_s, without_s = stress_rmse("ks"), stress_rmse("k1")
    curve = np.genfromtxt(os.path.join(tmp, "ks.csv"), delimiter=",", names=True)
    check(with_s < 0.5 * without_s and curve["train_stress_rmse"][-1] < 0.5 * curve["train_stress_rmse"][0],
          "Kalman with stresses: stress RMSE %.3g GPa against %.3g without them; training curve %g -> %g eV/A^3" % (
              with_s, without_s, curve["train_stress_rmse"][0], curve["train_stress_rmse"][-1]))
    r = train("kbad", kalman + ["--set", "training.kalman_batch=65"])
    check(r.returncode == 2 and "training.kalman_batch" in r.stderr, "Kalman bad input kalman_batch 65: " + r.stderr.strip())

    # 5. a validation set with one structure far off (its labels shifted): the report names it,
    # and the median selection ranks the structures' losses instead of averaging them
    extra = []
    for k in range(11):
        a = bulk("Si", "diamond", a=5.43 * (1 + 0.03 * rng.standard_normal()), cubic=True)
        a.rattle(0.08, seed=int(rng.integers(1 << 30)))
        extra.append(a)
    write(raw, extra, format="extxyz")
    val = os.path.join(tmp, "val.xyz")
    r = run(["eval", "-p", "sw:" + os.path.join(SOURCE, "examples", "silicon", "Si.sw"), "-o", val, raw])
    check(r.returncode == 0, "labelling the validation set: " + r.stderr)
    vframes = read(val, ":")
    clean = os.path.join(tmp, "val_clean.xyz")
    write(clean, vframes, format="extxyz")
    vframes[6].calc.results["energy"] += 4.0  # 0.5 eV/atom off
    vframes[6].calc.results["forces"] *= 3.0
    write(val, vframes, format="extxyz")
    outlier = "val.xyz:%d" % (1 + 6 * (len(vframes[0]) + 2))  # the frame's first line
    curves = {}
    for selection in ("mean", "median"):
        r = train("sel_" + selection, ["--epochs", "6", "--validation", val, "--set", "training.selection=" + selection])
        check(r.returncode == 0, "training with validation outlier, selection %s: %s" % (selection, r.stderr))
        note = [l for l in r.stdout.splitlines() if l.startswith("validation: ")]
        check(len(note) == 1 and outlier in note[0] and "1 of 11 structures" in note[0] and
              ("median lets the bulk" if selection == "mean" else "selection is median") in note[0],
              "selection %s: the report names the outlier %s: %s" % (selection, outlier, note))
        curves[selection] = np.genfromtxt(os.path.join(tmp, "sel_%s.csv" % selection), delimiter=",", names=True)
    # the median run keeps its lowest validation_loss, which is the median of the kept model's
    # losses (ΔE/N)²/σ_E² + Σ ΔF²/σ_F² (default σ 1 meV/atom, 50 meV/Å) over the structures
    pred_val = os.path.join(tmp, "pred_val.xyz")
    r = run(["eval", "-p", os.path.join(tmp, "sel_median"), "-o", pred_val, val])
    check(r.returncode == 0, "eval on the validation set: " + r.stderr)
    losses = [((p.get_potential_energy() - q.get_potential_energy()) / len(q) / 1e-3) ** 2 +
              np.sum((p.get_forces() - q.get_forces()) ** 2) / 0.05 ** 2 for p, q in zip(read(pred_val, ":"), vframes)]
    kept = curves["median"]["validation_loss"].min()
    check(abs(kept - np.median(losses)) <= 1e-6 * kept and np.argmax(losses) == 6 and np.mean(losses) > 2 * kept,
          "median selection: kept validation loss %g, median of the structures' %g (mean %g)" % (
              kept, np.median(losses), np.mean(losses)))
    r = train("sel_bad", ["--set", "training.selection=mode"])
    check(r.returncode == 2 and "is not mean or median" in r.stderr, "a bad selection: " + r.stderr.strip())
    r = train("sel_none", ["--epochs", "6", "--validation", clean])
    check(r.returncode == 0 and "validation: " not in r.stdout, "no note for the validation set without the outlier: " + r.stdout)

    # 6. an n2p2 input.nn as the configuration
    nn_dir = os.path.join(tmp, "n2p2")
    os.mkdir(nn_dir)
    r = run(["convert", data, os.path.join(nn_dir, "input.data"), "--to", "n2p2"])
    check(r.returncode == 0, "conversion to input.data: " + r.stderr)
    sf = "".join("symfunction_short Si 2 Si %g 0.0 4.0\n" % eta for eta in (0.5, 1.0, 2.0, 4.0))
    sf += "".join("symfunction_short Si 3 Si Si 0.3 %d %d 4.0\n" % (lam, zeta) for lam in (-1, 1) for zeta in (1, 4))
    input_nn = """number_of_elements 1
elements Si
cutoff_type 6
scale_symmetry_functions
center_symmetry_functions
scale_min_short -1.0
scale_max_short 1.0
global_hidden_layers_short 2
global_nodes_short 8 8
global_activation_short t t l
use_short_forces
random_seed 7
epochs 8
test_fraction 0.15
updater_type 1
kalman_type 0
kalman_epsilon 1.0E-2
kalman_q0 0.01
kalman_qtau 2.302
kalman_qmin 1.0E-6
kalman_eta 0.01
kalman_etatau 2.302
kalman_etamax 0.1
update_strategy 0
selection_mode 2
task_batch_size_energy 1
task_batch_size_force 2
force_weight 2.0
short_energy_fraction 1.0
short_force_fraction 0.05
short_energy_error_threshold 0.0
short_force_error_threshold 1.0
rmse_threshold_trials 3
write_trainlog
""" + sf
    nn_path = os.path.join(nn_dir, "input.nn")
    with open(nn_path, "w") as f:
        f.write(input_nn)
    r = run(["train", nn_path, "--print-config"])
    settings = printed_settings(r.stdout)
    expect = {"optimizer": "kalman", "epochs": "8", "kalman_etamax": "0.1", "seed": "7", "validation_fraction": "0.15", "kalman_batch": "2",
              "kalman_decoupled": "false", "force_fraction": "0.05", "force_threshold": "1", "force_weight": "2",
              "hidden_layers": "[8, 8]", "format": "n2p2", "forces": "true"}
    check(all(settings.get(k) == v for k, v in expect.items()),
          "input.nn keywords become the configuration: " + str({k: settings.get(k) for k in expect}))
    # n2p2's scaling keywords, and its range 0..1 where the file gives none
    for keywords, scaling in (("scale_symmetry_functions_sigma\n", "sigma"), ("scale_symmetry_functions\n", "scale"),
                              ("center_symmetry_functions\n", "center"), ("", "none")):
        alt = os.path.join(nn_dir, "input_scaling.nn")
        with open(alt, "w") as f:
            f.write(re.sub(r"(scale_symmetry_functions|center_symmetry_functions|scale_m.._short.*)\n", "", input_nn) + keywords)
        r = run(["train", alt, "--print-config"])
        got = printed_settings(r.stdout)
        check((got.get("scaling"), got.get("scale_min"), got.get("scale_max")) == (scaling, "0", "1"),
              "input.nn with %r: scaling %s, range %s..%s" % (keywords, got.get("scaling"), got.get("scale_min"),
                                                               got.get("scale_max")))
    r = run(["train", nn_path, "-q", "-o", os.path.join(tmp, "from_nn"), "--set", "output.checkpoint=", "--set",
             "output.learning_curve=" + os.path.join(tmp, "from_nn.csv"), "--set", "loss.force_sigma=1", "--set",
             "loss.energy_sigma=0.125"])  # n2p2's units: force errors as they are, energies per structure
    check(r.returncode == 0, "mlpot train input.nn: " + r.stderr)
    curve = np.genfromtxt(os.path.join(tmp, "from_nn.csv"), delimiter=",", names=True)
    check(len(curve) == 9 and curve["train_force_rmse"][-1] < 0.5 * curve["train_force_rmse"][0],
          "input.nn training runs its 8 epochs and lowers the force error: %s" % curve["train_force_rmse"])
    with open(os.path.join(tmp, "from_nn", "input.nn")) as f:
        written = [l.split() for l in f if l.startswith("symfunction_short")]
    check(len(written) == 8, "the model has the file's 8 symmetry functions (%d)" % len(written))
    # n2p2's use_old_weights_short: the weights and scaling.data beside input.nn are the start
    old_dir = os.path.join(tmp, "n2p2_old")
    os.mkdir(old_dir)
    shutil.copy(os.path.join(nn_dir, "input.data"), old_dir)
    for name in ("scaling.data", "weights.014.data"):
        shutil.copy(os.path.join(tmp, "from_nn", name), old_dir)
    with open(os.path.join(tmp, "from_nn", "input.nn")) as f:
        atom_energies = "".join(l for l in f if l.startswith("atom_energy"))
    with open(os.path.join(old_dir, "input.nn"), "w") as f:
        f.write(input_nn.replace("epochs 8", "epochs 0") + atom_energies + "use_old_weights_short\n")
    r = run(["train", os.path.join(old_dir, "input.nn"), "-q", "-o", os.path.join(tmp, "from_old"), "--set",
             "output.checkpoint=", "--set", "output.learning_curve=", "--set", "loss.force_sigma=1", "--set",
             "loss.energy_sigma=0.125"])
    check(r.returncode == 0 and atom_energies and written_model("from_old")[-2:] == written_model("from_nn")[-2:],
          "input.nn with use_old_weights_short and 0 epochs writes the weights and scaling beside it: " + r.stderr)
    # n2p2's own water model (trained by nnp-train, with data-set normalisation) as the start of
    # a fit on its training example: the untrained row of the curve is that model's error there
    shared = os.environ.get("MLPOT_SHARED_DATA", "")
    water_model = os.path.join(shared, "n2p2/examples/nnp-predict/H2O_RPBE-D3")
    water_train = os.path.join(shared, "n2p2/examples/nnp-train/H2O_RPBE-D3")
    if os.path.isdir(water_model) and os.path.isdir(water_train):
        r = run(["train", os.path.join(water_train, "input.nn"), "-q", "-o", os.path.join(tmp, "water"), "--set",
                 "output.checkpoint=", "--set", "output.learning_curve=" + os.path.join(tmp, "water.csv"), "--set",
                 "model.initial_weights=" + water_model, "--set", "model.reference_energies=fit", "--set",
                 "data.validation_fraction=0", "--epochs", "0"])
        e = run(["eval", "-p", water_model, "-o", os.devnull, os.path.join(water_train, "input.data")])
        m = re.search(r"energy vs reference: RMSE (\S+),.*\n.*forces vs reference: RMSE (\S+),", e.stderr)
        curve = np.genfromtxt(os.path.join(tmp, "water.csv"), delimiter=",", names=True) if r.returncode == 0 else None
        check(r.returncode == 0 and m is not None and
              abs(curve["train_energy_rmse"] - float(m.group(1))) <= 1e-5 * float(m.group(1)) and
              abs(curve["train_force_rmse"] - float(m.group(2))) <= 1e-5 * float(m.group(2)),
              "n2p2's water model as initial weights starts at its own errors (%s): %s" % (m and m.groups(), r.stderr))
        r = run(["eval", "-p", os.path.join(tmp, "water"), "-o", os.devnull, os.path.join(water_train, "input.data")])
        check(m is not None and m.group(0) in r.stderr, "the written model keeps the normalisation: " + r.stderr)
    else:
        print("(n2p2's water example not found: its initial-weights check skipped)")
    for bad, phrase in (("normalize_nodes\n", "input.nn:%d: normalize_nodes" % (input_nn.count("\n") + 1)),
                        ("epoch 4\n", "epochs"), ("", "fading-memory")):
        with open(nn_path, "w") as f:
            f.write(input_nn + bad if bad else input_nn.replace("kalman_type 0", "kalman_type 1"))
        r = run(["train", nn_path, "-q", "-o", os.path.join(tmp, "bad_nn")])
        check(r.returncode == 2 and phrase in r.stderr, "input.nn with %r: exit %d, %s" % (bad, r.returncode, r.stderr.strip()))

    # 7. bad input
    no_forces = os.path.join(tmp, "noforces.xyz")
    write(no_forces, frames[:4], format="extxyz")  # energies missing too
    labelled_frames = read(data, ":")
    nan_energy, with_carbon, huge_energy = (os.path.join(tmp, n) for n in ("nan.xyz", "carbon.xyz", "huge.xyz"))
    with open(data) as f:
        text = f.read().split("\n")
    first_comment = 1  # the comment line of the first frame holds its energy
    text[first_comment] = re.sub(r"energy=\S+", "energy=nan", text[first_comment])
    with open(nan_energy, "w") as f:
        f.write("\n".join(text))
    text[first_comment] = re.sub(r"energy=\S+", "energy=1e200", text[first_comment])
    with open(huge_energy, "w") as f:
        f.write("\n".join(text))
    carbon = labelled_frames[0].copy()
    carbon[0].symbol = "C"
    write(with_carbon, [carbon], format="extxyz")
    cases = [
        (["--train", no_forces], "no energy"),
        (["--train", nan_energy], "nan.xyz:2: energy 'nan' is not a finite number"),
        (["--train", data, "--test", with_carbon], "carbon.xyz:1: has C, which no training structure has"),
        (["--train", data, "--set", "model.cutof=5"], "did you mean 'model.cutoff'"),
        (["--train", data, "--set", "model.cutoff=abc"], "model.cutoff: 'abc' is not a number"),
        (["--train", data, "--set", "model.cutoff=-1"], "outside"),
        (["--train", data, "--set", "model.activation=relu"], "second derivative"),
        (["--train", data, "--set", "training.optimizer=kalman", "--set", "loss.regularization=1e-4"],
         "the kalman filter updates from the measurements alone"),
        (["--train", data, "--set", "training.optimizer=lbfgs", "--set", "training.ema_decay=0.99"],
         "lbfgs ends each epoch at a minimum of its own"),
        (["--train", data, "--set", "data.validation_fraction=0.6", "--set", "data.test_fraction=0.5"], "none to train on"),
        ([], "no training data"),
    ]
    for args, phrase in cases:
        r = run(["train", "-q", "-o", os.path.join(tmp, "bad")] + args)
        check(r.returncode == 2, "%s: exit code %d (%s)" % (args, r.returncode, r.stderr.strip()))
        check(phrase in r.stderr, "%s: message %r lacks %r" % (args, r.stderr.strip(), phrase))
        check(not os.path.exists(os.path.join(tmp, "bad")), "%s: no model written" % args)
    # labels of absurd size: the untrained model's loss overflows, and nothing is written
    r = run(["train", "-q", "-o", os.path.join(tmp, "bad"), "--train", huge_energy])
    check(r.returncode == 1 and "untrained model's loss is not finite" in r.stderr and not os.path.exists(os.path.join(tmp, "bad")),
          "an energy of 1e200 eV stops the run before training: exit %d, %s" % (r.returncode, r.stderr.strip()))
    # a run that diverges (exponential activations, a large Adam step) stops with a message and
    # keeps the best model and the last checkpoint, both from before the divergence
    div_model, div_checkpoint = os.path.join(tmp, "div"), os.path.join(tmp, "div.checkpoint")
    r = run(["train", "-q", "-o", div_model, "--train", data, "--set", "model.activation=exp", "--set", "training.learning_rate=1",
             "--set", "output.checkpoint=" + div_checkpoint, "--set", "output.learning_curve=" + div_model + ".csv",
             "--set", "training.epochs=30"])
    m = re.search(r"diverged in epoch (\d+); kept: the model of epoch (\d+) \(the best before\) and the checkpoint of epoch (\d+)", r.stderr)
    check(r.returncode == 1 and m is not None, "a diverging run stops with a message: exit %d, %s" % (r.returncode, r.stderr.strip()))
    if m:
        diverged_at, best, last = map(int, m.groups())
        check(best <= last == diverged_at - 1 and checkpoint_epoch(div_checkpoint) == last,
              "the checkpoint kept is of epoch %d, the one before the divergence (%s)" % (checkpoint_epoch(div_checkpoint), m.group(0)))
        r = run(["eval", "-p", div_model, test])
        check(r.returncode == 0 and "nan" not in r.stdout.lower(), "the model kept evaluates: " + r.stderr.strip())
    # the message's remedy: --resume with a smaller step goes on from that checkpoint (the step
    # sizes are the keys a resume may change)
    r = run(["train", "-q", "-o", div_model, "--train", data, "--set", "model.activation=exp", "--set", "training.learning_rate=0.01",
             "--set", "output.checkpoint=" + div_checkpoint, "--set", "output.learning_curve=" + div_model + ".csv",
             "--set", "training.epochs=30", "--resume"])
    curve = np.genfromtxt(div_model + ".csv", delimiter=",", names=True)
    check(r.returncode == 0 and m is not None and "--resume with a smaller training.learning_rate" in m.string and
          curve["epoch"][-1] == 30 and np.all(curve["learning_rate"][int(m.group(3)) + 1:] <= 0.01),
          "the diverged Adam run resumes with learning_rate 0.01 and ends: exit %d, %s" % (r.returncode, r.stderr.strip()))
    # a learning rate below lr_min is never raised to it when it decays (it was, so that a resume,
    # which caps the rate at learning_rate, would have changed the run)
    r = train("slow", ["--set", "training.learning_rate=0.05", "--set", "training.lr_min=0.2", "--set", "training.lr_patience=1",
                       "--epochs", "10"])
    curve = np.genfromtxt(os.path.join(tmp, "slow.csv"), delimiter=",", names=True)
    check(r.returncode == 0 and np.all(curve["learning_rate"] <= 0.05),
          "Adam's rate stays at or below a learning_rate under lr_min: %s" % list(curve["learning_rate"]))
    # the Kalman filter: exponential activations and η rising without bound (×20 an epoch) diverge
    # in epoch 14; resumed with etamax 1e-3 the run ends, η capped from the checkpoint on
    kdiv = ["train", config, "-q", "-o", os.path.join(tmp, "kdiv"), "--set", "output.checkpoint=" + os.path.join(tmp, "kdiv.ckpt"),
            "--set", "output.learning_curve=" + os.path.join(tmp, "kdiv.csv"), "--set", "model.activation=exp", "--set",
            "training.optimizer=kalman", "--set", "training.kalman_batch=3", "--set", "training.kalman_eta=1e-6", "--set",
            "training.kalman_etatau=3", "--epochs", "20"]
    r = run(kdiv + ["--set", "training.kalman_etamax=1e8"])
    m = re.search(r"the Kalman filter diverged in epoch (\d+) \(update \d+ of \d+\); kept: the model of epoch (\d+) "
                  r"\(the best before\) and the checkpoint of epoch (\d+); --resume with a smaller training.kalman_etamax", r.stderr)
    check(r.returncode == 1 and m is not None, "a diverging Kalman filter stops with a message: exit %d, %s" % (r.returncode, r.stderr.strip()))
    if m:
        diverged_at, best, last = map(int, m.groups())
        check(best <= last == diverged_at - 1 and checkpoint_epoch(os.path.join(tmp, "kdiv.ckpt")) == last,
              "the Kalman checkpoint kept is of epoch %d, the one before the divergence (%s)" % (last, m.group(0)))
        r = run(kdiv + ["--set", "training.kalman_etamax=1e-3", "--resume"])
        curve = np.genfromtxt(os.path.join(tmp, "kdiv.csv"), delimiter=",", names=True)
        check(r.returncode == 0 and curve["epoch"][-1] == 20 and curve["learning_rate"][last] > 1e-3 and
              np.all(curve["learning_rate"][last + 1:] <= 1e-3) and np.all(np.isfinite(curve["loss"])),
              "the diverged Kalman run resumes with etamax 1e-3 and ends: exit %d, %s" % (r.returncode, r.stderr.strip()))
    # other keys still tie a checkpoint to its configuration
    r = run(kdiv + ["--set", "training.kalman_etamax=1e-3", "--set", "training.kalman_batch=4", "--resume"])
    check(r.returncode == 2 and "the checkpoint is of a different configuration" in r.stderr,
          "a resume with another kalman_batch is refused: exit %d, %s" % (r.returncode, r.stderr.strip()))
    bad_yaml = os.path.join(tmp, "bad.yaml")
    with open(bad_yaml, "w") as f:
        f.write("model:\n  cutoff: 5\n  hiden_layers: [4]\n")
    r = run(["train", bad_yaml, "--train", data])
    check(r.returncode == 2 and "bad.yaml:3:" in r.stderr and "model.hidden_layers" in r.stderr,
          "YAML error names file, line and the key meant: " + r.stderr)

print("test_train_cli: %d checks, %d failed" % (checks, failures))
sys.exit(1 if failures else 0)
