#!/usr/bin/env bash
# The whole test suite: a warnings-as-errors release build with every test, then the same tests
# built with AddressSanitizer and UndefinedBehaviorSanitizer. Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${MLPOT_JOBS:-$(nproc)}
export MLPOT_REQUIRE_LAMMPS=${MLPOT_REQUIRE_LAMMPS:-1}

echo "== release build (warnings are errors) =="
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Release -DMLPOT_WERROR=ON >/dev/null
cmake --build build-test -j "$jobs"
ctest --test-dir build-test --output-on-failure -j "$jobs"

echo "== sanitizer build (ASan + UBSan) =="
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMLPOT_SANITIZE=ON -DMLPOT_WERROR=ON >/dev/null
cmake --build build-asan -j "$jobs"
ctest --test-dir build-asan --output-on-failure -j "$jobs" -LE no-sanitizer
