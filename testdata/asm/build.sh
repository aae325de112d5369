#!/bin/sh
# Build the instruction-layer test programs: every *.c here for bpfel and bpfeb at
# -mcpu=v1..v4 with clang-19, and every *.s for bpfel and bpfeb with llvm-mc-19.
#   testdata/asm/build.sh [OUTDIR]      (default: this directory)
# Outputs are NAME-el-v4.o, NAME-eb-v1.o, ... for C and NAME-el.o, NAME-eb.o for assembly.
# test/disasm-llvm.test.ts runs this into a temporary directory on every run; nothing built
# here is committed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
mkdir -p "$out"
CLANG=${CLANG:-clang-19}
LLVM_MC=${LLVM_MC:-llvm-mc-19}
for src in "$here"/*.c; do
	name=$(basename "$src" .c)
	for order in el eb; do
		for cpu in v1 v2 v3 v4; do
			"$CLANG" -O2 -g -target "bpf$order" -mcpu="$cpu" -c "$src" -o "$out/$name-$order-$cpu.o"
		done
	done
done
for src in "$here"/*.s; do
	name=$(basename "$src" .s)
	for order in el eb; do
		"$LLVM_MC" -triple "bpf$order" -filetype=obj "$src" -o "$out/$name-$order.o"
	done
done
