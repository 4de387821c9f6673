# User stacks: what a probe hit costs with the thread's user stack taken, 16 frames deep, next to the
# same probe without a stack and to the peers' stacks. Sourced by bench/run (after common.sh and
# tools.sh, whose ns_per_call, function_offset and kernel_* it uses).
#
# bench/c/deep.c calls target from 16 frames deep; built with frame pointers, so every walker (the
# kernel's, perf's fp, bpftrace's ustack) sees every frame. Rows run round-robin, as the overhead's:
# ns added per call = the run's ns/call − the same round's ns/call without a probe.

STACK_DESCEND=10 # target + descend × 11 + main + 3 frames of libc and _start = 16
STACK_CONFIGS=(none trap trap_ustack trap_userstack kernel_userstack bpftrace_ustack perf_fp perf_dwarf)
declare -A STACK_GUESS_NS=([none]=2 [trap]=20000 [trap_ustack]=150000 [trap_userstack]=30000 [kernel_userstack]=20000
  [bpftrace_ustack]=8000 [perf_fp]=10000 [perf_dwarf]=30000)
declare -A STACK_NS STACK_CALLS STACK_REASON STACK_FAILS STACK_CMD

stack_label() {
  case $1 in
    none) echo "no probe (plain call, ns per call)" ;;
    trap) echo "probe4j \`--engine trap\`, no stack (the reference)" ;;
    trap_ustack) echo "probe4j \`--engine trap --ustack=16\` (.eh_frame unwind, symbolized)" ;;
    trap_userstack) echo "probe4j \`--engine trap --options userstacktrace\` (the kernel's walk: frame pointers, 8 entries)" ;;
    kernel_userstack) echo "probe4j \`--engine kernel --options userstacktrace\` (the kernel's walk)" ;;
    bpftrace_ustack) echo "bpftrace \`@[ustack(16)] = count()\`" ;;
    perf_fp) echo "perf record \`--call-graph fp\` (uprobe event)" ;;
    perf_dwarf) echo "perf record \`--call-graph dwarf\` (uprobe event, 8 KB of stack a hit)" ;;
  esac
}

stacks_missing() {
  case $1 in
    none | trap | trap_ustack | trap_userstack) return 0 ;;
    kernel_userstack) tool_missing kernel ;;
    bpftrace_ustack) tool_missing bpftrace ;;
    perf_fp | perf_dwarf) tool_missing perf ;;
  esac
}

# Runs one configuration: `deep N` under it, output in OUT; sets RUN_CMD.
stacks_run() { # CFG N OUT
  local cfg=$1 n=$2 out=$3 bin="$BIN_DIR/deep" rc def
  local probe="p:target $bin:target"
  case $cfg in
    none)
      RUN_CMD="$bin $n $STACK_DESCEND"
      timeout -k 5 "$TOOL_TIMEOUT" "$bin" "$n" "$STACK_DESCEND" >"$out" 2>&1 ;;
    trap | trap_ustack | trap_userstack | kernel_userstack)
      local opts=(--engine trap)
      case $cfg in
        trap_ustack) opts+=(--ustack=16) ;;
        trap_userstack) opts+=(--options userstacktrace) ;;
        kernel_userstack) opts=(--engine kernel --options userstacktrace) ;;
      esac
      RUN_CMD="./probe4j trace ${opts[*]} -o /dev/null '$probe' -- $bin $n $STACK_DESCEND"
      timeout -k 5 "$TOOL_TIMEOUT" $PROBE4J trace "${opts[@]}" -o /dev/null "$probe" -- "$bin" "$n" "$STACK_DESCEND" >"$out" 2>&1 ;;
    bpftrace_ustack)
      local prog="uprobe:$bin:target { @[ustack(16)] = count(); }"
      RUN_CMD="bpftrace -e '$prog' -c '$bin $n $STACK_DESCEND'"
      timeout -k 5 "$TOOL_TIMEOUT" bpftrace -e "$prog" -c "$bin $n $STACK_DESCEND" >"$out" 2>&1 ;;
    perf_fp | perf_dwarf)
      local graph=${cfg#perf_}
      def="p:$GROUP/perf_stack $bin:$STACK_OFFSET"
      RUN_CMD="echo '$def' >> uprobe_events; perf record -q -e $GROUP:perf_stack --call-graph $graph -o perf.data -- $bin $n $STACK_DESCEND"
      kernel_define "$def" 2>"$out" || { kernel_cleanup; return 1; }
      timeout -k 5 "$TOOL_TIMEOUT" perf record -q -e "$GROUP:perf_stack" --call-graph "$graph" -o "$WORK/perf.data" \
        -- "$bin" "$n" "$STACK_DESCEND" >"$out" 2>&1
      rc=$?
      rm -f "$WORK/perf.data" "$WORK/perf.data.old"
      kernel_cleanup
      return $rc ;;
  esac
}

# One run: STACK_ONCE is its ns per call, or empty with STACK_ONCE_REASON.
stacks_once() { # CFG N
  local out="$WORK/stacks.out" rc
  stacks_run "$1" "$2" "$out"
  rc=$?
  STACK_CMD[$1]=$RUN_CMD
  STACK_ONCE=$(ns_per_call "$out")
  STACK_ONCE_REASON=
  if [ "$rc" != 0 ] || [ -z "$STACK_ONCE" ]; then
    STACK_ONCE= STACK_ONCE_REASON="exit $rc: $(reason_of "$out")"
    return 1
  fi
}

stacks_measure() {
  local cfg missing n0 round i k count=${#STACK_CONFIGS[@]}
  if ! gcc -O2 -g0 -fno-omit-frame-pointer -Wall -o "$BIN_DIR/deep" "$here/c/deep.c"; then
    for cfg in "${STACK_CONFIGS[@]}"; do STACK_REASON[$cfg]="cannot build bench/c/deep.c"; done
    return
  fi
  STACK_OFFSET=$(function_offset "$BIN_DIR/deep" target)
  log "user stacks: calibration round"
  for cfg in "${STACK_CONFIGS[@]}"; do
    missing=$(stacks_missing "$cfg")
    if [ -n "$missing" ]; then STACK_REASON[$cfg]=$missing; log "  $cfg: not available: $missing"; continue; fi
    n0=$(awk -v s="$CALIBRATION_SECONDS" -v g="${STACK_GUESS_NS[$cfg]}" 'BEGIN { n = int(s * 1e9 / g); print (n < 20 ? 20 : n) }')
    if ! stacks_once "$cfg" "$n0"; then
      STACK_REASON[$cfg]=$STACK_ONCE_REASON; log "  $cfg: not available: $STACK_ONCE_REASON"; continue
    fi
    STACK_NS["$cfg|0"]=$STACK_ONCE
    STACK_CALLS[$cfg]=$(awk -v s="$RUN_SECONDS" -v ns="$STACK_ONCE" -v n0="$n0" 'BEGIN {
      if (s == 0) { print n0; exit } n = int(s * 1e9 / (ns > 0.5 ? ns : 0.5)); print (n < 20 ? 20 : n) }')
    log "  $cfg: $STACK_ONCE ns/call with $n0 calls -> ${STACK_CALLS[$cfg]} calls a run"
  done
  for ((round = 1; round <= ROUNDS; round++)); do
    log "user stacks: round $round of $ROUNDS"
    for ((i = 0; i < count; i++)); do
      k=$(((i + round - 1) % count))
      cfg=${STACK_CONFIGS[$k]}
      [ -n "${STACK_REASON[$cfg]:-}" ] && continue
      if stacks_once "$cfg" "${STACK_CALLS[$cfg]}"; then
        STACK_NS["$cfg|$round"]=$STACK_ONCE
      else
        local previous=${STACK_FAILS[$cfg]:-0:}
        STACK_FAILS[$cfg]="$((${previous%%:*} + 1)):$STACK_ONCE_REASON"
        log "  $cfg: run failed: $STACK_ONCE_REASON"
      fi
    done
  done
}

# ns added per call, one per round with both the configuration and the unprobed run (raw ns for none).
stacks_added() { # CFG
  local first=1 last=$ROUNDS r
  [ "$ROUNDS" = 0 ] && first=0 last=0
  for ((r = first; r <= last; r++)); do
    [ -n "${STACK_NS["$1|$r"]:-}" ] || continue
    if [ "$1" = none ]; then echo "${STACK_NS["none|$r"]}"; continue; fi
    [ -n "${STACK_NS["none|$r"]:-}" ] || continue
    awk -v a="${STACK_NS["$1|$r"]}" -v b="${STACK_NS["none|$r"]}" 'BEGIN { print a - b }'
  done
}

stacks_table() {
  local cfg s med min max cnt value ratio ref
  ref=$(stacks_added trap | stats | cut -d' ' -f1)
  echo "| tool and stack | ns added per call: median (min–max) | vs probe4j trap without a stack | runs × calls |"
  echo "|---|---|---|---|"
  for cfg in "${STACK_CONFIGS[@]}"; do
    if [ -n "${STACK_REASON[$cfg]:-}" ]; then
      echo "| $(stack_label "$cfg") | not available: $(cell "${STACK_REASON[$cfg]}") | – | – |"
      continue
    fi
    s=$(stacks_added "$cfg" | stats)
    read -r med min max cnt <<<"$s"
    if [ -z "$s" ]; then
      value="not available: every run failed: $(cell "${STACK_FAILS[$cfg]#*:}")"
    else
      value="$(fmt_num "$med") ($(fmt_num "$min")–$(fmt_num "$max"))"
      [ -n "${STACK_FAILS[$cfg]:-}" ] && value+="; ${STACK_FAILS[$cfg]%%:*} run(s) failed: $(cell "${STACK_FAILS[$cfg]#*:}")"
    fi
    ratio="–"
    [ "$cfg" != none ] && [ -n "$s" ] && ratio=$(fmt_ratio "$med" "$ref")
    echo "| $(stack_label "$cfg") | $value | $ratio | ${cnt:-0} × $(fmt_int "${STACK_CALLS[$cfg]:-0}") |"
  done
}

# The report's section, with its commands.
stacks_section() {
  cat <<EOF
## User stacks

\`deep N $STACK_DESCEND\` (bench/c/deep.c, gcc -O2 with frame pointers) calls \`int target(int, int)\` N times from
16 frames deep. Each row probes target's entry and takes the user stack at every hit: probe4j's own
unwind (\`--ustack=16\`: \`.eh_frame\`, symbolized, written as text), the kernel's \`userstacktrace\` walk
(frame pointers, at most 8 entries) on either engine, bpftrace's \`ustack(16)\` as a map key, perf's
frame-pointer and DWARF call graphs. Output goes to /dev/null (probe4j) or perf.data. Rows ran
round-robin, as the overhead's, after a calibration run; "ns added" is the run's ns/call minus the same
round's unprobed ns/call; median (min–max) over the rounds.

$(stacks_table)

$(for cfg in "${STACK_CONFIGS[@]}"; do [ -n "${STACK_CMD[$cfg]:-}" ] && printf -- '- %s:\n  `%s`\n' "$cfg" "${STACK_CMD[$cfg]}"; done)
EOF
}

# For `bench/run --only stacks`: the rows that could not be measured (their reasons are also in the
# table), and no separate command list (the section lists its commands).
stacks_unavailable() {
  local cfg any=0
  for cfg in "${STACK_CONFIGS[@]}"; do
    [ -n "${STACK_REASON[$cfg]:-}" ] && { echo "- stacks, $(stack_label "$cfg"): ${STACK_REASON[$cfg]}"; any=1; }
  done
  return $((1 - any))
}

stacks_commands() { return 0; }
