# Attach cost: an entry probe on every exported function of libc (IFUNCs skipped: probe4j refuses
# them) for a program that uses libc. Sourced by bench/run.
#
# The kernel installs a uprobe in every process that maps the file, so while this runs every libc
# call on the machine traps (other processes' hits are filtered out, not avoided): it is kept short.

declare -A ATT     # ROUND -> "probes to_main_us first_event_us total_us detach_us maxrss_kb events lost"
ATTACH_REASON=
ATTACH_SKIPPED=()

# Writes one definition a line for the functions listed by `probe4j list libc` to FILE.
attach_definitions() { # FILE LIMIT
  local list="$WORK/libc.list"
  $PROBE4J list libc >"$list" 2>"$WORK/list.err" || { ATTACH_REASON="probe4j list libc: $(reason_of "$WORK/list.err")"; return 1; }
  ATTACH_FUNCTIONS=$(wc -l <"$list")
  ATTACH_IFUNCS=$(grep -c '\[ifunc\]' "$list")
  # one probe per address (several versioned names share one), event names made of the function's
  awk -v limit="$2" '!/\[ifunc\]/ && !seen[$1]++ {
      name = $3; gsub(/[^A-Za-z0-9_]/, "_", name); name = substr("lc_" name, 1, 56)
      if (used[name]++) name = name "_" NR
      print "p:" name " libc:" $1
      if (limit && ++n >= limit) exit }' "$list" >"$1"
}

attach_measure() {
  local defs_file="$WORK/libc.defs" round out bin t0 main first exit_us end rss tries reject
  if [ -n "$(tool_missing probe4j)" ]; then ATTACH_REASON=$(tool_missing probe4j); return; fi
  attach_definitions "$defs_file" "$ATTACH_LIMIT" || return
  bin=$(target_bin plain)
  for ((round = 1; round <= ATTACH_ROUNDS; round++)); do
    for ((tries = 0; tries < 10; tries++)); do
      mapfile -t defs <"$defs_file"
      log "attach: round $round of $ATTACH_ROUNDS, ${#defs[@]} probes on libc"
      CMD=($PROBE4J trace --engine kernel "${defs[@]}" -- "$bin" startup)
      ATTACH_CMD="./probe4j trace --engine kernel $(head -n 2 "$defs_file" | sed "s/.*/'&'/" | tr '\n' ' ')... (${#defs[@]} definitions, one argument each) -- $bin startup"
      out="$WORK/attach.out"
      timed_launch "$out" ': lc_[A-Za-z0-9_]+: \('
      # the kernel may refuse an instruction only when the probe is enabled: drop that function, retry
      reject=$(grep -o 'will not probe [^ ]*:0x[0-9a-f]*' "$out" | head -n 1 | grep -o '0x[0-9a-f]*$')
      [ -n "$reject" ] || break
      ATTACH_SKIPPED+=("$reject")
      grep -v "libc:0x0*${reject#0x}\$" "$defs_file" >"$defs_file.new"; mv "$defs_file.new" "$defs_file"
    done
    t0=$(field "$out" t0_us); main=$(field "$out" main_realtime_ns); first=$(field "$out" first_event_us)
    end=$(field "$out" end_realtime_ns); exit_us=$(field "$out" exit_us); rss=$(field "$out" maxrss_kb)
    if [ "$(field "$out" status)" != 0 ] || [ -z "$main" ]; then
      ATTACH_REASON="exit $(field "$out" status): $(reason_of "$out")"
      return
    fi
    local events=$(( $(field "$out" more_events) + 1 )) lost
    lost=$(grep -o 'lost [0-9]* events' "$out" | grep -o '[0-9]*' | tail -n 1)
    ATT[$round]="${#defs[@]} $((main / 1000 - t0)) $([ -n "$first" ] && echo $((first - t0)) || echo -) $((exit_us - t0)) $((exit_us - end / 1000)) ${rss:--} $events ${lost:-0}"
  done
}

attach_table() {
  local r probes main first total detach rss events lost
  echo "| run | probes on libc | launch → target's \`main\`, ms | launch → first event, ms | launch → probe4j exit, ms | target exit → probe4j exit (detach), ms | JVM peak RSS | events printed (lost) |"
  echo "|---|---|---|---|---|---|---|---|"
  if [ -n "$ATTACH_REASON" ]; then
    echo "| 1 | not available: $(cell "$ATTACH_REASON") | – | – | – | – | – | – |"
    return
  fi
  for ((r = 1; r <= ATTACH_ROUNDS; r++)); do
    read -r probes main first total detach rss events lost <<<"${ATT[$r]}"
    [ "$first" = - ] && first= 
    echo "| $r | $(fmt_int "$probes") | $(fmt_ms "$main") | $(fmt_ms "$first") | $(fmt_ms "$total") | $(fmt_ms "$detach") | $(fmt_num $((rss / 1024))) MiB | $(fmt_int "$events") ($lost) |"
  done
}
