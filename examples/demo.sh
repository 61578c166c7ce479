#!/usr/bin/env bash
# The main job on data shipped in this repository: evaluate a shipped potential on a shipped
# structure and print energy, forces and stress. Usage: examples/demo.sh [path/to/mlpot]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mlpot=${1:-$here/../build/mlpot}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== Stillinger-Weber silicon: 64 rattled atoms =="
"$mlpot" eval -p "sw:$here/silicon/Si.sw" --summary "$here/silicon/si64_rattled.xyz"
"$mlpot" eval -p "sw:$here/silicon/Si.sw" -o "$out/si64_sw.xyz" "$here/silicon/si64_rattled.xyz"
echo "first atoms with predicted forces (extended XYZ written by mlpot eval):"
head -n 5 "$out/si64_sw.xyz" | cut -c1-160
