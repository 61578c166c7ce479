#!/usr/bin/env bash
# The README's main job (examples/demo.sh) runs on shipped data alone and the model it trains
# reproduces Stillinger-Weber on the unseen 64-atom cell to a force RMSE below 0.15 eV/Å; its MD
# part prints an NVE drift below 1e-4 eV/atom/ps.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
MLPOT_SHARED_DATA=/nonexistent bash "$src/examples/demo.sh" "$MLPOT_BUILD_DIR/mlpot" >"$log" 2>&1 || { cat "$log"; exit 1; }
rmse=$(sed -n 's/.*forces vs reference: RMSE \([0-9.e+-]*\),.*/\1/p' "$log" | tail -1)
echo "demo: trained model's force RMSE on the unseen cell $rmse eV/Å"
awk -v r="$rmse" 'BEGIN { exit !(r != "" && r < 0.15) }' || { cat "$log"; echo "force RMSE '$rmse' too large"; exit 1; }
# the MD part: a mean temperature near 600 K and a small NVE drift are printed
grep -q "NVE continuation (1 ps): mean temperature" "$log" || { cat "$log"; echo "no MD summary in the demo's output"; exit 1; }
drift=$(sed -n 's/.*conserved-energy drift \([0-9.e+-]*\) eV.*/\1/p' "$log")
awk -v d="$drift" 'BEGIN { exit !(d != "" && d < 1e-4 && d > -1e-4) }' || { cat "$log"; echo "NVE drift '$drift' too large"; exit 1; }
echo "demo: NVE drift $drift eV/atom/ps"
