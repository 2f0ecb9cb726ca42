#!/usr/bin/env bash
# Benchmarks recorded in README.md's performance section. Every figure comes
# from this one run, on this machine, with the peer in the same run.
#
#   scripts/bench.sh            (make bench)
#
# One core: the Go benchmarks run with -cpu 1, and both batch engines are
# pinned with taskset to the same CPU, one after the other; then awsmfa
# again with --jobs 2 on every CPU (its output must be the same).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dir=$root/.cache/bench
mkdir -p "$dir"
pin() { if command -v taskset >/dev/null 2>&1; then taskset -c 0 "$@"; else "$@"; fi; }

echo "== machine"
echo "$(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(go version)"

echo "== go test -bench (one core)"
go test -run '^$' -cpu 1 -benchmem -benchtime 2s \
  -bench 'BenchmarkDecide$|BenchmarkEvaluate$' ./internal/eval | grep -E '^Benchmark'
go test -run '^$' -cpu 1 -benchmem -benchtime 2s -bench 'BenchmarkParse$' ./internal/policy | grep -E '^Benchmark'
go test -run '^$' -cpu 1 -benchmem -benchtime 5x -bench 'BenchmarkLint10000$' ./internal/lint | grep -E '^Benchmark'
go test -run '^$' -cpu 1 -benchmem -benchtime 5x -bench 'BenchmarkRunBatch$|BenchmarkRunBatchGC$|BenchmarkRunBatchRandomGC$' ./internal/simulate | grep -E '^Benchmark'

go build -o bin/awsmfa ./cmd/awsmfa
if ! command -v node >/dev/null 2>&1 || [ ! -d tools/oracle/node_modules/@cloud-copilot/iam-simulate ]; then
  echo "iam-simulate not installed: run make deps-npm" >&2
  exit 1
fi
version=$(node -p 'require("./tools/oracle/node_modules/@cloud-copilot/iam-simulate/package.json").version')

# timed COMMAND...: run COMMAND, print its wall time and CPU time (user +
# system; the wall time again without /usr/bin/time) in seconds. On a
# shared machine the CPU time is the steadier figure; iam-simulate reports
# both too.
timed() {
  local start end
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%e %U %S' -o "$dir/time.txt" "$@"
    awk '{ printf "%.3f %.3f", $1, $2 + $3 }' "$dir/time.txt"
    return
  fi
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f %.3f", e - s, e - s }'
}

batch() { # name corpus
  local name=$1 corpus=$2 n one two
  n=$(wc -l <"$corpus")
  echo "== $name: $n lines, $(du -h "$corpus" | cut -f1)"
  # One core: pinned, GOMAXPROCS=1, --jobs 1 (the default).
  one=$(timed sh -c 'taskset -c 0 env GOMAXPROCS=1 "$1" policy simulate --batch <"$2" >"$3"' _ \
    "$root/bin/awsmfa" "$corpus" "$dir/awsmfa.out")
  # Every core of the machine: --jobs 2, not pinned.
  two=$(timed sh -c '"$1" policy simulate --batch --jobs 2 <"$2" >"$3"' _ \
    "$root/bin/awsmfa" "$corpus" "$dir/awsmfa-jobs2.out")
  cmp -s "$dir/awsmfa.out" "$dir/awsmfa-jobs2.out" || { echo "--jobs 2 answered differently" >&2; exit 1; }
  pin node tools/oracle/oracle.mjs --bench "$n" <"$corpus" >"$dir/oracle.json"
  node -e 'const r=require(process.argv[1]);console.log(`iam-simulate ${process.argv[2]}: ${r.seconds} s, ${r.decisionsPerSecond} decisions/s (${r.cpuSeconds} CPU s, ${r.decisionsPerCpuSecond} per CPU second), errors ${r.counts.error||0}`)' \
    "$dir/oracle.json" "$version"
  node -e 'const r=require(process.argv[1]);console.log(r.seconds, r.cpuSeconds)' "$dir/oracle.json" |
    awk -v n="$n" -v one="$one" -v two="$two" '{
      split(one, o, " "); split(two, t, " ")
      printf "awsmfa policy simulate --batch (one core): %.3f s, %.0f decisions/s, %.1fx iam-simulate; %.3f CPU s, %.0f per CPU second, %.1fx\n", o[1], n / o[1], $1 / o[1], o[2], n / o[2], $2 / o[2]
      printf "awsmfa policy simulate --batch --jobs 2: %.3f s, %.0f decisions/s, %.1fx iam-simulate (%.3f CPU s)\n", t[1], n / t[1], $1 / t[1], t[2]
    }'
}

typical=$dir/typical-100000.jsonl
go test ./internal/simulate -run '^TestWriteTypicalCorpus$' -count=1 -typical-corpus "$typical" >/dev/null
batch "typical batch (one policy set, varied requests; BenchmarkRunBatch's input)" "$typical"

random=$dir/random-100000.jsonl
go test ./internal/simulate -run '^TestWriteCorpus$' -count=1 -corpus "$random" -corpus-n 100000 >/dev/null
batch "random differential corpus (every line its own policies and layers)" "$random"
