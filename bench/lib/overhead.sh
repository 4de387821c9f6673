# Overhead per probe hit: every configuration (tool × first instruction × mode) run round-robin,
# several rounds, ns ADDED per call = probed ns/call − the same round's unprobed ns/call of the
# same binary. Sourced by bench/run.

# TOOL VARIANT MODE, in the order of the table.
OVERHEAD_CONFIGS=(
  "none plain entry"
  "kernel plain entry" "kernel plain return" "kernel plain both" "kernel_cat plain entry"
  "probe4j plain entry" "probe4j plain return" "probe4j plain both"
  "trap plain entry" "trap plain return" "trap plain both"
  "ctracer plain entry" "ctracer plain return" "ctracer plain both"
  "ctracer_poll plain entry" "ctracer_poll plain return" "ctracer_poll plain both"
  "ctracer_cols plain entry" "ctracer_cols plain return" "ctracer_cols plain both"
  "bpftrace plain entry" "perf plain entry" "ltrace plain entry" "gdb plain entry"
)
for v in rip push nop5; do
  OVERHEAD_CONFIGS+=("none $v entry" "kernel $v entry" "probe4j $v entry" "trap $v entry")
done

# Rough ns per call of each tool, only to size the first (calibration) run.
declare -A GUESS_NS=([none]=2 [kernel]=6000 [kernel_cat]=20000 [probe4j]=20000 [trap]=20000
  [ctracer]=60000 [ctracer_poll]=20000 [ctracer_cols]=25000
  [bpftrace]=6000 [perf]=8000 [ltrace]=150000 [gdb]=400000)

declare -A NS        # "CFG|ROUND" -> ns per call
declare -A CALLS     # CFG -> calls per run after calibration
declare -A REASON    # CFG -> why it is not available
declare -A FAILS     # CFG -> "count: last reason" of failed runs after calibration
declare -A COMMAND   # CFG -> the command line used

# Runs one configuration once: ONCE is its ns per call, or empty with ONCE_REASON set. (No
# subshell: COMMAND must keep what run_tool sets.)
overhead_once() { # CFG N
  local tool variant mode out rc
  read -r tool variant mode <<<"$1"
  out="$WORK/run.out"
  run_tool "$tool" "$variant" "$mode" "$2" "$out"
  rc=$?
  COMMAND[$1]=$RUN_CMD
  ONCE=$(ns_per_call "$out")
  ONCE_REASON=
  if [ "$rc" != 0 ] || [ -z "$ONCE" ]; then
    ONCE=
    ONCE_REASON="exit $rc: $(reason_of "$out")"
    return 1
  fi
}

overhead_measure() {
  local cfg tool variant mode missing n0 result round i k count=${#OVERHEAD_CONFIGS[@]}
  log "overhead: calibration round (also finds what can run here)"
  for cfg in "${OVERHEAD_CONFIGS[@]}"; do
    read -r tool variant mode <<<"$cfg"
    missing=$(tool_missing "$tool")
    if [ -n "$missing" ]; then REASON[$cfg]=$missing; log "  $cfg: not available: $missing"; continue; fi
    n0=$(awk -v s="$CALIBRATION_SECONDS" -v g="${GUESS_NS[$tool]}" 'BEGIN { n = int(s * 1e9 / g); print (n < 20 ? 20 : n) }')
    if ! overhead_once "$cfg" "$n0"; then
      REASON[$cfg]=$ONCE_REASON; log "  $cfg: not available: $ONCE_REASON"; continue
    fi
    result=$ONCE
    NS["$cfg|0"]=$result
    CALLS[$cfg]=$(awk -v s="$RUN_SECONDS" -v ns="$result" -v n0="$n0" 'BEGIN {
      if (s == 0) { print n0; exit } n = int(s * 1e9 / (ns > 0.5 ? ns : 0.5)); print (n < 20 ? 20 : n) }')
    log "  $cfg: $result ns/call with $n0 calls -> ${CALLS[$cfg]} calls a run"
  done
  for ((round = 1; round <= ROUNDS; round++)); do
    log "overhead: round $round of $ROUNDS (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    for ((i = 0; i < count; i++)); do
      # rotate the starting point each round so no configuration always runs right after another
      k=$(((i + round - 1) % count))
      cfg=${OVERHEAD_CONFIGS[$k]}
      [ -n "${REASON[$cfg]:-}" ] && continue
      if overhead_once "$cfg" "${CALLS[$cfg]}"; then
        NS["$cfg|$round"]=$ONCE
      else
        local previous=${FAILS[$cfg]:-0:}
        FAILS[$cfg]="$((${previous%%:*} + 1)):${ONCE_REASON}"
        log "  $cfg: run failed: $ONCE_REASON"
      fi
    done
  done
}

# Added ns per call, one per round that has both the configuration and its baseline.
overhead_added() { # CFG
  local tool variant mode base first=1 last=$ROUNDS r
  read -r tool variant mode <<<"$1"
  base="none $variant entry"
  [ "$ROUNDS" = 0 ] && first=0 last=0
  for ((r = first; r <= last; r++)); do
    [ -n "${NS["$1|$r"]:-}" ] && [ -n "${NS["$base|$r"]:-}" ] || continue
    awk -v a="${NS["$1|$r"]}" -v b="${NS["$base|$r"]}" 'BEGIN { print a - b }'
  done
}

tool_label() {
  case $1 in
    none) echo "no probe (plain call, ns per call)" ;;
    kernel) echo "kernel uprobe, tracefs instance, no reader" ;;
    kernel_cat) echo "kernel uprobe + \`cat trace_pipe\` reader" ;;
    probe4j) echo "probe4j \`--engine kernel\`" ;;
    trap) echo "probe4j \`--engine trap\`" ;;
    ctracer) echo "minimal C ptrace tracer, sleeping in waitpid" ;;
    ctracer_poll) echo "minimal C ptrace tracer, polling first (as the trap engine)" ;;
    ctracer_cols) echo "minimal C ptrace tracer, polling, reading TASK and CPU# (as the trap engine)" ;;
    bpftrace) echo "bpftrace \`count()\`" ;;
    perf) echo "perf record (uprobe event, 2 args)" ;;
    ltrace) echo "ltrace \`-x target\`" ;;
    gdb) echo "gdb \`dprintf\` (2 args)" ;;
  esac
}

variant_label() {
  case $1 in
    plain) echo '`lea` (out of line)' ;;
    rip) echo '`mov bench_bias(%rip)` (RIP-relative)' ;;
    push) echo '`push %rbx` (emulated)' ;;
    nop5) echo '`nopl 0x0(%rax,%rax,1)` (5-byte nop)' ;;
  esac
}

mode_label() {
  case $1 in
    entry) echo 'entry `a=%di:s32 b=%si:s32`' ;;
    return) echo 'return `ret=%ax`' ;;
    both) echo 'entry + return (2 events a call)' ;;
  esac
}

# The Markdown table of the overhead section.
overhead_table() {
  local cfg tool variant mode s med min max cnt ref ref_med value ratio calls
  echo "| tool | first instruction of target | probe | ns added per call: median (min–max) | vs kernel uprobe | runs × calls |"
  echo "|---|---|---|---|---|---|"
  for cfg in "${OVERHEAD_CONFIGS[@]}"; do
    read -r tool variant mode <<<"$cfg"
    if [ -n "${REASON[$cfg]:-}" ]; then
      echo "| $(tool_label "$tool") | $(variant_label "$variant") | $(mode_label "$mode") | not available: $(cell "${REASON[$cfg]}") | – | – |"
      continue
    fi
    if [ "$tool" = none ]; then
      s=$(for ((r = (ROUNDS == 0 ? 0 : 1); r <= ROUNDS; r++)); do [ -n "${NS["$cfg|$r"]:-}" ] && echo "${NS["$cfg|$r"]}"; done | stats)
    else
      s=$(overhead_added "$cfg" | stats)
    fi
    read -r med min max cnt <<<"$s"
    if [ -z "$s" ]; then
      value="not available: every run failed: $(cell "${FAILS[$cfg]#*:}")"
    else
      value="$(fmt_num "$med") ($(fmt_num "$min")–$(fmt_num "$max"))"
      [ -n "${FAILS[$cfg]:-}" ] && value+="; ${FAILS[$cfg]%%:*} run(s) failed: $(cell "${FAILS[$cfg]#*:}")"
    fi
    ratio="–"
    if [ "$tool" != none ]; then
      case $tool in kernel_cat | bpftrace | perf | ltrace | gdb) ref="kernel $variant entry" ;; *) ref="kernel $variant $mode" ;; esac
      ref_med=$(overhead_added "$ref" | stats | cut -d' ' -f1)
      [ -n "$s" ] && ratio=$(fmt_ratio "$med" "$ref_med")
    fi
    calls=${CALLS[$cfg]:-?}
    echo "| $(tool_label "$tool") | $(variant_label "$variant") | $(mode_label "$mode") | $value | $ratio | ${cnt:-0} × $(fmt_int "$calls") |"
  done
}

# The trap engine against the minimal C ptrace tracer of the same run (the issue's yardstick).
ctracer_table() {
  local mode trap c cp cc
  echo "| probe | trap engine (trace text) | C, sleeping | C, polling | C, polling + TASK/CPU# | trap ÷ C polling | trap ÷ C polling + TASK/CPU# |"
  echo "|---|---|---|---|---|---|---|"
  for mode in entry return both; do
    trap=$(overhead_added "trap plain $mode" | stats | cut -d' ' -f1)
    c=$(overhead_added "ctracer plain $mode" | stats | cut -d' ' -f1)
    cp=$(overhead_added "ctracer_poll plain $mode" | stats | cut -d' ' -f1)
    cc=$(overhead_added "ctracer_cols plain $mode" | stats | cut -d' ' -f1)
    echo "| $(mode_label "$mode") | $(fmt_num "$trap") | $(fmt_num "$c") | $(fmt_num "$cp") | $(fmt_num "$cc") | $(fmt_ratio "$trap" "$cp") | $(fmt_ratio "$trap" "$cc") |"
  done
}

overhead_commands() {
  local cfg
  for cfg in "${OVERHEAD_CONFIGS[@]}"; do
    [ -n "${COMMAND[$cfg]:-}" ] || continue
    printf -- '- %s, %s, %s:\n  `%s`\n' "$(tool_label "${cfg%% *}")" "$(cut -d' ' -f2 <<<"$cfg")" "${cfg##* }" "${COMMAND[$cfg]}"
  done
}
