# The inline engine (`--engine inline`) per probe hit, next to the trap engine and the raw kernel uprobe
# in the same rounds: its own configurations, run round-robin like the overhead table's, on the target
# variants whose first instructions leave room for the 5-byte jump (the plain target is 4 bytes long:
# the inline engine refuses it, and would run it on the trap engine). Sourced by bench/run:
# inline_measure after the overhead table's runs, inline_section after the report.

INLINE_VARIANTS=(nop5 rip)
INLINE_CONFIGS=()
for v in "${INLINE_VARIANTS[@]}"; do
  INLINE_CONFIGS+=("none $v entry")
  for m in entry return both; do
    for t in inline trap kernel; do INLINE_CONFIGS+=("$t $v $m"); done
  done
done

# The issue's other rows, in the same rounds: a string argument; one probe hit by 4 threads at once
# against 1 thread (CPU time per call: `target N T`); entry + return on a target built with
# -fpatchable-function-entry=5, the build uftrace needs, with uftrace itself.
# And an entry probe whose records are all kept: KEPT_CALLS calls fit in the rings (their first lap), where
# the other rows' tight loops drop most records (the cheaper path). nop5k is the nop5 target under another name.
# The same on rings written through once before (nop5w: `target N warm W`), what a kept record costs once
# the rings' pages have been touched, as in any trace that runs longer than the rings' first lap.
INLINE_EXTRA_ROWS=("nop5s string" "nop5x1 entry" "nop5x4 entry" "pfe both" "nop5k entry" "nop5w entry")
KEPT_CALLS=${KEPT_CALLS:-300000}
declare -A INLINE_PEER=([nop5s]=bpftrace [pfe]=uftrace)
for row in "${INLINE_EXTRA_ROWS[@]}"; do
  read -r v m <<<"$row"
  INLINE_CONFIGS+=("none $v entry" "inline $v $m" "kernel $v $m")
  [ -n "${INLINE_PEER[$v]:-}" ] && INLINE_CONFIGS+=("${INLINE_PEER[$v]} $v $m")
done

declare -A INL_NS INL_CALLS INL_REASON INL_FAILS INL_CMD INL_LOST
declare -A INL_GUESS=([none]=2 [inline]=100 [trap]=20000 [kernel]=6000 [bpftrace]=6000 [uftrace]=1000)

# One run of CFG with N calls: INL_ONCE is its ns per call, or empty with INL_ONCE_REASON set. The
# return probe records $retval for every tool here (the overhead table's rows use %ax).
inline_once() { # CFG N
  local tool variant mode out rc bin defs threads RETURN_ARGS='ret=$retval:s32'
  read -r tool variant mode <<<"$1"
  out="$WORK/inline.out"
  if [ "$tool" = inline ]; then
    bin=$(target_bin "$variant")
    threads=$(target_args "$variant")
    mapfile -t defs < <(definitions "$mode" "$bin" "" target)
    RUN_CMD="./probe4j trace --engine inline -o /dev/null$(printf " '%s'" "${defs[@]}") -- $bin $2${threads:+ $threads}"
    timeout -k 5 "$TOOL_TIMEOUT" $PROBE4J trace --engine inline -o /dev/null "${defs[@]}" -- "$bin" "$2" $threads >"$out" 2>&1
    rc=$?
  else
    run_tool "$tool" "$variant" "$mode" "$2" "$out"
    rc=$?
  fi
  INL_CMD[$1]=$RUN_CMD
  INL_ONCE=$(ns_per_call "$out")
  # records the rings had no room for (the reader did not keep up): counted as hits, but not recorded
  INL_ONCE_LOST=$(sed -n 's/^.*the inline engine lost \([0-9]*\) records.*$/\1/p' "$out" | awk '{ n += $1 } END { print n + 0 }')
  INL_ONCE_REASON=
  if grep -q 'runs on the trap engine' "$out"; then # the figure would be the trap engine's
    INL_ONCE= INL_ONCE_REASON="fell back: $(grep -m 1 'runs on the trap engine' "$out")"
    return 1
  fi
  if [ "$rc" != 0 ] || [ -z "$INL_ONCE" ]; then
    INL_ONCE= INL_ONCE_REASON="exit $rc: $(reason_of "$out")"
    return 1
  fi
}

inline_measure() {
  local cfg tool variant mode missing n0 round i k count=${#INLINE_CONFIGS[@]}
  log "inline engine: calibration round"
  for cfg in "${INLINE_CONFIGS[@]}"; do
    read -r tool variant mode <<<"$cfg"
    missing=
    [ "$tool" != inline ] && [ "$tool" != none ] && missing=$(tool_missing "$tool")
    if [ -n "$missing" ]; then INL_REASON[$cfg]=$missing; log "  $cfg: not available: $missing"; continue; fi
    n0=$(awk -v s="$CALIBRATION_SECONDS" -v g="${INL_GUESS[$tool]}" 'BEGIN { n = int(s * 1e9 / g); print (n < 20 ? 20 : n) }')
    [[ $variant == nop5[kw] ]] && n0=$KEPT_CALLS
    if ! inline_once "$cfg" "$n0"; then
      INL_REASON[$cfg]=$INL_ONCE_REASON; log "  $cfg: not available: $INL_ONCE_REASON"; continue
    fi
    INL_NS["$cfg|0"]=$INL_ONCE
    INL_LOST["$cfg|0"]=$INL_ONCE_LOST
    INL_CALLS[$cfg]=$(awk -v s="$RUN_SECONDS" -v ns="$INL_ONCE" -v n0="$n0" 'BEGIN {
      if (s == 0) { print n0; exit } n = int(s * 1e9 / (ns > 0.5 ? ns : 0.5)); print (n < 20 ? 20 : n) }')
    [[ $variant == nop5[kw] ]] && INL_CALLS[$cfg]=$KEPT_CALLS
    log "  $cfg: $INL_ONCE ns/call with $n0 calls -> ${INL_CALLS[$cfg]} calls a run"
  done
  for ((round = 1; round <= ROUNDS; round++)); do
    log "inline engine: round $round of $ROUNDS (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    for ((i = 0; i < count; i++)); do
      k=$(((i + round - 1) % count))
      cfg=${INLINE_CONFIGS[$k]}
      [ -n "${INL_REASON[$cfg]:-}" ] && continue
      if inline_once "$cfg" "${INL_CALLS[$cfg]}"; then
        INL_NS["$cfg|$round"]=$INL_ONCE
        INL_LOST["$cfg|$round"]=$INL_ONCE_LOST
      else
        local previous=${INL_FAILS[$cfg]:-0:}
        INL_FAILS[$cfg]="$((${previous%%:*} + 1)):${INL_ONCE_REASON}"
        log "  $cfg: run failed: $INL_ONCE_REASON"
      fi
    done
  done
}

# ns added per hit, one per round with both the configuration and its unprobed baseline ("both": 2 hits a call).
inline_added() { # CFG
  local tool variant mode base first=1 last=$ROUNDS r hits=1
  read -r tool variant mode <<<"$1"
  base="none $variant entry"
  [ "$mode" = both ] && hits=2
  [ "$ROUNDS" = 0 ] && first=0 last=0
  for ((r = first; r <= last; r++)); do
    [ -n "${INL_NS["$1|$r"]:-}" ] && [ -n "${INL_NS["$base|$r"]:-}" ] || continue
    awk -v a="${INL_NS["$1|$r"]}" -v b="${INL_NS["$base|$r"]}" -v h="$hits" 'BEGIN { print (a - b) / h }'
  done
}

# A cell: median (min–max) of a configuration's added ns per hit, or why there is none.
inline_cell() { # CFG
  local s med min max cnt
  if [ -n "${INL_REASON[$1]:-}" ]; then echo "not available: $(cell "${INL_REASON[$1]}")"; return; fi
  s=$(inline_added "$1" | stats)
  if [ -z "$s" ]; then echo "not available: every run failed: $(cell "${INL_FAILS[$1]#*:}")"; return; fi
  read -r med min max cnt <<<"$s"
  printf '%s (%s–%s)' "$(fmt_num "$med")" "$(fmt_num "$min")" "$(fmt_num "$max")"
  [ -n "${INL_FAILS[$1]:-}" ] && printf '; %s run(s) failed: %s' "${INL_FAILS[$1]%%:*}" "$(cell "${INL_FAILS[$1]#*:}")"
  echo
}

# The lost-record counts of a configuration's runs, comma-separated.
inline_lost() { # CFG
  local r first=1 out=
  [ "$ROUNDS" = 0 ] && first=0
  for ((r = first; r <= (ROUNDS == 0 ? 0 : ROUNDS); r++)); do
    [ -n "${INL_LOST["$1|$r"]:-}" ] && out+="${out:+, }$(fmt_int "${INL_LOST["$1|$r"]}")"
  done
  echo "${out:-–}"
}

inline_median() { inline_added "$1" | stats | cut -d' ' -f1; }

inline_table() {
  local v m
  echo "| first instruction of target | probe | \`--engine inline\` | \`--engine trap\` | kernel uprobe | inline ÷ kernel uprobe | runs × calls (inline) | inline records lost, per run |"
  echo "|---|---|---|---|---|---|---|---|"
  for v in "${INLINE_VARIANTS[@]}"; do
    for m in entry return both; do
      echo "| $(variant_label "$v") | $(inline_mode_label "$m") | $(inline_cell "inline $v $m") | $(inline_cell "trap $v $m") |" \
        "$(inline_cell "kernel $v $m") | $(fmt_ratio "$(inline_median "inline $v $m")" "$(inline_median "kernel $v $m")") |" \
        "$(inline_added "inline $v $m" | wc -l) × $(fmt_int "${INL_CALLS["inline $v $m"]:-0}") | $(inline_lost "inline $v $m") |"
    done
  done
}

# The other rows: inline, the kernel uprobe and the peer that has the same probe, in the same rounds.
inline_extra_table() {
  local row v m peer
  echo "| target | probe | \`--engine inline\` | kernel uprobe | inline ÷ kernel uprobe | peer, same rounds | peer | inline records lost, per run |"
  echo "|---|---|---|---|---|---|---|---|"
  for row in "${INLINE_EXTRA_ROWS[@]}"; do
    read -r v m <<<"$row"
    peer=${INLINE_PEER[$v]:-}
    echo "| $(inline_variant_label "$v") | $(inline_mode_label "$m") | $(inline_cell "inline $v $m") | $(inline_cell "kernel $v $m") |" \
      "$(fmt_ratio "$(inline_median "inline $v $m")" "$(inline_median "kernel $v $m")") |" \
      "$([ -n "$peer" ] && inline_cell "$peer $v $m" || echo –) | $(inline_peer_label "$peer") | $(inline_lost "inline $v $m") |"
  done
}

inline_variant_label() {
  case $1 in
    nop5s) echo '`nopl` first, `target(const char *s, int b)` called with a 20-character string' ;;
    nop5x1) echo '`nopl` first, 1 thread (CPU ns per call)' ;;
    nop5x4) echo '`nopl` first, 4 threads at once (CPU ns per call)' ;;
    pfe) echo 'C, built with `-fpatchable-function-entry=5` (five 1-byte nops first)' ;;
    nop5k) echo "\`nopl\` first, $(fmt_int "$KEPT_CALLS") calls: every record kept (the rings' first lap)" ;;
    nop5w) echo "\`nopl\` first, $(fmt_int "$KEPT_CALLS") calls: every record kept, the rings written through once before" ;;
    *) variant_label "$1" ;;
  esac
}

inline_peer_label() {
  case $1 in
    bpftrace) echo 'bpftrace `@[str(arg0)] = count()`' ;;
    uftrace) echo 'uftrace `record -P target -A target@arg1/i32,arg2/i32` (entry and return, both arguments; needs the patchable build)' ;;
    *) echo – ;;
  esac
}

inline_mode_label() {
  case $1 in
    entry) echo 'entry `a=%di:s32 b=%si:s32`' ;;
    string) echo 'entry `s=+0(%di):string b=%si:s32`' ;;
    return) echo 'return `ret=$retval:s32`' ;;
    both) echo 'entry + return (per hit: half the call)' ;;
  esac
}

inline_section() {
  cat <<EOF2

## The inline engine

\`--engine inline\` replaces the probed instruction(s) by a jump to a trampoline that records the hit
into a per-CPU ring shared with probe4j: no stop, no system call. Same target and method as the
overhead table (ns added per hit: the run's ns per call minus the same round's unprobed ns per call,
median (min–max) over the rounds), but in rounds of their own, with the trap engine and the raw kernel
uprobe (tracefs instance, no reader) measured in the same rounds, and \$retval for the return probe.
Only targets whose first instructions hold a 5-byte jump are here: the plain target (\`lea; ret\`, 4
bytes) is refused by the inline engine, which would run it on the trap engine. A run where a probe
fell back to the trap engine is not counted. probe4j also reads the rings, formats every event and
writes it (to /dev/null) on another thread; when that thread does not keep up, a full ring makes the
hit count a lost record instead (cheaper than recording it), and probe4j reports the loss at the end:
the last column gives each run's count, so read the figures of runs with losses as partly that path.

$(inline_table)

The issue's other rows, in the same rounds: a string argument (the string is read, measured and copied
into the record by the trampoline); one probe hit by 4 threads at once, against 1 thread, as CPU time
per call (\`target N T\`: every thread's CLOCK_THREAD_CPUTIME_ID summed over the calls, so the figure
does not depend on how many cores run the threads; 4 threads ÷ 1 thread, inline: $(fmt_ratio "$(inline_median "inline nop5x4 entry")" "$(inline_median "inline nop5x1 entry")"));
and entry + return on a target built for uftrace (\`-fpatchable-function-entry=5\`: uftrace's dynamic
tracing patches only such builds, or \`-pg\` ones), with uftrace recording the same calls and both
arguments into its own files; and an entry probe on a run short enough ($(fmt_int "$KEPT_CALLS") calls) that the
rings hold every record: the cost of a kept record, where the tight loops above mostly take the drop
path (on this kind of VM the first write to each 4 KiB page of the rings costs about 10 µs, which such
a first lap pays); and the same calls once every ring has been written through and drained again
(\`target N warm W\`: before the timed calls, $(fmt_int "$WARM_CALLS") untimed calls pinned to each CPU in turn, in
slices of 10,000 with a 10 ms pause after each so that the reader keeps up, then a 300 ms pause; the
unprobed and kernel runs do the same), the cost of a kept record in a trace longer than the rings' first lap. bpftrace's and perf's rows on the plain target are in the overhead table above (the
kernel's uprobe plus their own work).

$(inline_extra_table)

Commands:

$(for cfg in "${INLINE_CONFIGS[@]}"; do [ -n "${INL_CMD[$cfg]:-}" ] && printf -- '- %s: `%s`\n' "$cfg" "${INL_CMD[$cfg]}"; done)
EOF2
}

# For `bench/run --only inline`: a row that could not be measured says why in its own cells, and the
# section lists its commands.
inline_unavailable() { return 1; }
inline_commands() { echo "- listed in the section, after its tables"; }
