#!/usr/bin/env bash
# Behler-Parrinello training (mlpot train) on Zuo et al. 2020 elements with their train/test
# split; prints the trainer's final test errors beside the paper's GAP and MTP, and beside the
# paper's own Behler-Parrinello networks (n2p2 format, Hartree and Bohr, in
# zuo2020_mlearn/mlearn/mvl_models) evaluated by mlpot on the same test frames.
#
# usage: bench/train_zuo.sh [path/to/mlpot] [elements...]   (default: Si)
# Data: $MLPOT_SHARED_DATA (or ../shared/data) zuo2020_mlearn/ACEData/ZuoEtAl2020/<El>_{train,test}.xyz
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mlpot=$(realpath "${1:-$here/../build/mlpot}")
shift || true
elements=${*:-Si}
shared=$(realpath "${MLPOT_SHARED_DATA:-$here/../../shared/data}")
data=$shared/zuo2020_mlearn/ACEData/ZuoEtAl2020
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
declare -A paper=([Ni]="GAP 0.42/0.02, MTP 0.48/0.01" [Cu]="GAP 0.46/0.01, MTP 0.41/0.01"
                  [Li]="GAP 0.49/0.01, MTP 0.49/0.01" [Mo]="GAP 2.24/0.09, MTP 2.83/0.09"
                  [Si]="GAP 2.91/0.07, MTP 2.21/0.06")
for el in $elements; do
    cat >"$out/$el.yaml" <<YAML
data:
  train: [$data/${el}_train.xyz]
  test: [$data/${el}_test.xyz]
  forces_key: force
  validation_fraction: 0.1
model:
  cutoff: 5.0
  radial_count: 10
  angular_eta_count: 3
  angular_zetas: [1, 2, 4, 16]
  hidden_layers: [30, 30]
loss:
  energy_sigma: 0.0003
  force_sigma: 0.03
training:
  optimizer: lbfgs
  epochs: 300
  early_stopping: 60
  seed: 1
output:
  directory: $out/$el-model
  checkpoint: $out/$el.checkpoint
  learning_curve: $out/$el.csv
YAML
    echo "== $el (paper MAE meV/atom / eV/Å: ${paper[$el]})"
    "$mlpot" train "$out/$el.yaml" -q | grep -E "trained|test set"
    echo "-- the paper's NNP on the same test frames (energy per atom, forces):"
    "$mlpot" eval -p "$shared/zuo2020_mlearn/mlearn/mvl_models/$el/nnp,energy_unit=Hartree,length_unit=Bohr" \
        --forces-key force -o "$out/$el-paper-nnp.xyz" "$data/${el}_test.xyz" 2>&1 | grep "vs reference"
done
