#!/usr/bin/env bash
# The main job on data shipped in this repository: evaluate a shipped potential on a shipped
# structure and print energy, forces and stress; train a neural network potential on shipped
# Stillinger-Weber labels and test it on a structure it never saw; run Langevin molecular dynamics
# at 600 K and continue it in NVE, printing the mean temperature and the conserved-energy drift.
# Usage: examples/demo.sh [path/to/mlpot]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mlpot=$(realpath "${1:-$here/../build/mlpot}")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== Stillinger-Weber silicon: 64 rattled atoms =="
"$mlpot" eval -p "sw:$here/silicon/Si.sw" --summary "$here/silicon/si64_rattled.xyz"
"$mlpot" eval -p "sw:$here/silicon/Si.sw" -o "$out/si64_sw.xyz" "$here/silicon/si64_rattled.xyz"
echo "first atoms with predicted forces (extended XYZ written by mlpot eval):"
head -n 5 "$out/si64_sw.xyz" | cut -c1-160

echo
echo "== train a neural network potential on Stillinger-Weber labels (84 shipped 8-atom frames) =="
(cd "$here/silicon" && "$mlpot" train train.yaml -q -o "$out/nnp-si" \
    --set output.checkpoint="$out/train.checkpoint" --set output.learning_curve="$out/learning_curve.csv")
echo "learning curve: $(($(wc -l < "$out/learning_curve.csv") - 1)) rows (epoch 0 = initial weights); the model folder, in n2p2's format:"
ls "$out/nnp-si"
echo
echo "== the trained model on the 64-atom cell it never saw, against Stillinger-Weber =="
"$mlpot" eval -p "$out/nnp-si" -o "$out/si64_nnp.xyz" "$out/si64_sw.xyz"

echo
echo "== molecular dynamics: 64 Si atoms at 600 K (Langevin), then an NVE continuation =="
"$mlpot" md -p "sw:$here/silicon/Si.sw" --ensemble langevin --temperature 600 --friction 0.05 --dt 1 --steps 500 \
    --seed 7 --log "$out/nvt.csv" --log-every 10 --traj "$out/nvt.xyz" --traj-every 500 --quiet \
    "$here/silicon/si64_rattled.xyz"
# the last frame carries positions and velocities: NVE continues from it
n=$(head -n 1 "$out/nvt.xyz")
tail -n $((n + 2)) "$out/nvt.xyz" > "$out/nvt_last.xyz"
"$mlpot" md -p "sw:$here/silicon/Si.sw" --ensemble nve --dt 1 --steps 1000 --log "$out/nve.csv" --log-every 10 \
    --quiet "$out/nvt_last.xyz"
# log columns: step,time_fs,T_K,E_pot_eV,E_kin_eV,E_conserved_eV,P_GPa,volume_A3
awk -F, 'NR > 1 && $1 >= 200 { t += $3; k++ } END { printf "Langevin 600 K: mean temperature over steps 200-500: %.1f K\n", t / k }' "$out/nvt.csv"
awk -F, -v n="$n" 'NR > 1 { x = $2 / 1000; y = $6; sx += x; sy += y; sxx += x * x; sxy += x * y; t += $3; k++ }
    END { slope = (k * sxy - sx * sy) / (k * sxx - sx * sx);
          printf "NVE continuation (1 ps): mean temperature %.1f K, conserved-energy drift %.2e eV/atom/ps\n", t / k, slope / n }' "$out/nve.csv"
