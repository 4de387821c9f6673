# SIGKILL survival (issue 10): probe4j `trace -p` on a busy program, killed with SIGKILL (kill -9, the
# OOM killer) at a random moment; does the program run on unharmed? The kernel detaches it with our
# int3s in; the guardian (engine/trap/Guardian) puts the original bytes back from the journal. Each
# trial: start the program, attach, wait a random time (from before the attach is done to well after),
# SIGKILL probe4j's JVM, give the guardian a second, then check that the program still runs, untraced,
# and runs on for another half second. Sourced by bench/run (--only sigkill).

SIGKILL_ROWS=(hot warm)
SIGKILL_TRIALS=${SIGKILL_TRIALS:-50} SIGKILL_LATEST=4
declare -A SK SK_REASON SK_CMD # SK[ROW] = "trials survived sigtrap other killed_before_attached survived_before_attached"

sigkill_label() {
  case $1 in
    hot) echo "\`ticker 1 0\`: one thread calling the probed function in a tight loop (stopped at a hit most of the time)" ;;
    warm) echo "\`ticker 2 1000\`: two threads, each calling it about once a millisecond" ;;
  esac
}

sigkill_args() { case $1 in hot) echo "1 0" ;; warm) echo "2 1000" ;; esac; }

sigkill_measure() {
  local row missing
  missing=$(tool_missing probe4j)
  [ "$SMOKE" = 1 ] && SIGKILL_TRIALS=2 SIGKILL_LATEST=1
  for row in "${SIGKILL_ROWS[@]}"; do
    if [ -n "$missing" ]; then SK_REASON[$row]=$missing; continue; fi
    [ "$SMOKE" = 1 ] || sigkill_latest "$row"
    sigkill_row "$row"
  done
}

# Kill moments reach 2 s past the time this machine takes to attach now (one run, killed once attached),
# so that most kills meet the probes in place, not the JVM still starting.
sigkill_latest() { # ROW
  local target jvm t0 i
  "$BIN_DIR/ticker" $(sigkill_args "$1") &
  target=$!
  : >"$WORK/sigkill.err"
  t0=$SECONDS
  $PROBE4J trace -o /dev/null "p:sk_tick $BIN_DIR/ticker:tick" -p "$target" 2>"$WORK/sigkill.err" &
  jvm=$!
  for ((i = 0; i < 6000; i++)); do grep -q "attached to process" "$WORK/sigkill.err" && break; sleep 0.01; done
  SIGKILL_LATEST=$((SECONDS - t0 + 2))
  kill -TERM "$jvm"; wait "$jvm" 2>/dev/null
  kill -TERM "$target"; wait "$target" 2>/dev/null
}

sigkill_row() { # ROW
  local row=$1 i bin="$BIN_DIR/ticker" target jvm delay status alive state tracer before survived=0 sigtrap=0 other=0 kb=0 sb=0
  local def="p:sk_tick $BIN_DIR/ticker:tick n=%di:u64"
  SK_CMD[$row]="$bin $(sigkill_args "$row") & ./probe4j trace -o /dev/null '$def' -p \$! & sleep RANDOM; kill -9 %2"
  for ((i = 1; i <= SIGKILL_TRIALS; i++)); do
    # shellcheck disable=SC2046
    "$bin" $(sigkill_args "$row") &
    target=$!
    : >"$WORK/sigkill.err"
    $PROBE4J trace -o /dev/null "$def" -p "$target" 2>"$WORK/sigkill.err" &
    jvm=$!
    # from 0.2 s (the JVM still starting) to SIGKILL_LATEST s (attached for 2 s)
    delay=$(awk -v r="$RANDOM" -v l="$SIGKILL_LATEST" 'BEGIN { printf "%.3f", 0.2 + (l - 0.2) * r / 32767 }')
    sleep "$delay"
    before=0
    grep -q "attached to process" "$WORK/sigkill.err" || before=1
    kill -KILL "$jvm" 2>/dev/null # the launcher execs the JVM: the job is the JVM
    wait "$jvm" 2>/dev/null
    sleep 1
    alive=0 state=- tracer=-
    if kill -0 "$target" 2>/dev/null; then
      state=$(awk '{ print $3 }' "/proc/$target/stat" 2>/dev/null)
      tracer=$(awk '/^TracerPid:/ { print $2 }' "/proc/$target/status" 2>/dev/null)
      sleep 0.5
      [ "$state" != Z ] && [ "$tracer" = 0 ] && kill -0 "$target" 2>/dev/null \
        && [ "$(awk '{ print $3 }' "/proc/$target/stat" 2>/dev/null)" != Z ] && alive=1
    fi
    kill -TERM "$target" 2>/dev/null
    wait "$target" 2>/dev/null
    status=$?
    ((kb += before))
    if [ "$alive" = 1 ] && [ "$status" = 143 ]; then
      ((survived++)); ((sb += before))
    elif [ "$status" = 133 ]; then
      ((sigtrap++))
    else
      ((other++))
      log "sigkill, $row, trial $i: killed after ${delay}s; the program: state $state, tracer $tracer, exit status $status"
    fi
  done
  sigkill_drain_notes
  SK[$row]="$SIGKILL_TRIALS $survived $sigtrap $other $kb $sb"
  log "sigkill, $row: ${SK[$row]}"
}

# The guardians' notes are for the next probe4j run to print: one run takes them here, so that they
# do not surprise the user's next probe4j.
sigkill_drain_notes() { $PROBE4J trace -o /dev/null 'p:sk_drain libc:getpid' -- /bin/true >/dev/null 2>&1; }

sigkill_table() {
  local row n s t o kb sb
  echo "| program | trials | ran on unharmed | died of SIGTRAP | other | killed before probe4j said \"attached\": ran on / trials | killed after: ran on / trials |"
  echo "|---|---|---|---|---|---|---|"
  for row in "${SIGKILL_ROWS[@]}"; do
    if [ -n "${SK_REASON[$row]:-}" ] || [ -z "${SK[$row]:-}" ]; then
      echo "| $(sigkill_label "$row") | not available: $(cell "${SK_REASON[$row]:-not run}") | – | – | – | – | – |"
      continue
    fi
    read -r n s t o kb sb <<<"${SK[$row]}"
    echo "| $(sigkill_label "$row") | $n | $s ($(awk -v a="$s" -v b="$n" 'BEGIN { printf "%.0f %%", 100 * a / b }')) | $t | $o | $sb / $kb | $((s - sb)) / $((n - kb)) |"
  done
}

sigkill_section() {
  cat <<EOF
## SIGKILL survival: a killed \`probe4j trace -p\` and the program it traced

\`probe4j trace -o /dev/null 'p:sk_tick BIN/ticker:tick n=%di:u64' -p PID\` on a program that
calls \`tick\` all the time (bench/c/ticker.c), killed with SIGKILL after a random time between 0.2 s
(its JVM still starting) and 2 s after the time a first run took to attach (${SIGKILL_LATEST} s for the last row); the program "ran on unharmed" when, 1 s later,
it runs untraced (no tracer, not a zombie) and still does half a second after, then ends by our
SIGTERM. The guardian takes the breakpoints out; what it cannot save is a thread that was stopped at
a breakpoint (or in a single-step) at the moment of the kill (the kernel delivers the pending SIGTRAP
as it detaches the thread) or that hits a breakpoint before the guardian has restored it (the
guardian is a JVM of its own, started with the first traced process: a kill soon after that meets it
still starting). $SIGKILL_TRIALS trials a program.

$(sigkill_table)
EOF
}

sigkill_unavailable() {
  local r any=0
  for r in "${SIGKILL_ROWS[@]}"; do
    [ -n "${SK_REASON[$r]:-}" ] && { echo "- sigkill, $(sigkill_label "$r"): ${SK_REASON[$r]}"; any=1; }
  done
  return $((1 - any))
}

sigkill_commands() {
  local r
  for r in "${SIGKILL_ROWS[@]}"; do
    [ -n "${SK_CMD[$r]:-}" ] && printf -- '- sigkill, %s:\n  `%s`\n' "$r" "${SK_CMD[$r]}"
  done
  return 0
}
