#!/bin/sh
# Rebuild the `btfkit lint` fixtures from their C sources with clang-19, for both byte orders.
# The objects are committed; test/fixtures.test.ts rebuilds them and fails when the bytes differ.
# Usage: testdata/lint/build.sh [OUTDIR]   (default: next to the sources)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE}
CLANG=${CLANG:-clang-19}
cd "$HERE"
for src in "$HERE"/*.c; do
  base=$(basename "$src" .c)
  for target in bpfel bpfeb; do
    # -fdebug-prefix-map makes the DWARF and BTF file names independent of the checkout path.
    "$CLANG" -g -O2 -target "$target" -mcpu=v3 -I/usr/include/$(uname -m)-linux-gnu \
      -fdebug-prefix-map="$HERE"=. -c "$src" -o "$OUT/$base-$target.o"
  done
done
