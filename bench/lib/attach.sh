# Attach and detach of thousands of probes: every function of libc, and 10,000 functions of a large
# library (a JDK's libjvm.so), with the trap engine and the kernel engine, each next to the same run
# with one probe (what is left is the cost of the probes); and what tracefs itself costs to disable
# uprobe events, one event per probe or one event holding them all. Sourced by bench/run.
#
# While kernel-engine probes on libc are enabled, the kernel has them in every process that maps libc
# (other processes' hits are filtered out, not avoided): those runs are kept short.

# ROW -> "probes attach_us detach_us rss_kb hits seized_us released_us" (the last two: the trap engine's
# target's view, "-" otherwise); a row that could not run has ATT_REASON instead
declare -A ATT ATT_REASON ATT_CMD
ATTACH_ROWS=(trap_libc_1 trap_libc trap_jvm_1 trap_jvm inline_libc_1 inline_libc kernel_libc_1 kernel_libc kernel_jvm_1 kernel_jvm)
declare -A TFS TFS_REASON   # tracefs experiment: CONFIG -> "define_us enable_us disable_us remove_us"
TRACEFS_CONFIGS=(each_one_by_one each_by_group each_by_instance one_event)
IDLE_PIDS=() GATE_CHILD=
JVM_PROBES=${JVM_PROBES:-10000} INLINE_PROBES=${INLINE_PROBES:-1000} ATTACH_TIMEOUT=${ATTACH_TIMEOUT:-300} ATTACH_HOLD=0.5
INLINE_ATTACH_ROUNDS=${INLINE_ATTACH_ROUNDS:-7}

attach_measure() {
  local missing
  missing=$(tool_missing probe4j)
  attach_prepare
  if [ "$SMOKE" = 1 ]; then # the one-probe runs only make the others' figures readable
    for r in trap_libc_1 trap_jvm_1 kernel_libc_1 kernel_jvm_1; do ATT_REASON[$r]="not run in a smoke run"; done
  fi
  [ -z "${ATT_REASON[trap_libc_1]:-}" ] && attach_trap trap_libc_1 "$IDLE_C" "p:lc/lone libc:getpid"
  attach_trap trap_libc "$IDLE_C" "p:lc/ libc:$LIBC_GLOB"
  if [ -n "$IDLE_JVM" ]; then
    [ -z "${ATT_REASON[trap_jvm_1]:-}" ] && attach_trap trap_jvm_1 "$IDLE_JVM" "$(head -n 1 "$WORK/jvm.defs")"
    attach_trap trap_jvm "$IDLE_JVM" --file "$WORK/jvm.defs"
  fi
  [ "$SMOKE" = 1 ] && ATT_REASON[inline_libc_1]="not run in a smoke run"
  if attach_inline_defs; then
    # the issue's figure: runs alternated, one probe then 1,000, and each row's median (a single run
    # swings by 100 ms and more on this VM)
    local round one=() many=()
    for ((round = 0; round < INLINE_ATTACH_ROUNDS; round++)); do
      # a run that fell back to the trap engine leaves no ATT entry, but its reason (a smoke run sets one
      # before: it runs no one-probe row)
      if [ "$SMOKE" != 1 ] && attach_inline inline_libc_1 "$IDLE_C" "$(head -n 1 "$WORK/inline.defs")" \
        && [ -n "${ATT[inline_libc_1]:-}" ]; then
        one+=("${ATT[inline_libc_1]}")
      fi
      attach_inline inline_libc "$IDLE_C" --file "$WORK/inline.defs" && [ -n "${ATT[inline_libc]:-}" ] && many+=("${ATT[inline_libc]}")
    done
    # the median of the runs that worked; a reason only for a row none of whose runs did
    [ ${#one[@]} -gt 0 ] && { ATT[inline_libc_1]=$(attach_median "${one[@]}"); unset "ATT_REASON[inline_libc_1]"; }
    [ ${#many[@]} -gt 0 ] && { ATT[inline_libc]=$(attach_median "${many[@]}"); unset "ATT_REASON[inline_libc]"; }
    # the target's view, from one more run of each row
    [ ${#one[@]} -gt 0 ] && attach_target_view inline_libc_1 attach_inline inline_libc_1 "$IDLE_C" "$(head -n 1 "$WORK/inline.defs")"
    [ ${#many[@]} -gt 0 ] && attach_target_view inline_libc attach_inline inline_libc "$IDLE_C" --file "$WORK/inline.defs"
  fi
  if [ -n "$missing" ]; then
    for r in kernel_libc_1 kernel_libc kernel_jvm_1 kernel_jvm; do ATT_REASON[$r]=$missing; done
    for c in "${TRACEFS_CONFIGS[@]}"; do TFS_REASON[$c]=$missing; done
  else
    [ -z "${ATT_REASON[kernel_libc_1]:-}" ] && attach_kernel_launch kernel_libc_1 "p:lc/lone libc:getpid"
    attach_kernel_launch kernel_libc "p:lc/ libc:$LIBC_GLOB"
    if [ -n "$IDLE_JVM" ]; then
      [ -z "${ATT_REASON[kernel_jvm_1]:-}" ] && attach_kernel_wide kernel_jvm_1 "$(head -n 1 "$WORK/jvm.defs")"
      attach_kernel_wide kernel_jvm --file "$WORK/jvm.defs"
      tracefs_disable_measure
    fi
  fi
  attach_stop_idle
}

# The targets: an idle C program (it maps libc) and an idle JVM (it maps libjvm), and JVM_PROBES
# definitions on that libjvm from `probe4j parse`'s expansion of a wildcard (the kernel's form, file
# offsets; unprobeable first instructions already left out).
attach_prepare() {
  LIBC_GLOB='*' JVM_GLOB='*'
  [ "$SMOKE" = 1 ] && { LIBC_GLOB='mem*'; JVM_GLOB='JNI_*'; JVM_PROBES=3; INLINE_PROBES=3; ATTACH_HOLD=0.05; INLINE_ATTACH_ROUNDS=1; }
  sleep 600 </dev/null >/dev/null 2>&1 &
  IDLE_C=$! IDLE_PIDS+=("$!")
  IDLE_C_CMD="sleep 600"
  # a libjvm other than the one probe4j runs on, if the machine has one: probe4j's own JVM is then never probed
  local own jdk
  own=$(readlink -f "${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}")
  JVM_HOME=
  for jdk in /usr/lib/jvm/*/; do
    jdk=$(readlink -f "$jdk")
    [ -f "$jdk/lib/server/libjvm.so" ] && [ -x "$jdk/bin/java" ] || continue
    [ -z "$JVM_HOME" ] && JVM_HOME=$jdk
    [ "$jdk" != "$own" ] && { JVM_HOME=$jdk; break; }
  done
  IDLE_JVM=
  if [ -z "$JVM_HOME" ]; then
    ATT_JVM_REASON="no JDK with lib/server/libjvm.so under /usr/lib/jvm"
  else
    LIBJVM="$JVM_HOME/lib/server/libjvm.so"
    mkdir -p "$WORK/idle"
    printf 'public class Idle { public static void main(String[] a) throws Exception { System.out.println("idle"); Thread.sleep(600_000); } }\n' >"$WORK/Idle.java"
    if ! "$own/bin/javac" --release 11 -d "$WORK/idle" "$WORK/Idle.java" 2>"$WORK/javac.err"; then
      ATT_JVM_REASON="javac: $(reason_of "$WORK/javac.err")"
    elif ! $PROBE4J parse "p:jvm/ $LIBJVM:$JVM_GLOB" >"$WORK/jvm.all" 2>"$WORK/jvm.parse.err" \
        || ! head -n "$JVM_PROBES" "$WORK/jvm.all" >"$WORK/jvm.defs" || [ "$(wc -l <"$WORK/jvm.defs")" -lt "$JVM_PROBES" ]; then
      ATT_JVM_REASON="probe4j parse '$LIBJVM:$JVM_GLOB': $(reason_of "$WORK/jvm.parse.err")"
    else
      "$JVM_HOME/bin/java" -cp "$WORK/idle" Idle >"$WORK/idle.out" 2>&1 </dev/null &
      IDLE_JVM=$! IDLE_PIDS+=("$!")
      IDLE_JVM_CMD="$JVM_HOME/bin/java -cp idle Idle"
      local waited
      for ((waited = 0; waited < 3000; waited++)); do grep -q idle "$WORK/idle.out" 2>/dev/null && break; sleep 0.01; done
    fi
  fi
  if [ -z "$IDLE_JVM" ]; then
    for r in trap_jvm_1 trap_jvm kernel_jvm_1 kernel_jvm; do ATT_REASON[$r]=${ATT_JVM_REASON:-the idle JVM did not start}; done
    for c in "${TRACEFS_CONFIGS[@]}"; do TFS_REASON[$c]=${ATT_JVM_REASON:-the idle JVM did not start}; done
  fi
}

attach_stop_idle() {
  local p
  for p in "${IDLE_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  IDLE_PIDS=()
}

# Runs probe4j (ARGS...) in the background with each line of its stderr stamped with the time it
# arrived, waits for the line matching READY, holds the probes a moment, then SIGTERM: the stop a
# script or Ctrl-C gives. With WATCH_PID set, tracerwatch (bench/c) records when that process got its
# tracer (the trap engine's seize: before it, probe4j's JVM starts and parses; after it, the probes go
# in) and when it was let go (after the SIGTERM: every breakpoint out, the process runs untraced).
# Fills ATT[ROW] (or ATT_REASON[ROW]).
attach_stopped_by_signal() { # ROW READY ARGS...
  local row=$1 ready=$2 err="$WORK/attach.err" out="$WORK/attach.out" pid t0 t_ready= t_stop t_end rss i
  local watcher= seized=- released=-
  shift 2
  : >"$err"
  if [ -n "${WATCH_PID:-}" ]; then
    "$BIN_DIR/tracerwatch" "$WATCH_PID" >"$WORK/watch.out" 2>&1 &
    watcher=$!
  fi
  # stderr read as it comes, each line stamped, the ready line noticed by a blocking read: polling a
  # file with grep and sleep took a core's worth of process starts from the JVM it timed (an attach
  # measured so was twice as long as one waited for so)
  local line drain
  t0=${EPOCHREALTIME/./}
  coproc ATTACH_ERR { exec $PROBE4J "$@" --profile -o "$out" 2>&1 >/dev/null; }
  pid=$ATTACH_ERR_PID
  exec {drain}<&"${ATTACH_ERR[0]}"
  while IFS= read -r -t "$ATTACH_TIMEOUT" line <&"$drain"; do
    printf '%s %s\n' "${EPOCHREALTIME/./}" "$line" >>"$err"
    [[ $line == *"$ready"* ]] && { t_ready=${EPOCHREALTIME/./}; break; }
  done
  # the rest of stderr (the detach's lines), stamped as before, until probe4j closes it
  (while IFS= read -r line; do printf '%s %s\n' "${EPOCHREALTIME/./}" "$line"; done <&"$drain" >>"$err") &
  local drainer=$!
  exec {drain}<&-
  if [ -z "$t_ready" ]; then
    kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; wait "$drainer"
    [ -n "$watcher" ] && { kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null; }
    ATT_REASON[$row]="probe4j did not get ready: $(reason_of <(cut -d' ' -f2- "$err"))"
    return 1
  fi
  sleep "$ATTACH_HOLD"
  rss=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$pid/status" 2>/dev/null)
  t_stop=${EPOCHREALTIME/./}
  kill -TERM "$pid"
  wait "$pid"
  t_end=${EPOCHREALTIME/./}
  wait "$drainer"
  if [ -n "$watcher" ]; then
    for ((i = 0; i < 200; i++)); do kill -0 "$watcher" 2>/dev/null || break; sleep 0.005; done
    kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null
    seized=$(sed -n 's/^traced //p' "$WORK/watch.out"); released=$(sed -n 's/^released //p' "$WORK/watch.out")
    seized=$([ -n "$seized" ] && echo $((t_ready - seized)) || echo -)
    released=$([ -n "$released" ] && echo $((released - t_stop)) || echo -)
  fi
  ATT[$row]="$(attach_probe_count) $((t_ready - t0)) $((t_end - t_stop)) ${rss:--} $(attach_hits "$out") $seized $released"
}

# How many probes the run had: the summary line of a wildcard, else the definitions given.
attach_probe_count() {
  local n
  n=$(sed -n 's/.*: \([0-9]*\) probed.*/\1/p' "$WORK/attach.err" | head -n 1)
  [ -n "$n" ] && { echo "$n"; return; }
  grep -c '' "$WORK/attach.profile.defs" 2>/dev/null || echo 1
}

# The hits of a --profile output (uprobe_profile layout: path, event, hits).
attach_hits() { awk 'NF == 3 && $3 ~ /^[0-9]+$/ { n += $3 } END { print n + 0 }' "$1" 2>/dev/null; }

attach_defs_note() { # ARGS... -> records the definitions count for attach_probe_count
  if [ "$1" = --file ]; then cp "$2" "$WORK/attach.profile.defs"; else printf '%s\n' "$@" >"$WORK/attach.profile.defs"; fi
}

attach_trap() { # ROW PID DEFINITION... (or --file FILE)
  local row=$1 pid=$2
  shift 2
  log "attach: $row"
  attach_defs_note "$@"
  ATT_CMD[$row]="./probe4j trace --profile -o OUT $(shell_words "$@") -p PID  # then kill -TERM"
  WATCH_PID=${WATCH:+$pid} attach_stopped_by_signal "$row" "attached to process" trace "$@" -p "$pid" || return 1
  [ -n "${WATCH:-}" ] || attach_target_view "$row" attach_trap "$row" "$pid" "$@"
}

# The target's view of a row already measured (ATT[ROW]): when it got its tracer and when it was let go,
# from one more run (FUNCTION ARGS..., with WATCH set) with tracerwatch, put into the row's fields 6 and 7.
# The other fields come from runs without it: polling /proc every millisecond takes CPU from the tracer
# being timed (measured here, alternated: an inline attach of 1,000 probes 20-30 ms later with it).
attach_target_view() { # ROW FUNCTION ARGS...
  local row=$1 measured
  shift
  measured=${ATT[$row]:-}
  [ -n "$measured" ] || return 0
  WATCH=1 "$@" || { ATT[$row]=$measured; unset "ATT_REASON[$row]"; return 0; }
  local watched=(${ATT[$row]:-}) fields=($measured)
  [ ${#watched[@]} -ge 7 ] && fields[5]=${watched[5]} fields[6]=${watched[6]}
  ATT[$row]="${fields[*]}"
  unset "ATT_REASON[$row]"
}

# INLINE_PROBES libc functions that the inline engine takes (WORK/inline.defs): `probe4j parse`'s
# expansion of libc:*, without those a first attach to the idle process says run on the trap engine
# (too short for the jump, a jump through a register nearby: see the README), so that the row times
# inline probes only.
attach_inline_defs() {
  local err="$WORK/inline.try.err" pid i
  if ! $PROBE4J parse "p:il/ libc:$LIBC_GLOB" >"$WORK/inline.all" 2>"$WORK/inline.parse.err"; then
    ATT_REASON[inline_libc]="probe4j parse 'libc:$LIBC_GLOB': $(reason_of "$WORK/inline.parse.err")"
    ATT_REASON[inline_libc_1]=${ATT_REASON[inline_libc]}
    return 1
  fi
  if [ "$SMOKE" = 1 ]; then # no time for the first attach: a smoke run's figures mean nothing anyway
    head -n "$INLINE_PROBES" "$WORK/inline.all" >"$WORK/inline.defs"
    INLINE_FELL_BACK=0
    return 0
  fi
  $PROBE4J trace --engine inline -o /dev/null --file "$WORK/inline.all" -p "$IDLE_C" >/dev/null 2>"$err" &
  pid=$!
  for ((i = 0; i < ATTACH_TIMEOUT * 20; i++)); do
    grep -q "attached to process" "$err" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  kill -TERM "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  sed -n 's/^probe4j: \(il\/[^ ]*\) runs on the trap engine.*/\1 /p' "$err" >"$WORK/inline.fallback"
  grep -v -F -f "$WORK/inline.fallback" "$WORK/inline.all" | head -n "$INLINE_PROBES" >"$WORK/inline.defs"
  INLINE_FELL_BACK=$(grep -c '' "$WORK/inline.fallback")
  if [ ! -s "$WORK/inline.defs" ]; then
    ATT_REASON[inline_libc]="no libc function the inline engine takes: $(reason_of "$err")"
    ATT_REASON[inline_libc_1]=${ATT_REASON[inline_libc]}
    return 1
  fi
}

# The inline engine attaching to the idle process: ready at its "attached" line, written once every
# probe is patched in; stopped by SIGTERM (every byte restored). A row whose probes fell back is not one.
# The median of each field of ATT rows ("probes attach_us detach_us ..."), over the runs that have it
# ("-" where none has).
attach_median() { # ROW_VALUE...
  printf '%s\n' "$@" | awk '{ for (i = 1; i <= NF; i++) v[i, NR] = $i; n = NF } END {
    for (i = 1; i <= n; i++) {
      m = 0; for (r = 1; r <= NR; r++) if (v[i, r] != "-") a[++m] = v[i, r]
      if (m == 0) { out = out (i > 1 ? " " : "") "-"; continue }
      for (x = 1; x <= m; x++) for (y = x + 1; y <= m; y++) if (a[y] + 0 < a[x] + 0) { t = a[x]; a[x] = a[y]; a[y] = t }
      med = m % 2 ? a[(m + 1) / 2] : int((a[m / 2] + a[m / 2 + 1]) / 2)
      out = out (i > 1 ? " " : "") med
    }
    print out }'
}

attach_inline() { # ROW PID DEFINITION... (or --file FILE)
  local row=$1 pid=$2
  shift 2
  log "attach: $row"
  attach_defs_note "$@"
  ATT_CMD[$row]="./probe4j trace --engine inline --profile -o OUT $(shell_words "$@") -p PID  # then kill -TERM"
  WATCH_PID=${WATCH:+$pid} attach_stopped_by_signal "$row" "attached to process" trace --engine inline "$@" -p "$pid" || return 1
  if grep -q "runs on the trap engine" "$WORK/attach.err"; then
    ATT_REASON[$row]="$(grep -c "runs on the trap engine" "$WORK/attach.err") probe(s) fell back to the trap engine: $(grep -m 1 "runs on the trap engine" "$WORK/attach.err" | cut -d' ' -f2-)"
    unset "ATT[$row]"
  fi
}

# The kernel engine tracing every process (the idle JVM is the only one that maps its libjvm): ready
# when it says so, once every probe is enabled; stopped by SIGTERM.
attach_kernel_wide() { # ROW DEFINITION... (or --file FILE)
  local row=$1
  shift
  log "attach: $row"
  attach_defs_note "$@"
  ATT_CMD[$row]="./probe4j trace --engine kernel --profile -o OUT $(shell_words "$@")  # then kill -TERM"
  attach_stopped_by_signal "$row" "tracing every process" trace --engine kernel "$@"
}

# The kernel engine with `-- target startup` (libc probes system-wide would trap every libc call of the
# machine into the output): probes in place when the target reaches main (it is released only then);
# removed when probe4j exits after the target.
attach_kernel_launch() { # ROW DEFINITION...
  local row=$1 out="$WORK/attach.launch" bin t0 main end t_end rc
  shift
  log "attach: $row"
  attach_defs_note "$@"
  bin=$(target_bin plain)
  ATT_CMD[$row]="./probe4j trace --engine kernel --profile -o OUT $(shell_words "$@") -- $bin startup"
  t0=${EPOCHREALTIME/./}
  timeout -k 5 "$ATTACH_TIMEOUT" $PROBE4J trace --engine kernel --profile -o "$WORK/attach.out" "$@" -- "$bin" startup \
    >"$out" 2>"$WORK/attach.err"
  rc=$?
  t_end=${EPOCHREALTIME/./}
  main=$(sed -n 's/^main_realtime_ns=//p' "$out"); end=$(sed -n 's/^end_realtime_ns=//p' "$out")
  if [ "$rc" != 0 ] || [ -z "$main" ] || [ -z "$end" ]; then
    ATT_REASON[$row]="exit $rc: $(reason_of "$WORK/attach.err")"
    return 1
  fi
  ATT[$row]="$(attach_probe_count) $((main / 1000 - t0)) $((t_end - end / 1000)) - $(attach_hits "$WORK/attach.out") - -"
}

# What tracefs costs, from bash: N probes on libjvm (where the idle JVM has them installed) defined as
# N events or as one event of N probes (same arguments: the kernel appends them), enabled in an
# instance of ours, then disabled one event at a time, by group, by removing the instance, or the one
# event; then the definitions removed.
tracefs_disable_measure() {
  local n=50 config
  [ "$SMOKE" = 1 ] && n=3
  TFS_N=$n
  mapfile -t offs < <(head -n "$n" "$WORK/jvm.defs" | awk '{ split($2, a, ":"); print a[2] }')
  for config in "${TRACEFS_CONFIGS[@]}"; do
    log "attach: tracefs, $config, $n probes"
    tracefs_run "$config" || TFS_REASON[$config]="$(reason_of "$WORK/tracefs.err")"
    kernel_cleanup
  done
}

tracefs_run() { # CONFIG
  local config=$1 i t0 t1 t2 t3 t4 e
  t0=${EPOCHREALTIME/./}
  if [ "$config" = one_event ]; then
    # one write of all the lines: the kernel runs them in turn
    for i in "${!offs[@]}"; do printf 'p:%s/all %s:%s n=\\%d:u32\n' "$GROUP" "$LIBJVM" "${offs[$i]}" "$i"; done \
      >>"$TRACEFS/uprobe_events" 2>"$WORK/tracefs.err" || return 1
  else
    for i in "${!offs[@]}"; do kernel_define "p:$GROUP/e$i $LIBJVM:${offs[$i]}" 2>"$WORK/tracefs.err" || return 1; done
  fi
  t1=${EPOCHREALTIME/./}
  kernel_instance_create 2>"$WORK/tracefs.err" || return 1
  printf '1\n' >"$INSTANCE/events/$GROUP/enable" 2>"$WORK/tracefs.err" || return 1
  t2=${EPOCHREALTIME/./}
  case $config in
    each_one_by_one) for e in "$INSTANCE/events/$GROUP"/e*/enable; do printf '0\n' >"$e"; done ;;
    each_by_group | one_event) printf '0\n' >"$INSTANCE/events/$GROUP/enable" ;;
    each_by_instance) rmdir "$INSTANCE" ;;
  esac
  t3=${EPOCHREALTIME/./}
  [ -d "$INSTANCE" ] && rmdir "$INSTANCE"
  if [ "$config" = one_event ]; then kernel_define "-:$GROUP/all"; else for i in "${!offs[@]}"; do kernel_define "-:$GROUP/e$i"; done; fi
  t4=${EPOCHREALTIME/./}
  TFS[$config]="$((t1 - t0)) $((t2 - t1)) $((t3 - t2)) $((t4 - t3))"
  TFS_CMD="echo 'p:$GROUP/e0 $LIBJVM:${offs[0]}' >> uprobe_events  # ... one event each, or: echo 'p:$GROUP/all $LIBJVM:${offs[0]} n=\\0:u32' ... (one write, one event of all); mkdir instances/X; echo 1 > instances/X/events/$GROUP/enable; then echo 0 > each enable | the group's enable | rmdir instances/X; echo '-:$GROUP/e0' >> uprobe_events ..."
}

attach_label() {
  case $1 in
    trap_libc_1) echo "trap engine, \`-p\` idle \`$IDLE_C_CMD\`, one libc function" ;;
    trap_libc) echo "trap engine, \`-p\` idle \`$IDLE_C_CMD\`, every libc function (\`libc:$LIBC_GLOB\`)" ;;
    trap_jvm_1) echo "trap engine, \`-p\` idle JVM, one libjvm function" ;;
    trap_jvm) echo "trap engine, \`-p\` idle JVM, $(fmt_int "$JVM_PROBES") libjvm functions" ;;
    inline_libc_1) echo "\`--engine inline\`, \`-p\` idle \`$IDLE_C_CMD\`, one libc function" ;;
    inline_libc) echo "\`--engine inline\`, \`-p\` idle \`$IDLE_C_CMD\`, $(fmt_int "$(grep -c '' "$WORK/inline.defs" 2>/dev/null || echo "$INLINE_PROBES")") libc functions it takes inline" ;;
    kernel_libc_1) echo "\`--engine kernel\`, \`-- target startup\`, one libc function" ;;
    kernel_libc) echo "\`--engine kernel\`, \`-- target startup\`, every libc function (\`libc:$LIBC_GLOB\`)" ;;
    kernel_jvm_1) echo "\`--engine kernel\`, every process (the idle JVM), one libjvm function" ;;
    kernel_jvm) echo "\`--engine kernel\`, every process (the idle JVM), $(fmt_int "$JVM_PROBES") libjvm functions" ;;
  esac
}

attach_table() {
  local row probes attach detach rss hits seized released base net
  echo "| run | probes | start → probes in place, ms | of that, for the probes (minus the one-probe run), ms | target seized → probes in place, ms | stop → target runs untraced, ms | stop → all removed, probe4j exited, ms | peak RSS | hits meanwhile |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for row in "${ATTACH_ROWS[@]}"; do
    if [ -n "${ATT_REASON[$row]:-}" ] || [ -z "${ATT[$row]:-}" ]; then
      echo "| $(attach_label "$row") | not available: $(cell "${ATT_REASON[$row]:-not run}") | – | – | – | – | – | – | – |"
      continue
    fi
    read -r probes attach detach rss hits seized released <<<"${ATT[$row]}"
    net=–
    if [[ $row != *_1 ]] && [ -n "${ATT[${row}_1]:-}" ]; then
      base=$(cut -d' ' -f2 <<<"${ATT[${row}_1]}")
      net=$(fmt_ms $((attach - base)))
    fi
    echo "| $(attach_label "$row") | $(fmt_int "$probes") | $(fmt_ms "$attach") | $net | $(attach_ms "$seized") | $(attach_ms "$released") | $(fmt_ms "$detach") | $([ "$rss" = - ] && echo – || echo "$(fmt_int $((rss / 1024))) MiB") | $(fmt_int "$hits") |"
  done
}

attach_ms() { if [ "${1:--}" = - ]; then echo –; else fmt_ms "$1"; fi; }

tracefs_label() {
  case $1 in
    each_one_by_one) echo "$TFS_N events of one probe, disabled one at a time" ;;
    each_by_group) echo "$TFS_N events of one probe, disabled by their group's \`enable\`" ;;
    each_by_instance) echo "$TFS_N events of one probe, disabled by removing the instance" ;;
    one_event) echo "one event of $TFS_N probes (defined in one write), disabled" ;;
  esac
}

tracefs_table() {
  local c define enable disable remove
  echo "| uprobe events in tracefs, from bash | define, ms | enable, ms | disable, ms | remove, ms |"
  echo "|---|---|---|---|---|"
  for c in "${TRACEFS_CONFIGS[@]}"; do
    if [ -n "${TFS_REASON[$c]:-}" ] || [ -z "${TFS[$c]:-}" ]; then
      echo "| $(tracefs_label "$c") | not available: $(cell "${TFS_REASON[$c]:-not run}") | – | – | – |"
      continue
    fi
    read -r define enable disable remove <<<"${TFS[$c]}"
    echo "| $(tracefs_label "$c") | $(fmt_ms "$define") | $(fmt_ms "$enable") | $(fmt_ms "$disable") | $(fmt_ms "$remove") |"
  done
}

# The report's section (sourced by report.sh).
attach_section() {
  local lib="${LIBJVM:-the libjvm.so of a JDK}"
  cat <<EOF
## Attach and detach: thousands of probes

Every function of libc (\`p:lc/ libc:$LIBC_GLOB\`: one probe per address, indirect functions and
unprobeable first instructions left out by the wildcard), and $(fmt_int "$JVM_PROBES") functions of $lib
(the first $(fmt_int "$JVM_PROBES") of \`probe4j parse 'p:jvm/ LIBJVM:*'\`, in a \`--file\`, one
definition a line). Each run is next to the same run with one probe, so the difference is what the
probes cost beyond starting the JVM, parsing and tracing at all. The trap engine attaches with \`-p\` to
an idle process that maps the library (\`$IDLE_C_CMD\`; a JVM sleeping in \`main\`, whose own threads hit
libjvm functions while probed); "in place" is its "attached" line on stderr, "stop" a SIGTERM. The
inline engine attaches to the same idle process with $(fmt_int "$INLINE_PROBES") libc functions it takes inline (the
first of \`probe4j parse 'p:il/ libc:$LIBC_GLOB'\` but the ${INLINE_FELL_BACK:-?} that a first attach said run on the
trap engine), "in place" being its "attached" line, written once every jump is patched in; the issue
asks for ≤ 100 ms for 1,000 of them, the figure of the "for the probes" column. Its two rows are each the
median, field by field, of $INLINE_ATTACH_ROUNDS runs alternated with the other row's (the others: one run each). The
columns "target seized" and "stop → target runs untraced" are the target's view, from one more run of
each row with a watcher that reads the target's \`/proc/PID/status\` every millisecond; the other columns
come from runs without it, as the watcher's polling takes CPU from the tracer it times (on this VM an
inline attach of 1,000 probes came 20-30 ms later with it). The
kernel engine traces every process for libjvm (only the idle JVM maps that libjvm; probe4j runs on
another JDK), "in place" being its "tracing every process" line, written once every event is enabled;
for libc it runs \`target startup\` (every process maps libc), "in place" being the target's \`main\`,
"stop" the target's end. Beyond 64 definitions the kernel engine puts the definitions with the same
arguments into one kernel event (a hidden argument tells them apart): the kernel disables an event's
probes with one synchronisation, about 50 ms on this machine, and each event costs its own, so ending
thousands of one-probe events would take minutes (the table below).

$(attach_table)

### What tracefs costs to disable uprobe events

Measured from bash on $TFS_N libjvm functions (the idle JVM has the probes
installed): disabling costs the same whichever way the events are disabled, one at a time, all of a group
by its \`enable\` file, or by removing the instance, because the kernel disables event by event; only
fewer events cost less. Several definitions in one write are run line by line by the kernel
(\`trace_parse_run_command\`), which saves only the system calls.

$(tracefs_table)
EOF
}

attach_unavailable() {
  local r c any=0
  for r in "${ATTACH_ROWS[@]}"; do
    [ -n "${ATT_REASON[$r]:-}" ] && { echo "- attach, $(attach_label "$r"): ${ATT_REASON[$r]}"; any=1; }
  done
  for c in "${TRACEFS_CONFIGS[@]}"; do
    [ -n "${TFS_REASON[$c]:-}" ] && { echo "- tracefs, $(tracefs_label "$c"): ${TFS_REASON[$c]}"; any=1; }
  done
  return $((1 - any))
}

attach_commands() {
  local r
  for r in "${ATTACH_ROWS[@]}"; do
    [ -n "${ATT_CMD[$r]:-}" ] && printf -- '- attach, %s:\n  `%s`\n' "$(attach_label "$r")" "${ATT_CMD[$r]}"
  done
  [ -n "${TFS_CMD:-}" ] && printf -- '- tracefs:\n  `%s`\n' "$TFS_CMD"
  [ -n "${IDLE_JVM_CMD:-}" ] && printf -- '- the idle JVM: `%s`\n' "$IDLE_JVM_CMD"
  return 0
}
