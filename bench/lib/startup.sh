# Start-up (launch -> target's main, launch -> first event printed; launch -> exit of commands that
# end at once) and probe4j's event throughput. Sourced by bench/run.

STARTUP_TOOLS=(none java probe4j trap bpftrace perf perf_stat ltrace gdb)
QUICK_TOOLS=(help java_quick)   # commands without a target: launch -> exit only
EVENT_RE='bench_entry|^target\('   # an event line of any tool (ltrace prints "target(1, 2, ...)")
declare -A START    # "TOOL|ROUND" -> "to_main_us first_event_us total_us maxrss_kb" ("-" where none)
declare -A START_REASON START_CMD

# Reads a traced run's merged output: stamps the arrival of the first event line, counts the
# events, passes every other line through (the target's, /usr/bin/time's, the tool's messages),
# stamps the end of output.
stamp_reader() { # EVENT_REGEX
  local line
  while IFS= read -r line; do
    if [[ $line =~ $1 ]]; then
      printf 'first_event_us=%s\n' "${EPOCHREALTIME/./}"
      break
    fi
    printf '%s\n' "$line"
  done
  # the rest at full speed (a bash loop would slow the tracer down on thousands of lines)
  awk -v re="$1" '$0 ~ re { n++; next } { print } END { print "more_events=" n + 0 }'
  printf 'eof_us=%s\n' "${EPOCHREALTIME/./}"
}

# The bare JVM of the start-up rows: bench/java/Hello.java built once, by the JDK probe4j runs on (the
# launcher's search). Sets BENCH_JDK and HELLO_JAR, or HELLO_REASON.
hello_build() {
  [ -n "${HELLO_JAR:-}${HELLO_REASON:-}" ] && return 0
  . "$repo/scripts/jdk.sh"
  probe4j_find_jdk 2>/dev/null || { HELLO_REASON="no JDK 25 found"; return 0; }
  BENCH_JDK=$probe4j_jdk
  if mkdir -p "$WORK/hello" && "$BENCH_JDK/bin/javac" -d "$WORK/hello" "$here/java/Hello.java" >"$WORK/hello.log" 2>&1 &&
      "$BENCH_JDK/bin/jar" --create --file "$BIN_DIR/hello.jar" --main-class Hello -C "$WORK/hello" . >>"$WORK/hello.log" 2>&1; then
    HELLO_JAR=$BIN_DIR/hello.jar
  else
    HELLO_REASON="cannot build hello.jar: $(tail -n 1 "$WORK/hello.log")"
  fi
}

# Why TOOL cannot run here (nothing when it can), also for the tools only start-up has.
startup_missing() { # TOOL
  case $1 in
    java | java_quick) hello_build; printf '%s' "${HELLO_REASON:-}" ;;
    help) ;;
    perf_stat) tool_missing perf ;;
    *) tool_missing "$1" ;;
  esac
}

# The command that runs TOOL on `target-plain startup`, printing every event where the tool can.
startup_command() { # TOOL -> sets CMD (array) and RUN_CMD
  local bin def
  bin=$(target_bin plain)
  def="p:bench_entry $bin:target $ENTRY_ARGS"
  case $1 in
    none) CMD=("$bin" startup) ;;
    java) CMD=("$BENCH_JDK/bin/java" -jar "$HELLO_JAR" startup) ;;
    java_quick) CMD=("$BENCH_JDK/bin/java" -jar "$HELLO_JAR") ;;
    help) CMD=($PROBE4J --help) ;;
    probe4j) CMD=($PROBE4J trace --engine kernel "$def" -- "$bin" startup) ;;
    trap) CMD=($PROBE4J trace --engine trap "$def" -- "$bin" startup) ;;
    bpftrace) CMD=(bpftrace -e "uprobe:$bin:target { printf(\"bench_entry a=%d b=%d\\n\", arg0, arg1); }" -c "$bin startup") ;;
    perf) CMD=(perf record -q -e "$GROUP:perf_entry" -o "$WORK/perf.data" -- "$bin" startup) ;;
    perf_stat) CMD=(perf stat -x, -e "$GROUP:perf_entry" -- "$bin" startup) ;;
    ltrace) CMD=(ltrace -L -x target "$bin" startup) ;;
    gdb) CMD=(gdb -nx -q -batch -ex 'dprintf *target,"bench_entry a=%d b=%d\n",$rdi,$rsi' -ex run --args "$bin" startup) ;;
  esac
  RUN_CMD=$(shell_words "${CMD[@]}")
  RUN_CMD=${RUN_CMD//"$PROBE4J"/./probe4j}
  RUN_CMD=${RUN_CMD//"$WORK/"/}
}

# Runs "${CMD[@]}" under /usr/bin/time with its output read by stamp_reader; the result lines go
# to FILE. Prints nothing; returns the command's status (as /usr/bin/time reports it).
timed_launch() { # FILE EVENT_REGEX
  local t0 rc
  t0=${EPOCHREALTIME/./}
  if [ -x /usr/bin/time ]; then
    timeout -k 5 "$TOOL_TIMEOUT" /usr/bin/time -f 'maxrss_kb=%M' "${CMD[@]}" 2>&1 | stamp_reader "$2" >"$1"
    rc=${PIPESTATUS[0]}
  else
    timeout -k 5 "$TOOL_TIMEOUT" "${CMD[@]}" 2>&1 | stamp_reader "$2" >"$1"
    rc=${PIPESTATUS[0]}
  fi
  printf 't0_us=%s\nexit_us=%s\nstatus=%s\n' "$t0" "${EPOCHREALTIME/./}" "$rc" >>"$1"
  return "$rc"
}

field() { sed -n "s/^$2=//p" "$1" | tail -n 1; } # FILE NAME

startup_measure() {
  local tool round missing out t0 main first eof rss def
  def="p:$GROUP/perf_entry $(target_bin plain):${OFFSET[plain]} $ENTRY_ARGS"
  hello_build # here, not in startup_missing's subshell: it sets variables
  for ((round = 1; round <= STARTUP_ROUNDS; round++)); do
    log "start-up: round $round of $STARTUP_ROUNDS"
    for tool in "${STARTUP_TOOLS[@]}" "${QUICK_TOOLS[@]}"; do
      [ -n "${START_REASON[$tool]:-}" ] && continue
      missing=$(startup_missing "$tool")
      [ -n "$missing" ] && { START_REASON[$tool]=$missing; continue; }
      startup_command "$tool"
      START_CMD[$tool]=$RUN_CMD
      out="$WORK/startup.out"
      if [ "$tool" = perf ] || [ "$tool" = perf_stat ]; then
        kernel_define "$def" 2>/dev/null
        START_CMD[$tool]="echo '$def' >> uprobe_events; $RUN_CMD"
      fi
      timed_launch "$out" "$EVENT_RE"
      [ "$tool" = perf ] || [ "$tool" = perf_stat ] && { kernel_cleanup; rm -f "$WORK/perf.data" "$WORK/perf.data.old"; }
      t0=$(field "$out" t0_us); main=$(field "$out" main_realtime_ns); first=$(field "$out" first_event_us)
      eof=$(field "$out" exit_us); rss=$(field "$out" maxrss_kb)
      if [ "$(field "$out" status)" != 0 ] || { [ -z "$main" ] && [ "$tool" != help ]; }; then
        START_REASON[$tool]="exit $(field "$out" status): $(reason_of "$out")"
        continue
      fi
      START["$tool|$round"]="$([ -n "$main" ] && echo $((main / 1000 - t0)) || echo -) $([ -n "$first" ] && echo $((first - t0)) || echo -) $((eof - t0)) ${rss:--}"
    done
  done
}

# Column K (1-based) of the START records of TOOL, as "median (min–max)" in ms.
startup_column() { # TOOL K
  local s med min max cnt
  s=$(for ((r = 1; r <= STARTUP_ROUNDS; r++)); do
        v=$(cut -d' ' -f"$2" <<<"${START["$1|$r"]:-}"); [ -n "$v" ] && [ "$v" != - ] && echo "$v"; done | stats)
  [ -z "$s" ] && { echo "–"; return; }
  read -r med min max cnt <<<"$s"
  if [ "$2" = 4 ]; then echo "$(fmt_num $((${med%.*} / 1024))) MiB"; return; fi
  echo "$(fmt_ms "$med") ($(fmt_ms "$min")–$(fmt_ms "$max"))"
}

startup_label() { # TOOL
  case $1 in
    none) echo "no tracer (\`target startup\` alone)" ;;
    java) echo "bare JVM: \`java -jar\` of a class that does nothing (its own \`main\`)" ;;
    perf) echo "perf record (events go to perf.data)" ;;
    perf_stat) echo "perf stat (counts the events)" ;;
    help) echo "probe4j \`--help\`" ;;
    java_quick) echo "bare JVM: \`java -jar\` of a class that prints one line" ;;
    *) tool_label "$1" ;;
  esac
}

# The table rows of TOOLS with START columns COLS ("1 2 3 4"), or why a tool could not run.
startup_rows() { # "COLS" TOOL...
  local cols=$1 tool k row
  shift
  for tool in "$@"; do
    row="| $(startup_label "$tool") |"
    if [ -n "${START_REASON[$tool]:-}" ]; then
      row+=" not available: $(cell "${START_REASON[$tool]}") |"
      for k in ${cols#* }; do row+=" – |"; done
    else
      for k in $cols; do row+=" $(startup_column "$tool" "$k") |"; done
    fi
    echo "$row"
  done
}

startup_table() {
  echo "| tool | launch → target's \`main\`, ms | launch → first event printed, ms | launch → exit, ms | peak RSS (largest process) |"
  echo "|---|---|---|---|---|"
  startup_rows "1 2 3 4" "${STARTUP_TOOLS[@]}"
}

# Commands without a target, launch -> exit.
quick_table() {
  echo "| command | launch → exit, ms | peak RSS |"
  echo "|---|---|---|"
  startup_rows "3 4" "${QUICK_TOOLS[@]}"
}

# --- throughput ----------------------------------------------------------------------------------

THROUGHPUT_CONFIGS=("text file" "json file" "text /dev/null" "json /dev/null")
declare -A TP TP_REASON TP_CMD   # "CFG|ROUND" -> "events lost events_per_s ns_per_call"

throughput_measure() {
  local cfg format dest round bin n out file events lost main exit_us ns
  bin=$(target_bin plain)
  n=${THROUGHPUT_CALLS:-${CALLS["probe4j plain entry"]:-2000}}
  THROUGHPUT_N=$n
  for ((round = 1; round <= THROUGHPUT_ROUNDS; round++)); do
    log "throughput: round $round of $THROUGHPUT_ROUNDS ($n events a run)"
    for cfg in "${THROUGHPUT_CONFIGS[@]}"; do
      read -r format dest <<<"$cfg"
      [ -n "${TP_REASON[$cfg]:-}" ] && continue
      file=$dest
      [ "$dest" = file ] && file="$WORK/events.$format"
      rm -f "$WORK/events.$format"
      CMD=($PROBE4J trace --engine kernel --format "$format" -o "$file" "p:bench_entry $bin:target $ENTRY_ARGS" -- "$bin" "$n")
      TP_CMD[$cfg]="./probe4j trace --engine kernel --format $format -o ${dest/file/events.$format} 'p:bench_entry $bin:target $ENTRY_ARGS' -- $bin $n"
      out="$WORK/throughput.out"
      timed_launch "$out" '@@no event@@'
      main=$(field "$out" main_realtime_ns); exit_us=$(field "$out" exit_us)
      ns=$(ns_per_call "$out")
      if [ "$(field "$out" status)" != 0 ] || [ -z "$main" ]; then
        TP_REASON[$cfg]="exit $(field "$out" status): $(reason_of "$out")"
        continue
      fi
      lost=$(grep -o 'lost [0-9]* events' "$out" | grep -o '[0-9]*' | tail -n 1)
      lost=${lost:-0}
      if [ "$dest" = file ]; then events=$(grep -c bench_entry "$file"); else events=$((n - lost)); fi
      TP["$cfg|$round"]="$events $lost $(awk -v e="$events" -v us=$((exit_us - main / 1000)) 'BEGIN { printf "%.0f", (us > 0 ? e * 1e6 / us : 0) }') ${ns:-}"
      rm -f "$WORK/events.$format"
    done
  done
}

throughput_table() {
  local cfg r s med min max cnt lost_total events base_ns ns_med
  base_ns=$(overhead_baseline plain)
  echo "| output | events a run (lost) | events/s written, target's \`main\` → probe4j exit: median (min–max) | events/s produced in the loop (1e9 ÷ ns/call), median | traced loop ns/call (untraced $(fmt_num "$base_ns")) | slowdown of the traced program |"
  echo "|---|---|---|---|---|---|"
  for cfg in "${THROUGHPUT_CONFIGS[@]}"; do
    if [ -n "${TP_REASON[$cfg]:-}" ]; then
      echo "| $cfg | not available: $(cell "${TP_REASON[$cfg]}") | – | – | – | – |"; continue
    fi
    s=$(for ((r = 1; r <= THROUGHPUT_ROUNDS; r++)); do cut -d' ' -f3 <<<"${TP["$cfg|$r"]:-}"; done | grep . | stats)
    read -r med min max cnt <<<"$s"
    lost_total=$(for ((r = 1; r <= THROUGHPUT_ROUNDS; r++)); do cut -d' ' -f2 <<<"${TP["$cfg|$r"]:-}"; done | awk '{ t += $1 } END { print t + 0 }')
    events=$(cut -d' ' -f1 <<<"${TP["$cfg|1"]:-}")
    [ "${cfg#* }" = /dev/null ] && events="$(fmt_int "$THROUGHPUT_N") expected (not counted)" || events="$(fmt_int "$events") of $(fmt_int "$THROUGHPUT_N") in run 1"
    ns_med=$(for ((r = 1; r <= THROUGHPUT_ROUNDS; r++)); do cut -d' ' -f4 <<<"${TP["$cfg|$r"]:-}"; done | grep . | stats | cut -d' ' -f1)
    echo "| $cfg | $events (lost $lost_total in $cnt runs) | $(fmt_num "$med") ($(fmt_num "$min")–$(fmt_num "$max")) | $(fmt_num "$(awk -v ns="$ns_med" 'BEGIN { if (ns > 0) printf "%.0f", 1e9 / ns }')") | $(fmt_num "$ns_med") | $(fmt_ratio "$ns_med" "$base_ns") |"
  done
}

# Median untraced ns per call of a binary, from the overhead rounds.
overhead_baseline() { # VARIANT
  local cfg="none $1 entry" r
  for ((r = (ROUNDS == 0 ? 0 : 1); r <= ROUNDS; r++)); do [ -n "${NS["$cfg|$r"]:-}" ] && echo "${NS["$cfg|$r"]}"; done | stats | cut -d' ' -f1
}

# The report's start-up section (sourced by report.sh; alone with `bench/run --only startup`).
startup_section() {
  cat <<EOF
## Start-up

Time from just before launching (bash \`\$EPOCHREALTIME\`) to the target's \`main\` (it prints
CLOCK_REALTIME first thing), and to the arrival of the first event line on the tool's output (a pipe),
with an entry probe on \`target\`, which \`target startup\` calls once right after \`main\`, then sleeps
300 ms and exits. probe4j runs as users run it, through \`./probe4j\` (unless PROBE4J says otherwise; the launcher finds the JDK,
checks the jar against the sources and uses the JDK's ahead-of-time cache next to the jar); the jar
and the cache are made beforehand. The bare JVM row is the floor of any Java tool: \`java -jar\` of a
class that prints the time in \`main\` (bench/java/Hello.java), on the JDK probe4j runs on. perf's
event is defined in uprobe_events before the clock starts. Median (min–max) over $STARTUP_ROUNDS rounds,
interleaved. Peak RSS is /usr/bin/time's maximum resident set of the largest process (for probe4j,
the JVM).

$(startup_table)

Commands that start and end at once, launch → exit, same rounds:

$(quick_table)
EOF
}

# For `bench/run --only startup`: what could not run, and the commands.
startup_unavailable() {
  local t any=1
  for t in "${STARTUP_TOOLS[@]}" "${QUICK_TOOLS[@]}"; do
    [ -n "${START_REASON[$t]:-}" ] && { echo "- start-up, $t: ${START_REASON[$t]}"; any=0; }
  done
  return "$any"
}
startup_commands() {
  local t
  for t in "${STARTUP_TOOLS[@]}" "${QUICK_TOOLS[@]}"; do
    [ -n "${START_CMD[$t]:-}" ] && printf -- '- start-up, %s:\n  `%s`\n' "$t" "${START_CMD[$t]}"
  done
  return 0
}
