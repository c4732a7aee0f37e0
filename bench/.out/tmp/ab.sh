#!/bin/bash
# usage: ab.sh label rounds
cd /work/main
for i in $(seq 1 ${2:-3}); do
  BENCH_QUICK=1 BENCH_WARMUP_SEC=2 BENCH_MEASURE_SEC=5 BENCH_ONLY='throughput:(floor|bridge-sso|bridge-es)@0x10$' node bench/run.js 2>&1 | grep '^  ' | sed -E "s/^  /$1 r$i /; s/ p50.*CPU app/ CPU/; s/, stand-in.*//"
done
