"""`mlpot fit` end to end on the shipped Stillinger-Weber silicon frames (examples/silicon):
- the fitted model file loads in `mlpot eval`, which reproduces the force RMSE the fit reported
  on the test frames;
- the model's file is written atomically and readable (mode 0644);
- bad usage and bad settings exit 2 naming the problem, before any fitting."""
import os
import re
import subprocess
import sys
import tempfile

MLPOT = os.environ["MLPOT_CLI"]
SILICON = os.path.join(os.environ["MLPOT_SOURCE_DIR"], "examples", "silicon")
TRAIN, TEST = os.path.join(SILICON, "si_sw_train.xyz"), os.path.join(SILICON, "si_sw_test.xyz")
GAP = "soap cutoff=4 n_max=6 l_max=4 atom_sigma=0.5 zeta=2 delta=1 n_sparse=200"
failures = checks = 0


def check(condition, what):
    global failures, checks
    checks += 1
    if not condition:
        failures += 1
        print("check failed:", what, file=sys.stderr)


def run(args):
    return subprocess.run([MLPOT] + args, capture_output=True, text=True)


with tempfile.TemporaryDirectory() as tmp:
    model = os.path.join(tmp, "si.gap")
    r = run(["fit", "--gap", GAP, "-o", model, TRAIN, "--test", TEST])
    check(r.returncode == 0, "fit: " + r.stderr)
    m = re.search(r"^test .*forces MAE +([0-9.]+) RMSE +([0-9.]+)", r.stdout, re.M)
    check(m is not None, "fit reports test errors: " + r.stdout)
    check(os.path.exists(model) and (os.stat(model).st_mode & 0o777) == 0o644, "model file mode")
    e = run(["eval", "-p", model, "-o", os.path.join(tmp, "out.xyz"), TEST])
    check(e.returncode == 0, "eval: " + e.stderr)
    k = re.search(r"forces vs reference: RMSE ([0-9.e+-]+)", e.stderr)
    check(k is not None, "eval compares with the labels: " + e.stderr)
    if m and k:
        reported, evaluated = float(m.group(2)), float(k.group(1))
        check(abs(reported - evaluated) <= 1e-4, f"fit reported force RMSE {reported}, eval gives {evaluated}")
        check(evaluated < 0.2, f"force RMSE {evaluated} eV/Å on SW silicon")
        print(f"fit: test force RMSE {reported} eV/Å (eval {evaluated})")
    for args, needle in [
        ([TRAIN], "no descriptors"),
        (["--gap", GAP], "no training files"),
        (["--gap", GAP, "--default-sigma", "1,2", TRAIN], "default-sigma"),
        (["--gap", GAP.replace("n_sparse=200", "n_sparse=100000"), TRAIN], "instances"),
        (["--gap", GAP + " n_maxx=3", TRAIN], "n_maxx"),
        (["--gap", GAP, "--e0-method", "magic", TRAIN], "e0-method"),
        (["--gap", GAP, os.path.join(tmp, "missing.xyz")], "missing.xyz"),
    ]:
        b = run(["fit", "-o", os.path.join(tmp, "bad.gap")] + args)
        check(b.returncode == 2 and needle in b.stderr, f"{args}: exit {b.returncode}, {b.stderr[:200]}")
    check(not os.path.exists(os.path.join(tmp, "bad.gap")), "no model file after a refused fit")

print(f"test_fit_cli: {checks} checks, {failures} failed")
sys.exit(1 if failures else 0)
