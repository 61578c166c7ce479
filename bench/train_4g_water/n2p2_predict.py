#!/usr/bin/env python3
"""Evaluate an n2p2 4G model on every frame of an n2p2 .data file with nnp-predict
(it predicts only the first structure of input.data, so one frame at a time).

usage: predict.py MODEL_DIR DATA_FILE WORK_DIR [--nnp-predict PATH] [--elec-only]
MODEL_DIR holds input.nn, scaling.data, weights.*.data, weightse.*.data, hardness.*.data.
Prints charge RMSE (e, per atom), energy RMSE (eV/atom), force RMSE (eV/A, per component)
against the labels in DATA_FILE, and writes WORK_DIR/per_frame.txt
(frame natoms Eref Ennp Eelec ...).
"""
import glob, math, os, re, shutil, subprocess, sys

def blocks(path):
    out, cur = [], None
    for line in open(path):
        w = line.split()
        if not w: continue
        if w[0] == "begin": cur = ["begin\n"]          # drop any set=train/test tag
        else:
            cur.append(line)
            if w[0] == "end": out.append(cur); cur = None
    return out

def labels(b):
    at = [l.split() for l in b if l.startswith("atom")]
    e = float([l for l in b if l.startswith("energy")][0].split()[1])
    return e, [float(a[5]) for a in at], [[float(x) for x in a[7:10]] for a in at], [a[4] for a in at]

def parse_output(path):
    at, e = [], None
    for l in open(path):
        w = l.split()
        if not w: continue
        if w[0] == "atom": at.append(w)
        elif w[0] == "energy": e = float(w[1])
    return e, [float(a[5]) for a in at], [[float(x) for x in a[7:10]] for a in at]

def main():
    a = sys.argv[1:]
    exe = os.environ.get("N2P2_PREDICT", "nnp-predict")
    if "--nnp-predict" in a:
        i = a.index("--nnp-predict"); exe = a[i + 1]; del a[i:i + 2]
    model, data, work = [os.path.abspath(x) for x in a[:3]]
    os.makedirs(work, exist_ok=True)
    for f in ["input.nn", "scaling.data"] + glob.glob(model + "/weight*.data") + glob.glob(model + "/hardness.*.data"):
        src = f if os.path.isabs(f) else os.path.join(model, f)
        shutil.copy(src, os.path.join(work, os.path.basename(src)))
    env = dict(os.environ, OMP_NUM_THREADS="1")
    sq_q = sq_e = sq_f = 0.0; n_q = n_e = n_f = 0
    rows = []
    n_ex_frames = 0
    for k, b in enumerate(blocks(data)):
        with open(os.path.join(work, "input.data"), "w") as f:
            f.writelines(b)
        r = subprocess.run([exe, "0"], cwd=work, env=env, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("nnp-predict failed on frame %d:\n%s\n%s" % (k + 1, r.stdout[-2000:], r.stderr[-2000:]))
        eref, qref, fref, el = labels(b)
        e, q, fo = parse_output(os.path.join(work, "output.data"))
        log = open(os.path.join(work, "nnp-predict.log")).read()
        m = re.search(r"NNP electrostatic energy:\s+(\S+)", log)
        eelec = float(m.group(1)) if m else float("nan")
        # cross-check against energy.out (Eref, Ennp)
        eo = [l.split() for l in open(os.path.join(work, "energy.out")) if not l.startswith("#")][0]
        assert abs(float(eo[2]) - eref) < 1e-6 * abs(eref) and abs(float(eo[3]) - e) < 1e-6 * abs(e), (eo, eref, e)
        n = len(q)
        nex = (r.stdout + r.stderr).count("NNP EXTRAPOLATION WARNING")
        n_ex_frames += nex > 0
        sq_e += ((e - eref) / n) ** 2; n_e += 1
        sq_q += sum((x - y) ** 2 for x, y in zip(q, qref)); n_q += n
        sq_f += sum((x - y) ** 2 for u, v in zip(fo, fref) for x, y in zip(u, v)); n_f += 3 * n
        fr = math.sqrt(sum((x - y) ** 2 for u, v in zip(fo, fref) for x, y in zip(u, v)) / (3 * n))
        qr = math.sqrt(sum((x - y) ** 2 for x, y in zip(q, qref)) / n)
        rows.append("%4d %4d %18.8f %18.8f %14.6f %12.6f %12.6f %12.6f %5d\n" % (k + 1, n, eref, e, eelec, (e - eref) / n, qr, fr, nex))
    with open(os.path.join(work, "per_frame.txt"), "w") as f:
        f.write("# frame natoms Eref(eV) Ennp(eV) Eelec_nnp(eV) dE/atom(eV) q_rmse(e) f_rmse(eV/A) n_extrapolation_warnings\n")
        f.writelines(rows)
    print("frames %d, atoms %d, frames with extrapolation warnings %d" % (n_e, n_q, n_ex_frames))
    print("charge RMSE  %.6f e      = %.3f me" % (math.sqrt(sq_q / n_q), 1e3 * math.sqrt(sq_q / n_q)))
    print("energy RMSE  %.6f eV/atom = %.3f meV/atom" % (math.sqrt(sq_e / n_e), 1e3 * math.sqrt(sq_e / n_e)))
    print("force  RMSE  %.6f eV/A    = %.3f meV/A" % (math.sqrt(sq_f / n_f), 1e3 * math.sqrt(sq_f / n_f)))

main()
