#!/usr/bin/env bash
# 4G-HDNNP training in n2p2's two stages, teacher-student: 140 water boxes (48 and 96 atoms)
# labelled with energies, forces and charges by n2p2's shipped H2O_RPBE-D3_4G model
# (make_teacher.sh), the 16 frames of tests/data/h2o_4g_teacher.data held out as the test set.
# mlpot trains the charges (electronegativity networks and hardnesses), then the short-range
# networks, with L-BFGS, and reports wall time per stage and the test errors: charges (me), energy
# (meV/atom), forces (meV/Å). Symmetry functions: mlpot's generated grid (cutoff 6 Å, 70 per
# element); networks 15-15 tanh; widths H 0.31, O 0.661 Å; screening 2.54-6.35 Å (the teacher's,
# in Å).
#
# With $N2P2_TRAIN, $N2P2_SCALING and $N2P2_PREDICT naming n2p2 binaries (GPL: built outside
# this repository, never shipped), n2p2's nnp-predict evaluates mlpot's trained model (the same
# numbers as mlpot eval), and n2p2 trains the same model (the same symmetry functions, widths,
# screening, networks; its Kalman filter) on the same split in the same invocation
# (n2p2_reference.sh).
#
# usage: bench/train_4g_water/run.sh [path/to/mlpot] [EPOCHS_CHARGES] [EPOCHS_SHORT]   (40, 100)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mlpot=$(realpath "${1:-$here/../../build/mlpot}")
epochs_q=${2:-40}
epochs_e=${3:-100}
out=${OUT:-$(mktemp -d)}
echo "work folder: $out"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} OPENBLAS_NUM_THREADS=1

# data: the teacher set, split into the test frames (the repository's 16) and the rest
MLPOT="$mlpot" WORK="$out/data" "$here/make_teacher.sh" >/dev/null
python3 "$here/teacher_tools.py" split "$out/data/teacher_full.data" "$out/data/teacher_subset.data" \
    "$out/train.data" "$out/test.data"

common=(--train "$out/train.data" --test "$out/test.data" --seed 1 --set model.hidden_layers=15,15
        --set data.energy_unit=eV --set data.length_unit=Angstrom
        --set training.optimizer=lbfgs --set training.lbfgs_iterations=50 -q)
seconds() { date +%s.%N; }
t0=$(seconds)
"$mlpot" train "${common[@]}" --set training.stage=charges --set model.charge_widths=H=0.31,O=0.661 \
    --set model.screening=2.54,6.35 --set loss.charge_sigma=0.001 --epochs "$epochs_q" -o "$out/q" \
    --set output.learning_curve="$out/q.csv" --set output.checkpoint="$out/q.ckpt" | grep "test set"
t1=$(seconds)
"$mlpot" train "${common[@]}" --set model.electrostatics="$out/q" --epochs "$epochs_e" -o "$out/model" \
    --set output.learning_curve="$out/e.csv" --set output.checkpoint="$out/e.ckpt" | grep "test set"
t2=$(seconds)
"$mlpot" eval -p "$out/model" -o "$out/test_pred.xyz" "$out/test.data" 2>&1 | grep -i rmse
python3 "$here/teacher_tools.py" charges "$out/test.data" "$out/test_pred.xyz"
awk -v a="$t0" -v b="$t1" -v c="$t2" -v eq="$epochs_q" -v ee="$epochs_e" \
    'BEGIN { printf "mlpot: charges stage %.1f s (%d epochs), short-range stage %.1f s (%d epochs)\n", b - a, eq, c - b, ee }'

if [ -z "${N2P2_TRAIN:-}" ] || [ -z "${N2P2_SCALING:-}" ] || [ -z "${N2P2_PREDICT:-}" ]; then
    echo "(set N2P2_TRAIN, N2P2_SCALING and N2P2_PREDICT to run n2p2 on the same split in the same invocation)"
    exit 0
fi
echo "mlpot's trained model evaluated by n2p2 (nnp-predict, frame by frame):"
/usr/bin/python3 "$here/n2p2_predict.py" "$out/model" "$out/test.data" "$out/n2p2-eval-mlpot" | grep RMSE
"$here/n2p2_reference.sh" "$out" "$out/q/input.nn"
