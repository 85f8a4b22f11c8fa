#!/usr/bin/env bash
# Start to ready of mtls-gateway on this machine: from exec of `bin/mtls-gateway run` to its TLS listener's
# socket in LISTEN state, as wall time and as the process's CPU time (user + system of all its threads) at that
# moment. CPU time is the steadier figure on a shared machine: wall time stretches with the load average.
#
#   bench/scale/start.sh              # ~1-3 min: 5 interleaved rounds of each variant
#
# Variants, one start of each per round (the order alternates between rounds):
#   archive      bin/mtls-gateway run, as a user runs it: with the class-data archive the launcher makes on
#                the first run after a build (made here first, untimed, when missing)
#   no-archive   the same with MTLS_GATEWAY_CDS=off
#   baseline     `java -jar $START_BASELINE_JAR run` (another build, no archive), when START_BASELINE_JAR is set
#   launcher-baseline  `$START_BASELINE_LAUNCHER run`: another checkout's launcher, with its own archive (made
#                first, untimed), when START_BASELINE_LAUNCHER is set (an A/B of launcher or code changes)
#   NAME         this launcher with other environment, for each NAME:VAR=VALUE[,VAR=VALUE...] in START_VARIANTS
# and the JVM alone as a reference: `java -jar mtls-gateway.jar --version`, wall and CPU (no archive).
#
# Settings (environment):
#   START_ROUNDS=5               rounds (median and range reported over them)
#   START_JAVA_OPTS=             passed as MTLS_GATEWAY_JAVA_OPTS (and to the baseline)
#   START_BASELINE_JAR=          a jar of another build to time the same way, without the launcher
#   START_BASELINE_LAUNCHER=     another checkout's bin/mtls-gateway, timed like this one (it builds its jar first)
#   START_VARIANTS=              space-separated NAME:VAR=VALUE[,VAR=VALUE...] (no spaces or commas in values), e.g.
#                                "no-native-cache:MTLS_GATEWAY_NATIVE_CACHE=off perfdata:MTLS_GATEWAY_JAVA_OPTS=-XX:-UsePerfData"
#   START_OUT=bench/results/start-<UTC date>.json (a -2, -3... suffix is added rather than overwrite)
#
# The route file is the scale benchmark's: one mTLS listener (P-256 server certificate, client CA, identity
# headers), one route to an upstream that is not started (nothing is proxied), no access log, workers: 1,
# the admin endpoint on an ephemeral port. Exit status: 0 when every start reached its socket, 2 otherwise.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

rounds="${START_ROUNDS:-5}"
launcher="$root/bin/mtls-gateway"
jar="$root/gateway/target/mtls-gateway.jar"
probe="$root/bench/scale/start_probe.py"

bench_name=start
# shellcheck source=../lib.sh
. "$root/bench/lib.sh"
for tool in java jq python3 ss; do command -v "$tool" >/dev/null || die "$tool is required"; done
export MTLS_GATEWAY_JAVA_OPTS="${START_JAVA_OPTS:-}"
# The launcher builds the jar when it is missing or older than the sources: not inside a timed start.
"$launcher" --version >/dev/null
if [ -n "${START_BASELINE_LAUNCHER:-}" ]; then "$START_BASELINE_LAUNCHER" --version >/dev/null; fi
declare -A variant_env=([archive]="" [no-archive]="MTLS_GATEWAY_CDS=off")
variants=(archive no-archive)
for entry in ${START_VARIANTS:-}; do
  [[ "$entry" == *:*=* ]] || { echo "start: START_VARIANTS entry '$entry' is not NAME:VAR=VALUE" >&2; exit 2; }
  variant_env[${entry%%:*}]="${entry#*:}"; variants+=("${entry%%:*}")
done
if [ -n "${START_BASELINE_LAUNCHER:-}" ]; then variant_env[launcher-baseline]=""; variants+=(launcher-baseline); fi

bench_work 0 mtls-start
loadavg1() { cut -d' ' -f1 /proc/loadavg; }

bench_pki "$jar"
write_config() { # file port
  {
    gateway_top 1 127.0.0.1:0 false
    gateway_listener start "$2"
    echo "routes:"
    gateway_route all / app
    echo "upstreams:"
    gateway_upstream app 127.0.0.1:9
  } >"$1"
}

runs="$work/runs.jsonl"; : >"$runs"
start_once() { # variant round [env...]: one timed start, appended to $runs
  local variant="$1" round="$2" port line pid command
  shift 2
  free_port port
  write_config "$work/$variant-$round.yaml" "$port"
  command=("$launcher")
  # shellcheck disable=SC2206
  [ "$variant" = baseline ] && command=(java ${MTLS_GATEWAY_JAVA_OPTS:-} -jar "$START_BASELINE_JAR")
  [ "$variant" = launcher-baseline ] && command=("$START_BASELINE_LAUNCHER")
  line="$(env "$@" python3 "$probe" "$port" "$work/$variant-$round.log" -- \
    "${command[@]}" run --config "$work/$variant-$round.yaml")" || true
  pid="$(jq -r .pid <<<"$line")"
  pids+=("$pid")
  [ "$(jq -r '.wallMs // empty' <<<"$line")" ] || { cat "$work/$variant-$round.log" >&2; die "$variant: no listening socket ($line)"; }
  jq -c --arg variant "$variant" --argjson round "$round" --arg load "$(loadavg1)" \
    '{variant: $variant, round: $round, wallMs, cpuMs, mainMs, jitMs, mainRunQueueMs, loadavg1: ($load | tonumber)}' <<<"$line" >>"$runs"
  say "round $round $variant: $(jq -r '"\(.wallMs) ms wall, \(.cpuMs) ms CPU (main thread \(.mainMs), JIT \(.jitMs)), main thread waited \(.mainRunQueueMs) ms for a CPU"' <<<"$line"), load $(loadavg1)"
  stop_pid "$pid"
}
version_once() { # round: the JVM alone, wall and CPU from the kernel's accounting of the finished child
  local t0 t1 before after
  before="$(awk '{ print $16 + $17 }' /proc/$$/stat)"   # cutime + cstime of this shell
  t0=$(date +%s%N)
  java ${MTLS_GATEWAY_JAVA_OPTS:-} -jar "$jar" --version >/dev/null 2>&1
  t1=$(date +%s%N)
  after="$(awk '{ print $16 + $17 }' /proc/$$/stat)"
  jq -nc --argjson round "$1" --argjson wall "$(( (t1 - t0) / 1000000 ))" \
    --argjson cpu "$(( (after - before) * 1000 / $(getconf CLK_TCK) ))" --arg load "$(loadavg1)" \
    '{variant: "jvm-version", round: $round, wallMs: $wall, cpuMs: $cpu, loadavg1: ($load | tonumber)}' >>"$runs"
}

# The archive the launcher makes on a first run; made here, untimed, so every timed start finds it (one
# first start per launcher and environment: other JVM options make another archive).
variant_args() { # variant: its environment as env(1) arguments
  local -a args=(); local IFS=,
  # shellcheck disable=SC2206
  [ -n "${variant_env[$1]}" ] && args=(${variant_env[$1]})
  echo "${args[@]+"${args[@]}"}"
}
for variant in "${variants[@]}"; do
  [ "$variant" = no-archive ] && continue
  command="$launcher"; [ "$variant" = launcher-baseline ] && command="$START_BASELINE_LAUNCHER"
  free_port port; write_config "$work/prepare-$variant.yaml" "$port"
  # shellcheck disable=SC2046
  line="$(env $(variant_args "$variant") python3 "$probe" "$port" "$work/prepare-$variant.log" -- \
    "$command" run --config "$work/prepare-$variant.yaml")" \
    || { cat "$work/prepare-$variant.log" >&2; die "the first start ($variant) failed"; }
  pids+=("$(jq -r .pid <<<"$line")"); stop_pid "${pids[-1]}"
  grep -q 'class-data archive' "$work/prepare-$variant.log" && say "$variant: the launcher made its class-data archive on the first run"
done

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
  # Each round starts with another variant (rotating), so none always runs first or last.
  count=${#variants[@]}
  for i in $(seq 0 $((count - 1))); do
    variant="${variants[$(( (i + round - 1) % count ))]}"
    # shellcheck disable=SC2046
    start_once "$variant" "$round" $(variant_args "$variant")
  done
  if [ -n "${START_BASELINE_JAR:-}" ]; then start_once baseline "$round"; fi
  version_once "$round"
done

date_utc="$(date -u +%F)"
out="${START_OUT:-bench/results/start-$date_utc.json}"
if [ -z "${START_OUT:-}" ]; then
  n=2; while [ -e "$out" ]; do out="bench/results/start-$date_utc-$n.json"; n=$((n + 1)); done
fi
jq -s --arg date "$(date -u +%FT%TZ)" --arg commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --arg nproc "$(nproc)" --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" \
  --arg jdk "$(java -version 2>&1 | sed -n 2p)" --arg loadBefore "$load_before" \
  --arg loadAfter "$(cut -d' ' -f1-3 /proc/loadavg)" --arg javaOpts "${MTLS_GATEWAY_JAVA_OPTS:-}" '
  def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
                     else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def stats: {median: median, min: min, max: max};
  . as $runs
  | {
      benchmark: "start to ready: exec of bin/mtls-gateway run to the TLS listener in LISTEN state",
      date: $date, commit: $commit,
      machine: {nproc: ($nproc | tonumber), cpu: $cpu, jdk: $jdk, loadavgBefore: $loadBefore, loadavgAfter: $loadAfter},
      javaOpts: $javaOpts,
      variants: ($runs | group_by(.variant) | map({key: .[0].variant, value: {
        wallMs: (map(.wallMs) | stats), cpuMs: (map(.cpuMs) | stats),
        mainThreadMs: (map(.mainMs // empty) | stats), jitMs: (map(.jitMs // empty) | stats),
        mainRunQueueWaitMs: (map(.mainRunQueueMs // empty) | stats),
        wallMinusRunQueueWaitMs: (map(select(.mainRunQueueMs) | .wallMs - .mainRunQueueMs) | stats),
        loadavg1: (map(.loadavg1) | stats)}}) | from_entries),
      runs: $runs
    }' "$runs" >"$out"
say "wrote $out"
jq -r '
  def r: "\(.median) (\(.min)–\(.max))";
  "| median (min–max) of \(.runs | map(select(.variant == "archive")) | length), ms | wall | CPU | main thread | JIT threads | main thread waiting for a CPU | wall − that wait | load average |",
  "|---|---:|---:|---:|---:|---:|---:|---:|",
  (.variants | to_entries[] | "| \(.key) | \(.value.wallMs | r) | \(.value.cpuMs | r) | \(.value.mainThreadMs.median // "") | \(.value.jitMs.median // "") | \(.value.mainRunQueueWaitMs.median // "") | \(.value.wallMinusRunQueueWaitMs.median // "") | \(.value.loadavg1 | r) |")
' "$out"
