#!/usr/bin/env bash
# The main job on data shipped in this repository: evaluate a shipped potential on a shipped
# structure and print energy, forces and stress; train a neural network potential on shipped
# Stillinger-Weber labels and test it on a structure it never saw. Usage: examples/demo.sh [path/to/mlpot]
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
