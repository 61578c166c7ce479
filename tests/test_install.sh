#!/usr/bin/env bash
# cmake --install puts library, headers, CLI, pkg-config file and CMake package in a prefix;
# programs outside the tree build against it both ways and run.
set -euo pipefail
build=${MLPOT_BUILD_DIR:?}
src=${MLPOT_SOURCE_DIR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
for f in bin/mlpot include/mlpot/mlpot.h lib/libmlpot.a lib/pkgconfig/mlpot.pc lib/cmake/mlpot/mlpotConfig.cmake; do
  [ -e "$tmp/prefix/$f" ] || { echo "missing installed file $f"; exit 1; }
done
ls "$tmp"/prefix/lib/libmlpot.so* >/dev/null
"$tmp/prefix/bin/mlpot" --version
# CMake package, shared and static
cmake -S "$src/tests/install" -B "$tmp/cm" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/cm" >/dev/null
LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/cm/consumer_shared"
"$tmp/cm/consumer_static"
# pkg-config
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
cc -std=c17 "$src/tests/install/consumer.c" -o "$tmp/pc" $(pkg-config --cflags --libs mlpot) -lm
LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/pc"
cc -std=c17 "$src/tests/install/consumer.c" -o "$tmp/pcs" $(pkg-config --cflags mlpot) "$tmp/prefix/lib/libmlpot.a" $(pkg-config --libs --static mlpot | sed 's/-lmlpot//') -lm
"$tmp/pcs"
echo "install test passed"
