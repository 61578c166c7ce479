"""Writes si_sw_train.xyz and si_sw_test.xyz: strained and rattled 8-atom diamond silicon cells
(NumPy seed 11), energies, forces and stresses from Stillinger-Weber (Si.sw) computed by mlpot.

usage: /usr/bin/python3 make_training_set.py path/to/mlpot"""
import os
import subprocess
import sys
import tempfile

import numpy as np
from ase.build import bulk
from ase.io import read, write

here = os.path.dirname(os.path.abspath(__file__))
mlpot = sys.argv[1]
rng = np.random.default_rng(11)
frames = []
for k in range(96):
    a = bulk("Si", "diamond", a=5.431, cubic=True)
    strain = np.eye(3) + 0.025 * rng.standard_normal((3, 3))
    a.set_cell(a.cell[:] @ (0.5 * (strain + strain.T)), scale_atoms=True)
    a.rattle(0.04 + 0.12 * k / 95, seed=int(rng.integers(1 << 30)))
    frames.append(a)
with tempfile.TemporaryDirectory() as tmp:
    raw, labelled = os.path.join(tmp, "raw.xyz"), os.path.join(tmp, "sw.xyz")
    write(raw, frames, format="extxyz")
    subprocess.run([mlpot, "eval", "-p", "sw:" + os.path.join(here, "Si.sw"), "-o", labelled, raw], check=True)
    labelled_frames = read(labelled, ":")
test = labelled_frames[::8]
train = [f for k, f in enumerate(labelled_frames) if k % 8]
write(os.path.join(here, "si_sw_train.xyz"), train, format="extxyz")
write(os.path.join(here, "si_sw_test.xyz"), test, format="extxyz")
print(f"{len(train)} training and {len(test)} test frames")
