# Questions instead of lines (issue 13): what a hit costs when an event filter rejects it and when a
# hist trigger aggregates it instead of a line being printed, on the trap engine, next to a recorded
# line and to bpftrace's count() and hist() on the same target in the same rounds. Same method as the
# overhead section: `target-plain N`, ns added per call = traced ns/call − the same round's untraced
# ns/call, configurations round-robin after a calibration run. Sourced by bench/run.

QUESTION_CONFIGS=(none trap_line trap_reject kernel_reject trap_count trap_hist bpftrace_count bpftrace_reject bpftrace_hist)
declare -A Q_NS Q_CALLS Q_REASON Q_FAILS Q_CMD # Q_NS: "CFG|ROUND" -> ns per call
# a filter no hit of `target N` passes (a = 0..N-1), and the histogram bpftrace's hist(arg0) draws
Q_REJECT='a < 0' Q_HIST='hist:keys=a.log2'

questions_label() {
  case $1 in
    none) echo "no probe (plain call, ns per call)" ;;
    trap_line) echo "trap engine, every hit a line (\`-o /dev/null\`)" ;;
    trap_reject) echo "trap engine, \`--filter '$Q_REJECT'\` (rejects every hit)" ;;
    kernel_reject) echo "\`--engine kernel\`, \`--filter '$Q_REJECT'\` (the kernel rejects)" ;;
    trap_count) echo "trap engine, \`--tracing-off --trigger 'hist:keys=common_pid'\` (a count)" ;;
    trap_hist) echo "trap engine, \`--tracing-off --trigger '$Q_HIST'\`" ;;
    bpftrace_count) echo "bpftrace \`@ = count()\`" ;;
    bpftrace_reject) echo "bpftrace \`/(int32)arg0 < 0/ { @ = count() }\` (rejects every hit)" ;;
    bpftrace_hist) echo "bpftrace \`@ = hist(arg0)\`" ;;
  esac
}

# Runs CFG once with N calls; output (with the target's ns_per_call) in OUT. Sets Q_CMD[CFG].
questions_run() { # CFG N OUT
  local cfg=$1 n=$2 out=$3 bin def prog args=()
  bin=$(target_bin plain)
  def="p:bench_entry $bin:target $ENTRY_ARGS"
  case $cfg in
    none) Q_CMD[$cfg]="$bin $n"; timeout -k 5 "$TOOL_TIMEOUT" "$bin" "$n" >"$out" 2>&1; return ;;
    trap_line) args=() ;;
    trap_reject) args=(--filter "bench_entry: $Q_REJECT") ;;
    kernel_reject) args=(--engine kernel --filter "bench_entry: $Q_REJECT") ;;
    trap_count) args=(--tracing-off --trigger "bench_entry: hist:keys=common_pid") ;;
    trap_hist) args=(--tracing-off --trigger "bench_entry: $Q_HIST") ;;
    bpftrace_*)
      case $cfg in
        bpftrace_count) prog="uprobe:$bin:target { @ = count(); }" ;;
        bpftrace_reject) prog="uprobe:$bin:target /(int32)arg0 < 0/ { @ = count(); }" ;;
        bpftrace_hist) prog="uprobe:$bin:target { @ = hist(arg0); }" ;;
      esac
      Q_CMD[$cfg]="bpftrace -e '$prog' -c '$bin $n'"
      timeout -k 5 "$TOOL_TIMEOUT" bpftrace -e "$prog" -c "$bin $n" >"$out" 2>&1
      return ;;
  esac
  Q_CMD[$cfg]="./probe4j trace -o /dev/null $(shell_words "${args[@]}" "$def") -- $bin $n"
  timeout -k 5 "$TOOL_TIMEOUT" $PROBE4J trace -o /dev/null "${args[@]}" "$def" -- "$bin" "$n" >"$out" 2>&1
}

questions_measure() {
  local cfg missing n0 ns round i k count=${#QUESTION_CONFIGS[@]} out="$WORK/question.out" rc
  log "questions: calibration round"
  for cfg in "${QUESTION_CONFIGS[@]}"; do
    case $cfg in none) missing= ;; bpftrace_*) missing=$(tool_missing bpftrace) ;; *) missing=$(tool_missing probe4j) ;; esac
    [ -n "$missing" ] && { Q_REASON[$cfg]=$missing; continue; }
    n0=$(awk -v s="$CALIBRATION_SECONDS" -v g="$([ "$cfg" = none ] && echo 2 || echo 20000)" 'BEGIN { n = int(s * 1e9 / g); print (n < 20 ? 20 : n) }')
    questions_run "$cfg" "$n0" "$out"
    rc=$? ns=$(ns_per_call "$out")
    if [ "$rc" != 0 ] || [ -z "$ns" ]; then Q_REASON[$cfg]="exit $rc: $(reason_of "$out")"; log "  $cfg: ${Q_REASON[$cfg]}"; continue; fi
    Q_NS["$cfg|0"]=$ns
    Q_CALLS[$cfg]=$(awk -v s="$RUN_SECONDS" -v ns="$ns" -v n0="$n0" 'BEGIN {
      if (s == 0) { print n0; exit } n = int(s * 1e9 / (ns > 0.5 ? ns : 0.5)); print (n < 20 ? 20 : n) }')
  done
  for ((round = 1; round <= ROUNDS; round++)); do
    log "questions: round $round of $ROUNDS (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    for ((i = 0; i < count; i++)); do
      k=$(((i + round - 1) % count)) cfg=${QUESTION_CONFIGS[$k]}
      [ -n "${Q_REASON[$cfg]:-}" ] && continue
      questions_run "$cfg" "${Q_CALLS[$cfg]}" "$out"
      rc=$? ns=$(ns_per_call "$out")
      if [ "$rc" = 0 ] && [ -n "$ns" ]; then Q_NS["$cfg|$round"]=$ns; else Q_FAILS[$cfg]="exit $rc: $(reason_of "$out")"; fi
    done
  done
}

# ns added per call of CFG, one a round that has both it and the untraced run.
questions_added() { # CFG
  local r first=1
  [ "$ROUNDS" = 0 ] && first=0
  for ((r = first; r <= ROUNDS; r++)); do
    [ -n "${Q_NS["$1|$r"]:-}" ] && [ -n "${Q_NS["none|$r"]:-}" ] || continue
    awk -v a="${Q_NS["$1|$r"]}" -v b="${Q_NS["none|$r"]}" 'BEGIN { print a - b }'
  done
}

questions_table() {
  local cfg s med min max cnt line
  line=$(questions_added trap_line | stats | cut -d' ' -f1)
  echo "| configuration | ns added per call: median (min–max) | vs a recorded line (trap engine) | runs × calls |"
  echo "|---|---|---|---|"
  for cfg in "${QUESTION_CONFIGS[@]}"; do
    if [ -n "${Q_REASON[$cfg]:-}" ]; then
      echo "| $(questions_label "$cfg") | not available: $(cell "${Q_REASON[$cfg]}") | – | – |"
      continue
    fi
    if [ "$cfg" = none ]; then
      s=$(for ((r = (ROUNDS == 0 ? 0 : 1); r <= ROUNDS; r++)); do [ -n "${Q_NS["none|$r"]:-}" ] && echo "${Q_NS["none|$r"]}"; done | stats)
    else
      s=$(questions_added "$cfg" | stats)
    fi
    if [ -z "$s" ]; then
      echo "| $(questions_label "$cfg") | not available: every run failed: $(cell "${Q_FAILS[$cfg]:-}") | – | – |"
      continue
    fi
    read -r med min max cnt <<<"$s"
    echo "| $(questions_label "$cfg") | $(fmt_num "$med") ($(fmt_num "$min")–$(fmt_num "$max")) | $([ "$cfg" = none ] && echo – || fmt_ratio "$med" "$line") | $cnt × $(fmt_int "${Q_CALLS[$cfg]}") |"
  done
}

questions_section() {
  cat <<EOF
## Questions: a filter that rejects, a hist trigger, against bpftrace

What a probe hit costs when probe4j answers a question instead of printing a line: an event filter
that rejects every hit (\`$Q_REJECT\`: the loop's \`a\` counts up from 0), and a hist trigger
with tracing off (no line; every hit counted or put into a log2 histogram of \`a\`, printed at the end),
next to the same probe printing every hit, and to bpftrace's \`count()\`, a bpftrace predicate that
rejects, and \`hist(arg0)\`. The probe is \`p:bench_entry BIN/target-plain:target $ENTRY_ARGS\`
(bpftrace: \`uprobe:BIN/target-plain:target\`); \`target-plain N\` as in the overhead section, ns
added per call = traced − untraced ns/call of the same round, median (min–max) over the rounds,
configurations interleaved. The trap engine stops the program at every hit whatever it then does
with it, so the filter and the hist only save the formatting and writing of the line; bpftrace
and the kernel engine's filter run in the kernel.

$(questions_table)
EOF
}

questions_unavailable() {
  local c any=0
  for c in "${QUESTION_CONFIGS[@]}"; do
    [ -n "${Q_REASON[$c]:-}" ] && { echo "- questions, $(questions_label "$c"): ${Q_REASON[$c]}"; any=1; }
    [ -n "${Q_FAILS[$c]:-}" ] && { echo "- questions, $(questions_label "$c"): a run failed: ${Q_FAILS[$c]}"; any=1; }
  done
  return $((1 - any))
}

questions_commands() {
  local c
  for c in "${QUESTION_CONFIGS[@]}"; do
    [ -n "${Q_CMD[$c]:-}" ] && printf -- '- questions, %s:\n  `%s`\n' "$(questions_label "$c")" "${Q_CMD[$c]}"
  done
  return 0
}
