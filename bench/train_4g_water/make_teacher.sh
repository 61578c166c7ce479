#!/usr/bin/env bash
# Teacher-student data for 4G-HDNNP training: short Langevin MD of water with n2p2's shipped
# 4G model H2O_RPBE-D3_4G (run by mlpot), every kept frame labelled by the same model
# (energy, forces, per-atom charges; total charge 0). Synthetic teacher labels, not DFT.
#
# Outputs (eV, Angstrom, e; mlpot's n2p2 writer default units):
#   $WORK/teacher_full.data   all 140 frames (120 of 48 atoms, 20 of 96), n2p2 input.data
#   $WORK/teacher_full.xyz    the same, extended XYZ as written by mlpot eval (also stress,
#                             extrapolation counts)
#   $WORK/teacher_subset.data 16 frames of 48 atoms (both temperatures): the repository's
#                             tests/data/h2o_4g_teacher.data, rewritten there when UPDATE_TEST_DATA=1
#
# Usage: WORK=/dir bench/train_4g_water/make_teacher.sh     (about 30 s on one core)
#   MLPOT=/path/to/mlpot (default: the repository's build/mlpot), MLPOT_SHARED_DATA (../shared/data)
set -euo pipefail
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
MLPOT=$(realpath "${MLPOT:-$REPO/build/mlpot}")
WORK=${WORK:?set WORK to the folder for the data}
TOOLS=$HERE/teacher_tools.py
SHARED=${MLPOT_SHARED_DATA:-$REPO/../shared/data}
SRC=$SHARED/n2p2/examples/configuration-sets/input.data.H2O_RPBE-D3
MODEL=$SHARED/n2p2/examples/nnp-predict/H2O_RPBE-D3_4G
# The n2p2 model works in Hartree and Bohr; the structures have total charge 0.
POT="$MODEL,energy_unit=Hartree,length_unit=Bohr,total_charge=0"

mkdir -p "$WORK/frames" "$WORK/md"
cd "$WORK"

# 1. Starting geometries: n2p2 input.data (Bohr, Hartree) -> extended XYZ (Angstrom, eV),
#    one file per frame (frames 2-12: 48 atoms, 13 and 16: 96 atoms, the rest 192 atoms).
"$MLPOT" convert --from n2p2 --energy-unit Hartree --length-unit Bohr "$SRC" start_all.xyz
awk -v dir=frames 'BEGIN { f = 0; rem = 0 }
  { if (rem == 0) { f++; rem = $1 + 2; out = sprintf("%s/start_%02d.xyz", dir, f) }
    print > out; rem-- }' start_all.xyz

# 2. Langevin MD (BAOAB, friction 0.01/fs), dt 0.5 fs, a frame every 20 steps (10 fs);
#    frames from step 220 on are kept (the first 110 fs leave the DFT geometry and thermalise).
#    name       start  atoms  T/K  steps  seed
runs="
t300_f02       02     48     300  600    302
t300_f06       06     48     300  600    306
t300_f10       10     48     300  600    310
t450_f04       04     48     450  600    404
t450_f08       08     48     450  600    408
t450_f12       12     48     450  600    412
t300_f13       13     96     300  400    313
t450_f13       13     96     450  400    413
"
: > md_frames.xyz
while read -r name start natoms temp steps seed; do
    [ -n "$name" ] || continue
    rm -f "md/$name.xyz" "md/$name.csv"
    "$MLPOT" md -p "$POT" --ensemble langevin --temperature "$temp" --friction 0.01 \
        --dt 0.5 --steps "$steps" --seed "$seed" --traj "md/$name.xyz" --traj-every 20 \
        --log "md/$name.csv" --log-every 20 --quiet "frames/start_$start.xyz"
    python3 "$TOOLS" prep "md/$name.xyz" "md/$name.kept.xyz" --min-step 220 \
        --tag "mlpot md langevin T=${temp}K dt=0.5fs seed=$seed from input.data.H2O_RPBE-D3 frame $((10#$start)) ($natoms atoms); labels: n2p2 4G model H2O_RPBE-D3_4G"
    cat "md/$name.kept.xyz" >> md_frames.xyz
done <<< "$runs"

# 3. Label every frame with the 4G model: energy, forces, charges (no per-atom energies).
"$MLPOT" eval -p "$POT" --no-per-atom -o teacher_full.xyz md_frames.xyz
"$MLPOT" convert --to n2p2 teacher_full.xyz teacher_full.data

# 4. Repository test subset: 16 of the 120 48-atom frames, evenly spread (both temperatures).
python3 "$TOOLS" pick teacher_full.xyz teacher_subset.xyz --natoms 48 --count 16
"$MLPOT" convert --to n2p2 teacher_subset.xyz teacher_subset.data
if [ "${UPDATE_TEST_DATA:-0}" = 1 ]; then cp teacher_subset.data "$REPO/tests/data/h2o_4g_teacher.data"; fi

# 5. Read back and check: charges present, nonzero, summing to 0; energies and forces finite.
"$MLPOT" info teacher_full.data
python3 "$TOOLS" check teacher_full.data
python3 "$TOOLS" check teacher_subset.data
