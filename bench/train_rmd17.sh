#!/usr/bin/env bash
# Behler-Parrinello training (mlpot train, L-BFGS) on revised MD17, split 01: the 1000 training
# configurations less 50 (validation, drawn by the seed), tested on the 1000 test configurations;
# prints the trainer's test MAE beside the GAP (SOAP) column of ../shared/data/README.md.
#
# usage: bench/train_rmd17.sh [path/to/mlpot] [molecules...]   (default: ethanol)
#        EPOCHS (default 300) L-BFGS epochs of 20 iterations
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mlpot=$(realpath "${1:-$here/../build/mlpot}")
shift || true
molecules=${*:-ethanol}
data=$(realpath "${MLPOT_SHARED_DATA:-$here/../../shared/data}/rmd17/rmd17-npz")
out=${OUT:-$(mktemp -d)}
declare -A gap=([aspirin]="17.7/44.9" [ethanol]="3.5/18.1" [malonaldehyde]="4.8/26.4" [uracil]="3.0/17.6"
                [benzene]="0.75/6.0" [naphthalene]="3.8/16.5" [salicylic]="5.6/24.7" [toluene]="4.0/17.8")
for mol in $molecules; do
    cat >"$out/$mol.yaml" <<YAML
data:
  train: [$data/rmd17_${mol}_train_01.npz]
  test: [$data/rmd17_${mol}_test_01.npz]
  validation_fraction: 0.05
model:
  cutoff: 5.0
  radial_count: 12
  angular_eta_count: 4
  angular_zetas: [1, 2, 4, 8, 16]
  hidden_layers: [40, 40]
loss:
  energy_sigma: 0.0002
  force_sigma: 0.02
training:
  optimizer: lbfgs
  epochs: ${EPOCHS:-300}
  early_stopping: 60
  seed: 1
output:
  directory: $out/$mol-model
  checkpoint: $out/$mol.checkpoint
  learning_curve: $out/$mol.csv
YAML
    echo "== $mol (GAP MAE meV / meV/Å: ${gap[$mol]})"
    "$mlpot" train "$out/$mol.yaml" -q | grep -E "trained|test set"
done
