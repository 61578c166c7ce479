#!/usr/bin/env bash
# Training speed and errors side by side with n2p2 on n2p2's own training example
# (examples/nnp-train/H2O_RPBE-D3: 20 water structures of 192 atoms, Hartree and Bohr):
#  1. `mlpot train input.nn` on the example's own input.nn: n2p2's Kalman filter settings
#     (global covariance, η and q schedules, fractions, thresholds, force_weight 10); errors in
#     n2p2's units, i.e. loss.force_sigma 1 and loss.energy_sigma 1/192 per atom (n2p2 weighs
#     the total energy), EPOCHS epochs;
#  2. mlpot's L-BFGS on the same symmetry functions and 25-25 networks;
#  3. when $N2P2_TRAIN names an nnp-train binary (GPL: built outside this repository, never
#     shipped), n2p2 itself on a copy of the example with epochs set to EPOCHS.
# All with one thread (OMP_NUM_THREADS=1; nnp-train without MPI ranks). Prints wall time and
# train/validation RMSE per epoch (energy Ha/atom, forces Ha/Bohr; n2p2's "test" set is its
# validation set: reported, never fitted).
#
# usage: bench/train_n2p2_water.sh [path/to/mlpot] [EPOCHS]   (default 10)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mlpot=$(realpath "${1:-$here/../build/mlpot}")
epochs=${2:-10}
example=${MLPOT_SHARED_DATA:-$here/../../shared/data}/n2p2/examples/nnp-train/H2O_RPBE-D3
example=$(realpath "$example")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export OMP_NUM_THREADS=1
curve() {
    awk -F, 'NR == 1 { next } { printf "epoch %2d  %7.2f s  train E %.3e F %.3e  valid. E %.3e F %.3e\n", $1, $2, $5, $7, $11, $13 }' "$1"
}
echo "== mlpot train input.nn (n2p2's Kalman filter settings)"
"$mlpot" train "$example/input.nn" -q -o "$out/kalman" --epochs "$epochs" --set loss.force_sigma=1 \
    --set loss.energy_sigma=0.005208333 --set output.checkpoint="$out/kalman.checkpoint" \
    --set output.learning_curve="$out/kalman.csv" >/dev/null
curve "$out/kalman.csv"
cat >"$out/train.yaml" <<YAML
data:
  train: [$example/input.data]
  format: n2p2
  validation_fraction: 0.1
model:
  symmetry_functions: $example/input.nn
  hidden_layers: [25, 25]
  activation: t
loss:
  energy_sigma: 0.00004   # 1 meV/atom in Hartree (the files' unit, kept as is)
  force_sigma: 0.001      # about 50 meV/Å in Hartree/Bohr
training:
  optimizer: lbfgs
  epochs: $epochs
  seed: 1
output:
  directory: $out/model
  checkpoint: $out/train.checkpoint
  learning_curve: $out/learning_curve.csv
YAML
echo "== mlpot train (L-BFGS, 20 iterations per epoch)"
"$mlpot" train "$out/train.yaml" -q >/dev/null
curve "$out/learning_curve.csv"
if [ -n "${N2P2_TRAIN:-}" ]; then
    echo "== n2p2 nnp-train ($N2P2_TRAIN, the example's input.nn, $epochs epochs)"
    mkdir -p "$out/n2p2" && cp "$example"/* "$out/n2p2/"
    sed -i "s/^epochs .*/epochs $epochs/" "$out/n2p2/input.nn"
    (cd "$out/n2p2" && "$N2P2_TRAIN" >/dev/null 2>&1)
    # timing.out: epoch, ..., column 7 the running total; learning-curve.out: epoch, RMSE per
    # atom of E train/test (2, 3), RMSE of F train/test (10, 11), in the files' units
    awk 'FNR == NR { if ($1 !~ /^#/) total[$1] = $7; next }
         $1 !~ /^#/ { printf "epoch %2d  %7.2f s  train E %.3e F %.3e  test E %.3e F %.3e\n", $1, total[$1] + 0, $2, $10, $3, $11 }' \
        "$out/n2p2/timing.out" "$out/n2p2/learning-curve.out"
else
    echo "(set N2P2_TRAIN=/path/to/nnp-train to run n2p2 in the same invocation)"
fi
