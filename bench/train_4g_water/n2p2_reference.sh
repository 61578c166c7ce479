#!/usr/bin/env bash
# n2p2's own 4G-HDNNP training (nnp-scaling, nnp-train stage 1 and 2; Kalman filter) on run.sh's
# split, for the side-by-side figures: the same symmetry functions (taken from mlpot's
# charges-stage input.nn), widths, screening, Ewald settings and 15-15 networks
# (n2p2_training.nn), and the per-element reference energies fitted as mlpot fits them
# (n2p2_offsets.py: least squares of E - E_elec, E_elec from the stage-1 model; n2p2 v2.3.0 has
# no working data normalisation in 4G mode and diverges without them). The final model is
# evaluated frame by frame with nnp-predict (n2p2_predict.py).
#
# usage: n2p2_reference.sh WORK MLPOT_CHARGES_INPUT_NN   (run.sh calls it; WORK holds train.data
#        and test.data); $N2P2_TRAIN, $N2P2_SCALING, $N2P2_PREDICT: the binaries (GPL: built
#        outside this repository, never shipped); N2P2_EPOCHS1, N2P2_EPOCHS2 (20, 20).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(realpath "$1")/n2p2
mlpot_nn=$(realpath "$2")
e1=${N2P2_EPOCHS1:-20}
e2=${N2P2_EPOCHS2:-20}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 LC_ALL=C
rm -rf "$work" && mkdir -p "$work" && cd "$work"
grep '^symfunction_short' "$mlpot_nn" > symfunctions.nn
# n2p2 keeps its own test set when input.data tags the frames
{ sed 's/^begin$/begin set=train/' ../train.data; sed 's/^begin$/begin set=test/' ../test.data; } > tagged.data
seconds() { date +%s.%N; }

# scaling on the training frames (4G mode reads hardness files it does not use: placeholders)
mkdir scaling && cd scaling
cat "$here/n2p2_training.nn" ../symfunctions.nn | sed "s/EPOCHS_PLACEHOLDER/$e1/" > input.nn
cp ../../train.data input.data
echo "1.0E+01" > hardness.001.data && cp hardness.001.data hardness.008.data
"$N2P2_SCALING" 100 > scaling.log
cd ..

# stage 1: electronegativity networks and hardnesses; the epoch of lowest training charge RMSE
t0=$(seconds)
mkdir stage1 && cd stage1
cp ../scaling/input.nn ../scaling/scaling.data . && cp ../tagged.data input.data
"$N2P2_TRAIN" 1 > train.log
best=$(grep -v '^#' learning-curve.out.stage-1 | awk 'NR == 1 || $2 < m { m = $2; e = $1 } END { print e }')
cd ..
t1=$(seconds)

# reference energies as mlpot fits them: E_elec of each training frame from the stage-1 model
mkdir -p offsets/model && cd offsets/model
cp ../../stage1/input.nn ../../stage1/scaling.data .
for z in 001 008; do
    cp "../../stage1/weightse.$z.$(printf %06d "$best").out" "weightse.$z.data"
    cp "../../stage1/hardness.$z.$(printf %06d "$best").out" "hardness.$z.data"
done
/usr/bin/python3 - <<'PY'
import re
nn = open("input.nn").read()
nodes = [int(x) for x in re.search(r"^global_nodes_short\s+(.*)$", nn, re.M).group(1).split()]
for z, el in (("001", "H"), ("008", "O")):
    sizes = [sum(1 for l in nn.splitlines() if l.startswith("symfunction_short " + el + " ")) + 1] + nodes + [1]
    n = sum(sizes[i] * sizes[i + 1] + sizes[i + 1] for i in range(len(sizes) - 1))
    open("weights.%s.data" % z, "w").write("0.0\n" * n)  # zero short networks: E = E_elec
PY
cd ..
/usr/bin/python3 "$here/n2p2_predict.py" model ../../train.data work > predict.log
/usr/bin/python3 "$here/n2p2_offsets.py" ../../train.data work/per_frame.txt > atom_energy.nn
cd ..

# stage 2: short-range networks, the last epoch
t2=$(seconds)
mkdir stage2 && cd stage2
cat "$here/n2p2_training.nn" ../symfunctions.nn | sed "s/EPOCHS_PLACEHOLDER/$e2/" | grep -v '^atom_energy' |
    sed "/^elements /r ../offsets/atom_energy.nn" > input.nn
cp ../scaling/scaling.data . && cp ../tagged.data input.data
for z in 001 008; do
    cp "../stage1/weightse.$z.$(printf %06d "$best").out" "weightse.$z.data"
    cp "../stage1/hardness.$z.$(printf %06d "$best").out" "hardness.$z.data"
done
"$N2P2_TRAIN" 2 > train.log
last=$(grep -v '^#' learning-curve.out.stage-2 | tail -1 | awk '{ print $1 }')
cd ..
t3=$(seconds)

mkdir model
cp stage2/input.nn stage2/scaling.data stage2/weightse.*.data stage2/hardness.*.data model/
for z in 001 008; do cp "stage2/weights.$z.$(printf %06d "$last").out" "model/weights.$z.data"; done
echo "n2p2 test set (nnp-predict, frame by frame):"
/usr/bin/python3 "$here/n2p2_predict.py" model ../test.data eval-test
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v e1="$e1" -v e2="$e2" \
    'BEGIN { printf "n2p2: charges stage %.1f s (%d epochs), short-range stage %.1f s (%d epochs)\n", b - a, e1, d - c, e2 }'
