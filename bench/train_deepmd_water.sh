#!/usr/bin/env bash
# Behler-Parrinello training (mlpot train) on DeePMD-kit's water example (data_0..3: 400 frames
# of 64 molecules), 10 % of the frames held out for testing and 10 % for validation; prints the
# trainer's test errors.
#
# usage: bench/train_deepmd_water.sh [path/to/mlpot] [EPOCHS]   (default 25)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mlpot=$(realpath "${1:-$here/../build/mlpot}")
epochs=${2:-25}
data=$(realpath "${MLPOT_SHARED_DATA:-$here/../../shared/data}/deepmd_water/examples/water/data")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cat >"$out/water.yaml" <<YAML
data:
  train: [$data/data_0, $data/data_1, $data/data_2, $data/data_3]
  validation_fraction: 0.1
  test_fraction: 0.1
model:
  cutoff: 6.0
  radial_count: 8
  angular_eta_count: 2
  angular_zetas: [1, 4]
  hidden_layers: [25, 25]
loss:
  energy_sigma: 0.0005
  force_sigma: 0.03
training:
  optimizer: lbfgs
  epochs: $epochs
  seed: 1
  cache_memory: 9000
output:
  directory: $out/model
  checkpoint: $out/train.checkpoint
  learning_curve: $out/learning_curve.csv
YAML
"$mlpot" train "$out/water.yaml" -q | grep -E "trained|test set|forces on"
