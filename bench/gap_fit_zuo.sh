#!/usr/bin/env bash
# GAP fits of Zuo et al. 2020 (J. Phys. Chem. A 124, 731) elements on their train/test split:
# test-set MAE of energy (meV/atom) and forces (eV/Å) beside the paper's GAP and MTP, with the fit
# time and peak memory of each fit.
#
# usage: bench/gap_fit_zuo.sh [path/to/mlpot] [elements...]   (default: Ni Cu Li Mo Si)
# Data: $MLPOT_SHARED_DATA (or ../shared/data) zuo2020_mlearn/ACEData/ZuoEtAl2020/<El>_{train,test}.xyz
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mlpot=$(realpath "${1:-$here/../build/mlpot}")
shift || true
elements=${*:-Ni Cu Li Mo Si}
data=${MLPOT_SHARED_DATA:-$here/../../shared/data}/zuo2020_mlearn/ACEData/ZuoEtAl2020
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# the paper's test MAE: GAP energy, force; MTP energy, force
declare -A paper=([Ni]="0.42 0.02 0.48 0.01" [Cu]="0.46 0.01 0.41 0.01" [Li]="0.49 0.01 0.49 0.01"
                  [Mo]="2.24 0.09 2.83 0.09" [Si]="2.91 0.07 2.21 0.06")
# per element: SOAP basis, sparse points, default_sigma (energy eV/atom, force eV/Å, virial) — the
# settings measured in bench/README.md
declare -A basis=([Ni]="n_max=10 l_max=8" [Cu]="n_max=8 l_max=8" [Li]="n_max=8 l_max=8" [Mo]="n_max=10 l_max=12" [Si]="n_max=8 l_max=8")
declare -A sparse=([Ni]=2000 [Cu]=1500 [Li]=1500 [Mo]=4000 [Si]=1500)
declare -A sigma=([Ni]=0.001,0.03,0.05 [Cu]=0.002,0.05,0.05 [Li]=0.002,0.05,0.05 [Mo]=0.002,0.03,0.05 [Si]=0.002,0.05,0.05)
printf "%-3s %-26s %-26s %-14s %s\n" El "mlpot GAP: E meV/atom, F" "paper GAP / MTP (E, F)" "fit time (s)" "peak RSS (MB)"
for el in $elements; do
    gap="distance_2b cutoff=5.0 covariance_type=ard_se delta=1.0 theta_uniform=1.0 n_sparse=20 sparse_method=uniform :
         soap cutoff=5.0 cutoff_transition_width=1.0 ${basis[$el]} atom_sigma=0.5 zeta=4 delta=1.0
         n_sparse=${sparse[$el]} sparse_method=cur_points"
    /usr/bin/time -f "%e %M" -o "$out/time" "$mlpot" fit -o "$out/$el.gap" --forces-key force \
        --default-sigma "${sigma[$el]}" --gap "$gap" "$data/${el}_train.xyz" --test "$data/${el}_test.xyz" >"$out/$el.log"
    read -r e f <<<"$(sed -n 's/^test .*energy MAE *\([0-9.]*\) .*forces MAE *\([0-9.]*\) .*/\1 \2/p' "$out/$el.log")"
    read -r t m <<<"$(cat "$out/time")"
    read -r ge gf me mf <<<"${paper[$el]}"
    printf "%-3s %-26s %-26s %-14s %.0f\n" "$el" "$e / $f" "$ge / $gf, $me / $mf" "$t" "$(echo "$m / 1024" | bc -l)"
done
