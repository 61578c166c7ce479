#!/usr/bin/env bash
# Behler-Parrinello training (mlpot train) on Zuo et al. 2020 elements with their train/test
# split; prints the trainer's final test errors beside the paper's GAP and MTP, and beside the
# paper's own Behler-Parrinello networks (n2p2 format, Hartree and Bohr, in
# zuo2020_mlearn/mlearn/mvl_models) evaluated by mlpot on the same test frames.
#
# The fit: generated symmetry functions (cutoff 5 Å, 10 radial, angular with 3 widths and
# zeta 1, 2, 4, 16: 34 per atom), a 30-30 tanh network, n2p2's Kalman filter with 16
# measurements per update, all energies and FORCE_FRACTION of the force components per epoch,
# noise levels 0.1 meV/atom and 30 meV/Å. OPTIMIZER=lbfgs fits the same network to the full batch
# by L-BFGS instead (300 epochs unless EPOCHS says otherwise, early stop after 60 without gain).
#
# usage: bench/train_zuo.sh [path/to/mlpot] [elements...]   (default: Si)
#        EPOCHS (default 80), FORCE_FRACTION (default 0.2), OPTIMIZER (kalman or lbfgs),
#        OUT (work folder kept afterwards, where an element's checkpoint is resumed; default a
#        temporary one), EMA_DECAY (training.ema_decay, Kalman only; default 0, no average),
#        KALMAN_ETAMAX (training.kalman_etamax, the Kalman step's cap; default 0.005: a run
#        resumed from its checkpoint with a smaller one goes on with smaller steps),
#        ENERGY_FRACTION (training.energy_fraction, Kalman only: energy updates per training
#        structure and epoch; default 1), FORCE_THRESHOLD (training.force_threshold, Kalman only:
#        a force component is used when its error is at least this times the last training
#        force RMSE, else the largest of three tried; default 0, every one),
#        ENERGY_SIGMA and FORCE_SIGMA (loss noise levels in eV/atom and eV/Å; default 0.0001 with
#        the Kalman filter, 0.0003 with L-BFGS, and 0.03), STRESS_SIGMA (eV/Å³: fit the stresses
#        too, read from mlearn's JSON copies of the frames by mlearn_to_extxyz.py; unset: none),
#        SLAB_SIGMA (eV/atom: the energy noise level of the training slabs, the frames whose
#        volume per atom is above 1.5 times the median, set per frame by slab_sigma.py; unset:
#        the run's for every frame), SCALING (model.scaling; sigma standardises the functions to mean 0 and deviation 1),
#        CUTOFF (5.0 Å), CUTOFF_TYPE (model.cutoff_type: n2p2's number, default 6, poly2),
#        CUTOFF_ALPHA (model.cutoff_alpha: the cutoff function is 1 inside CUTOFF_ALPHA·CUTOFF;
#        default 0, so it decays over the whole sphere), RADIAL (10 radial functions), ANGULAR_WIDTHS (3 widths or centres per
#        angular set), ANGULAR_TYPE (3 narrow, 9 wide), ANGULAR_SHIFTED (false: centred widths;
#        true: nnp-sfparamgen's shifted grid), R_LOWER (0.5 Å, the grids' inner edge; auto: one grid spacing below the closest training pair),
#        ZETAS (angular exponents, "1, 2, 4, 16"), VALIDATION_FRACTION (0.1; at 0 the epoch of
#        lowest training loss is kept), HIDDEN ("30, 30"), ACTIVATION (t: tanh; p: softplus),
#        SEED (1), SELECTION (training.selection: mean, or median of the validation structures'
#        losses), KEEP_LAST (training.keep_last: true keeps the last epoch's model)
# Data: $MLPOT_SHARED_DATA (or ../shared/data) zuo2020_mlearn/ACEData/ZuoEtAl2020/<El>_{train,test}.xyz
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mlpot=$(realpath "${1:-$here/../build/mlpot}")
shift || true
elements=${*:-Si}
shared=$(realpath "${MLPOT_SHARED_DATA:-$here/../../shared/data}")
data=$shared/zuo2020_mlearn/ACEData/ZuoEtAl2020
case ${OPTIMIZER:-kalman} in # the loss weights and schedule that suit each optimiser
    kalman) energy_sigma=0.0001
            schedule=$(printf '  optimizer: kalman\n  kalman_batch: 16\n  kalman_eta: 0.00005\n'
                       printf '  kalman_etamax: %s\n  force_fraction: %s\n  epochs: %s\n' \
                              "${KALMAN_ETAMAX:-0.005}" "${FORCE_FRACTION:-0.2}" "${EPOCHS:-80}"
                       printf '  energy_fraction: %s\n  force_threshold: %s' \
                              "${ENERGY_FRACTION:-1}" "${FORCE_THRESHOLD:-0}") ;;
    lbfgs)  energy_sigma=0.0003
            schedule=$(printf '  optimizer: lbfgs\n  epochs: %s\n  early_stopping: 60' "${EPOCHS:-300}") ;;
    *)      echo "train_zuo.sh: OPTIMIZER must be kalman or lbfgs, not '$OPTIMIZER'" >&2; exit 2 ;;
esac
if [ -n "${OUT:-}" ]; then out=$OUT; mkdir -p "$out"; else out=$(mktemp -d); trap 'rm -rf "$out"' EXIT; fi
declare -A paper=([Ni]="GAP 0.42/0.02, MTP 0.48/0.01" [Cu]="GAP 0.46/0.01, MTP 0.41/0.01"
                  [Li]="GAP 0.49/0.01, MTP 0.49/0.01" [Mo]="GAP 2.24/0.09, MTP 2.83/0.09"
                  [Si]="GAP 2.91/0.07, MTP 2.21/0.06")
case ${SCALING:-scale_center} in
    sigma) scaling=$(printf '  scaling: sigma\n  scale_min: 0\n  scale_max: 1') ;;
    *)     scaling="  scaling: ${SCALING:-scale_center}" ;;
esac
for el in $elements; do
    train=$data/${el}_train.xyz test=$data/${el}_test.xyz stress="  stress: false"
    if [ -n "${STRESS_SIGMA:-}" ]; then # the same frames with their stresses
        json=$shared/zuo2020_mlearn/mlearn/data/$el
        [ -f "$json/training.json" ] || { echo "train_zuo.sh: $json has no training.json: no stresses for $el" >&2; exit 2; }
        /usr/bin/python3 "$here/mlearn_to_extxyz.py" "$json/training.json" "$out/${el}_train.xyz"
        /usr/bin/python3 "$here/mlearn_to_extxyz.py" "$json/test.json" "$out/${el}_test.xyz"
        train=$out/${el}_train.xyz test=$out/${el}_test.xyz
        stress=$(printf '  stress: true\n  stress_sigma: %s' "$STRESS_SIGMA")
    fi
    if [ -n "${SLAB_SIGMA:-}" ]; then # the slabs' energies with their own noise level
        /usr/bin/python3 "$here/slab_sigma.py" "$train" "$out/${el}_train_slabs.xyz" "$SLAB_SIGMA"
        train=$out/${el}_train_slabs.xyz
    fi
    cat >"$out/$el.yaml" <<YAML
data:
  train: [$train]
  test: [$test]
  forces_key: force
  validation_fraction: ${VALIDATION_FRACTION:-0.1}
model:
  cutoff: ${CUTOFF:-5.0}
  cutoff_type: ${CUTOFF_TYPE:-6}
  cutoff_alpha: ${CUTOFF_ALPHA:-0}
  radial_count: ${RADIAL:-10}
  radial_r_lower: ${R_LOWER:-0.5}
  angular_eta_count: ${ANGULAR_WIDTHS:-3}
  angular_type: ${ANGULAR_TYPE:-3}
  angular_shifted: ${ANGULAR_SHIFTED:-false}
  angular_zetas: [${ZETAS:-1, 2, 4, 16}]
  hidden_layers: [${HIDDEN:-30, 30}]
  activation: ${ACTIVATION:-t}
$scaling
loss:
  energy_sigma: ${ENERGY_SIGMA:-$energy_sigma}
  force_sigma: ${FORCE_SIGMA:-0.03}
$stress
training:
$schedule
  seed: ${SEED:-1}
  ema_decay: ${EMA_DECAY:-0}
  selection: ${SELECTION:-mean}
  keep_last: ${KEEP_LAST:-false}
output:
  directory: $out/$el-model
  checkpoint: $out/$el.checkpoint
  learning_curve: $out/$el.csv
YAML
    echo "== $el (paper MAE meV/atom / eV/Å: ${paper[$el]})"
    resume=$([ -f "$out/$el.checkpoint" ] && echo --resume || true) # an interrupted run goes on
    "$mlpot" train "$out/$el.yaml" $resume -q | grep -E "trained|resumed|test set|radial grid"
    echo "-- the paper's NNP on the same test frames (energy per atom, forces):"
    "$mlpot" eval -p "$shared/zuo2020_mlearn/mlearn/mvl_models/$el/nnp,energy_unit=Hartree,length_unit=Bohr" \
        --forces-key force -o "$out/$el-paper-nnp.xyz" "$data/${el}_test.xyz" 2>&1 | grep "vs reference"
done
