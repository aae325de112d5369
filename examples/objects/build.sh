#!/bin/sh
# Rebuild the example objects that `btfkit check` uses by default, with clang-19 (bpfel).
# They are committed; test/fixtures.test.ts rebuilds them and fails when the bytes differ.
# Usage: examples/objects/build.sh [OUTDIR]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE}
CLANG=${CLANG:-clang-19}
cd "$HERE"
for src in *.bpf.c; do
  "$CLANG" -g -O2 -target bpfel -D__TARGET_ARCH_x86 -I/usr/include/$(uname -m)-linux-gnu \
    -fdebug-prefix-map="$HERE"=. -c "$src" -o "$OUT/${src%.c}.o"
done
