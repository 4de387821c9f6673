# Attach cost: an entry probe on every exported function of libc (IFUNCs skipped: probe4j refuses
# them) for a program that uses libc. Sourced by bench/run.
#
# The kernel installs a uprobe in every process that maps the file, so while this runs every libc
# call on the machine traps (other processes' hits are filtered out, not avoided): it is kept short.

declare -A ATT     # "WHO|ROUND" -> "probes to_main_us first_event_us total_us detach_us maxrss_kb events lost enabled_us"
ATTACH_REASON= ATT_KERNEL_REASON= ATTACH_REFUSED=() ATTACH_TIMEOUT=${ATTACH_TIMEOUT:-900}
ATTACH_SKIPPED=() GATE_CHILD=

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
  local defs_file="$WORK/libc.defs" round
  if [ -n "$(tool_missing probe4j)" ]; then ATTACH_REASON=$(tool_missing probe4j); return; fi
  attach_definitions "$defs_file" "$ATTACH_LIMIT" || return
  for ((round = 1; round <= ATTACH_ROUNDS; round++)); do
    attach_kernel "$defs_file" "$round"
    attach_probe4j "$defs_file" "$round" || return
  done
}

# The same probes written into tracefs from bash: what the kernel itself costs to attach and detach.
# The target writes its own pid into set_event_pid before it execs, so only its events are kept.
attach_kernel() { # DEFS_FILE ROUND
  local bin libc t0 t_enabled main end t_end events p off
  bin=$(target_bin plain)
  libc=$($PROBE4J parse 'p:x libc:0' 2>/dev/null | awk '{ split($2, a, ":"); print a[1] }')
  [ -n "$libc" ] || { ATT_KERNEL_REASON="cannot find libc's path with probe4j parse"; return; }
  mapfile -t defs <"$1"
  log "attach: round $2 of $ATTACH_ROUNDS, the kernel alone, ${#defs[@]} probes on libc"
  t0=${EPOCHREALTIME/./}
  while read -r p off; do
    kernel_define "p:$GROUP/${p#p:} $libc:${off#libc:}" 2>>"$WORK/attach-kernel.err" || break
  done <"$1"
  # one event at a time, to learn which ones the kernel refuses (it checks the instruction only now)
  local enable name refused=()
  kernel_instance_create 2>>"$WORK/attach-kernel.err"
  rm -f "$WORK/gate"; mkfifo "$WORK/gate"
  # the program waits at a gate until its pid is the instance's only pid and the events are enabled
  sh -c 'read go <"$1"; exec "$2" startup' sh "$WORK/gate" "$bin" >"$WORK/attach-kernel.out" 2>&1 &
  local child=$!
  GATE_CHILD=$child
  printf '%s\n' "$child" >"$INSTANCE/set_event_pid"
  for enable in "$INSTANCE/events/$GROUP"/*/enable; do
    printf '1\n' 2>/dev/null >"$enable" || { name=${enable%/enable}; refused+=("${name##*/}"); }
  done
  t_enabled=${EPOCHREALTIME/./}
  printf 'go\n' >"$WORK/gate"
  wait "$child"
  GATE_CHILD=
  events=$(grep -vc '^#' "$INSTANCE/trace" 2>/dev/null)
  kernel_cleanup
  t_end=${EPOCHREALTIME/./}
  main=$(field "$WORK/attach-kernel.out" main_realtime_ns); end=$(field "$WORK/attach-kernel.out" end_realtime_ns)
  if [ -z "$main" ]; then
    ATT_KERNEL_REASON="$(reason_of "$WORK/attach-kernel.err") $(reason_of "$WORK/attach-kernel.out")"
    return
  fi
  read -r p off <"$1"
  local inst=${INSTANCE#"$TRACEFS"/}
  ATT_KERNEL_CMD="cd $TRACEFS; echo 'p:$GROUP/${p#p:} $libc:${off#libc:}' >> uprobe_events  # and so on, one write per probe; mkdir $inst; sh -c 'read go < gate; exec $bin startup' & echo \$! > $inst/set_event_pid; echo 1 > …/enable for each event; echo go > gate; echo 0 > $inst/events/$GROUP/enable; rmdir $inst; echo '-:$GROUP/${p#p:}' >> uprobe_events  # and so on"
  ATTACH_REFUSED=("${refused[@]}")
  # probe4j gets only what the kernel accepts: a refused probe makes it stop (and retrying costs minutes)
  for name in "${refused[@]}"; do
    grep "^p:$name " "$1" | cut -d: -f3 >>"$WORK/refused.offsets"
    grep -v "^p:$name " "$1" >"$1.new"; mv "$1.new" "$1"
  done
  ATT["kernel|$2"]="${#defs[@]} $((main / 1000 - t0)) - $((t_end - t0)) $((t_end - end / 1000)) - ${events:-0} 0 $((t_enabled - t0))"
}

attach_probe4j() { # DEFS_FILE ROUND
  local defs_file=$1 round=$2 out bin t0 main first exit_us end rss tries reject events lost
  bin=$(target_bin plain)
  for ((tries = 0; tries < 10; tries++)); do
    mapfile -t defs <"$defs_file"
    log "attach: round $round of $ATTACH_ROUNDS, probe4j, ${#defs[@]} probes on libc"
    CMD=($PROBE4J trace --engine kernel "${defs[@]}" -- "$bin" startup)
    ATTACH_CMD="./probe4j trace --engine kernel $(head -n 2 "$defs_file" | sed "s/.*/'&'/" | tr '\n' ' ')... (${#defs[@]} definitions, one argument each) -- $bin startup"
    out="$WORK/attach.out"
    TOOL_TIMEOUT=$ATTACH_TIMEOUT timed_launch "$out" ': lc_[A-Za-z0-9_]+: \('
    # the kernel may refuse an instruction only when the probe is enabled: drop that function, retry
    reject=$(grep -o 'will not probe [^)]*:0x[0-9a-f]*' "$out" | head -n 1 | grep -o '0x[0-9a-f]*$')
    [ -n "$reject" ] || break
    ATTACH_SKIPPED+=("$reject")
    grep -v "libc:0x0*${reject#0x}\$" "$defs_file" >"$defs_file.new"; mv "$defs_file.new" "$defs_file"
  done
  t0=$(field "$out" t0_us); main=$(field "$out" main_realtime_ns); first=$(field "$out" first_event_us)
  end=$(field "$out" end_realtime_ns); exit_us=$(field "$out" exit_us); rss=$(field "$out" maxrss_kb)
  if [ "$(field "$out" status)" != 0 ] || [ -z "$main" ]; then
    ATTACH_REASON="exit $(field "$out" status): $(reason_of "$out")"
    return 1
  fi
  events=$(( $(field "$out" more_events) + 1 ))
  lost=$(grep -o 'lost [0-9]* events' "$out" | grep -o '[0-9]*' | tail -n 1)
  ATT["probe4j|$round"]="${#defs[@]} $((main / 1000 - t0)) $([ -n "$first" ] && echo $((first - t0)) || echo -) $((exit_us - t0)) $((exit_us - end / 1000)) ${rss:--} $events ${lost:-0} -"
}

attach_table() {
  local r who probes main first total detach rss events lost enabled label
  echo "| who, run | probes on libc | start → target's \`main\`, ms | start → first event printed, ms | start → all removed, ms | target exit → all removed (detach), ms | peak RSS | events (lost) |"
  echo "|---|---|---|---|---|---|---|---|"
  for ((r = 1; r <= ATTACH_ROUNDS; r++)); do
    for who in kernel probe4j; do
      if [ "$who" = kernel ]; then label="kernel alone (tracefs from bash), run $r"; else label="probe4j \`--engine kernel\`, run $r"; fi
      local reason=
      [ "$who" = kernel ] && reason=${ATT_KERNEL_REASON:-}
      [ "$who" = probe4j ] && reason=$ATTACH_REASON
      [ -z "$reason" ] && [ -z "${ATT["$who|$r"]:-}" ] && reason="not run (an earlier step failed)"
      if [ -n "$reason" ]; then
        echo "| $label | not available: $(cell "$reason") | – | – | – | – | – | – |"
        continue
      fi
      read -r probes main first total detach rss events lost enabled <<<"${ATT["$who|$r"]}"
      [ "$first" = - ] && first=
      probes=$(fmt_int "$probes")
      [ "$who" = kernel ] && [ ${#ATTACH_REFUSED[@]} -gt 0 ] && probes+=" (${#ATTACH_REFUSED[@]} refused by the kernel)"
      echo "| $label | $probes | $(fmt_ms "$main") | $([ -n "$first" ] && fmt_ms "$first" || echo "– (no reader)") | $(fmt_ms "$total") | $(fmt_ms "$detach") | $([ "$rss" = - ] && echo – || echo "$(fmt_int $((rss / 1024))) MiB") | $(fmt_int "$events") ($lost) |"
    done
  done
}
