#!/usr/bin/env bash
# Behler-Parrinello training (mlpot train) on revised MD17, split 01: the 1000 training
# configurations less 50 (validation, drawn by the seed), tested on the 1000 test configurations;
# prints the trainer's test MAE beside the GAP (SOAP) column of ../shared/data/README.md.
#
# The fit: generated symmetry functions (8 radial per neighbour element, angular with 2 widths
# and zeta 1, 4: broad functions; a denser set, 12 radial, 3 widths, zeta 1, 4, 16, fits ethanol's
# validation set better but fails on a few test frames whose functions lie far outside the
# training range), 25-25 tanh networks, n2p2's Kalman filter decoupled per element with
# 16 measurements per update, all energies and FORCE_FRACTION of the force components per epoch,
# noise levels 0.2 meV/atom and 20 meV/Å, η from 5e-5 up to 5e-3. With COMMITTEE=K, K networks
# are trained with seeds 1..K (each its own validation draw and initial weights) and their mean
# ('committee:A;B;...') is tested too. SEEDS="2 4" trains only those members. A member whose
# checkpoint is already in OUT is resumed (a finished one just reports its test errors, a larger
# EPOCHS extends it), so an interrupted run goes on, and members trained by separate invocations
# with the same OUT (one per core, say SEEDS="1 3" and SEEDS="2 4") are joined by a last one.
#
# usage: bench/train_rmd17.sh [path/to/mlpot] [molecules...]   (default: ethanol)
#        EPOCHS (default 30), FORCE_FRACTION (default 0.2), OUT (work folder, default a new one),
#        FUNCTIONS (default "8 2 1,4": radial count, angular widths, zetas), HIDDEN (default
#        "25, 25"), COMMITTEE (default 1), SEEDS (default 1..COMMITTEE), SELECTION (mean or
#        median: the validation statistic that picks the epoch kept, default mean), EMA_DECAY
#        (training.ema_decay: the moving average of the parameters is kept; default 0, none),
#        ENERGY_SIGMA and FORCE_SIGMA (loss noise levels, eV/atom and eV/Å; default 0.0002, 0.02)
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
  members=()
  for seed in ${SEEDS:-$(seq 1 "${COMMITTEE:-1}")}; do
    suffix=$([ "$seed" = 1 ] || echo "-s$seed")
    read -r radial etas zetas <<<"${FUNCTIONS:-8 2 1,4}" # radial count, angular widths, zetas
    cat >"$out/$mol$suffix.yaml" <<YAML
data:
  train: [$data/rmd17_${mol}_train_01.npz]
  test: [$data/rmd17_${mol}_test_01.npz]
  validation_fraction: 0.05
model:
  cutoff: 5.0
  radial_count: $radial
  angular_eta_count: $etas
  angular_zetas: [$zetas]
  hidden_layers: [${HIDDEN:-25, 25}]
loss:
  energy_sigma: ${ENERGY_SIGMA:-0.0002}
  force_sigma: ${FORCE_SIGMA:-0.02}
training:
  optimizer: kalman
  kalman_batch: 16
  kalman_eta: 0.00005
  kalman_etamax: 0.005
  force_fraction: ${FORCE_FRACTION:-0.2}
  epochs: ${EPOCHS:-30}
  seed: $seed
  selection: ${SELECTION:-mean}
  ema_decay: ${EMA_DECAY:-0}
output:
  directory: $out/$mol-model$suffix
  checkpoint: $out/$mol$suffix.checkpoint
  learning_curve: $out/$mol$suffix.csv
YAML
    echo "== $mol, seed $seed (GAP MAE meV / meV/Å: ${gap[$mol]}; mlpot's energy MAE is per atom: × atoms for per molecule)"
    resume=$([ -f "$out/$mol$suffix.checkpoint" ] && echo --resume || true)
    "$mlpot" train "$out/$mol$suffix.yaml" $resume -q | grep -E "trained|resumed|test set|validation:"
    members+=("$out/$mol-model$suffix")
  done
  if [ "${#members[@]}" -gt 1 ]; then
    echo "-- committee of ${#members[@]} on the test set (energy per atom, forces):"
    spec="committee:$(IFS=';'; echo "${members[*]}")"
    OMP_NUM_THREADS=1 "$mlpot" eval -p "$spec" -o "$out/$mol-committee.xyz" "$data/rmd17_${mol}_test_01.npz" 2>&1 |
        grep "vs reference"
  fi
done
