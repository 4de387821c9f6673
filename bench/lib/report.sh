# The Markdown report of bench/run: machine, tables, what could not run, exact commands.
# Sourced by bench/run after the measurements.

tool_version() {
  case $1 in
    probe4j) echo "probe4j $(git -C "$repo" rev-parse --short HEAD 2>/dev/null)$(git -C "$repo" diff --quiet HEAD 2>/dev/null || echo '+changes'), $("${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"/bin/java -version 2>&1 | head -n 1)" ;;
    bpftrace) bpftrace --version 2>/dev/null | head -n 1 ;;
    perf) perf --version 2>/dev/null | head -n 1 ;;
    ltrace) ltrace -V 2>/dev/null | head -n 1 ;;
    gdb) gdb --version 2>/dev/null | head -n 1 ;;
    gcc) gcc --version 2>/dev/null | head -n 1 ;;
  esac
}

report() {
  local kind="full run: $ROUNDS rounds, ~${RUN_SECONDS} s a run"
  [ "$SMOKE" = 1 ] && kind="SMOKE run: every configuration once, tiny iteration counts; the figures mean nothing"
  cat <<EOF
# probe4j benchmarks

Written by \`bench/run\` ($kind) on $started; the run took ${elapsed} s. Re-running replaces this file.
Benchmarks, not tests: nothing judges these figures.

## Machine

* CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) cores online; $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) memory
* kernel: $(uname -r) ($(uname -m))
* load average (1, 5, 15 min) at start: $load_start; at end: $load_end. Other jobs (builds, test
  suites) shared these cores during the run, so single runs are noisy: read the medians, and the
  ranges as the noise.
* versions: $(for t in probe4j bpftrace perf ltrace gdb gcc; do v=$(tool_version "$t"); [ -n "$v" ] && printf '%s; ' "$v"; done)

## Overhead per probe hit

\`target-VARIANT N\` (bench/c/target.c, gcc -O2) calls \`int target(int, int)\` N times in a tight
loop and prints the loop's CLOCK_MONOTONIC time per call. Each configuration below ran once a round,
round-robin (the starting configuration rotates each round), after a calibration run that sizes N so a
run takes about ${RUN_SECONDS} s (slow tracers get fewer calls; figures are per call). "ns added" is the
run's ns/call minus the same round's unprobed ns/call of the same binary; median (min–max) over the
rounds. "vs kernel uprobe" divides by the median of the raw kernel uprobe with the same first
instruction and the same probe (entry for the peers). The raw kernel rows write the definitions
into uprobe_events themselves, enable them in a tracefs instance of their own and read nothing
(the kernel's cost alone); probe4j also reads, formats and writes every event (to /dev/null here).
"entry + return" costs two hits a call.

$(overhead_table)

### The trap engine against a minimal C ptrace tracer

\`bench/c/minitracer.c\` is the least a one-stop-per-hit ptrace tracer does: an int3, the displaced
instruction run from a slot it maps into the program, two registers recorded (a return probe:
return address swapped for a trampoline); no output. "Sleeping" waits in waitpid; "polling" first
polls waitpid for 100 µs, as the trap engine does (on a VM an idle vCPU is slow to wake, and a
sleeping tracer is woken on the idle one); "+ TASK/CPU#" also reads, while the program is stopped,
what a trace line needs besides the registers: the thread's name (/proc) and CPU (its rseq area).
The trap engine row is the table's \`--engine trap\` row (trace text to /dev/null). Medians of
the same rounds.

$(ctracer_table)

$(startup_section)

## Throughput

probe4j writing every hit of an entry probe (2 args) on the plain target, $THROUGHPUT_N calls a run,
$THROUGHPUT_ROUNDS rounds interleaved. "Events/s written" = events ÷ time from the target's \`main\` to
probe4j's exit: it includes the final drain of the buffer and probe4j's teardown (JVM exit, and the
kernel's ~50 ms to disable an event). "Produced in the loop" is the rate the traced program made
events at; with nothing lost, probe4j kept up with it. "lost" is what probe4j reports (the kernel's
overrun and dropped counters). Slowdown = traced ns/call ÷ untraced ns/call: the program runs only as
fast as each hit is recorded, so the rate is bounded by the per-hit cost above.

$(throughput_table)

$(attach_section)

$(questions_section)

$(sigkill_section)

$(stacks_section)

## What could not be measured here, and why

$(report_unavailable)

## Commands

Paths as on this machine (\`BIN\` is $BIN_DIR); tracefs at $TRACEFS; every event and instance this run
created is removed after each run, and on exit, Ctrl-C or SIGTERM.

$(overhead_commands)
$(startup_commands)
$(for c in "${THROUGHPUT_CONFIGS[@]}"; do [ -n "${TP_CMD[$c]:-}" ] && printf -- '- throughput, %s:\n  `%s`\n' "$c" "${TP_CMD[$c]}"; done)
$(attach_commands)
$(questions_commands)
$(sigkill_commands)
- this report: \`bench/run$([ "$SMOKE" = 1 ] && echo ' --smoke')\`
EOF
}

report_unavailable() {
  local cfg t c any=0
  for cfg in "${OVERHEAD_CONFIGS[@]}"; do
    [ -n "${REASON[$cfg]:-}" ] && { echo "- overhead, $cfg: ${REASON[$cfg]}"; any=1; }
    [ -n "${FAILS[$cfg]:-}" ] && { echo "- overhead, $cfg: ${FAILS[$cfg]%%:*} run(s) failed: ${FAILS[$cfg]#*:}"; any=1; }
  done
  startup_unavailable && any=1
  [ " ${START[perf|1]:-}" != " " ] && { echo "- start-up, perf: perf record prints no events (they go to perf.data), so no first-event time"; any=1; }
  [ " ${START[perf_stat|1]:-}" != " " ] && { echo "- start-up, perf stat: only counts, printed at the end, so no first-event time"; any=1; }
  for c in "${THROUGHPUT_CONFIGS[@]}"; do
    [ -n "${TP_REASON[$c]:-}" ] && { echo "- throughput, $c: ${TP_REASON[$c]}"; any=1; }
  done
  attach_unavailable && any=1
  questions_unavailable && any=1
  sigkill_unavailable && any=1
  [ "$any" = 0 ] && echo "Everything ran."
}

# One section measured alone (bench/run --only SECTION): the section, when and how it was measured,
# what could not run, its commands.
report_only() { # SECTION
  local kind="rounds, where the section has rounds: $ROUNDS"
  [ "$SMOKE" = 1 ] && kind="SMOKE run, the figures mean nothing"
  "${1}_section"
  echo
  echo "Measured alone by \`bench/run --only $1\` ($kind) on $started in ${elapsed} s, load average $load_start at"
  echo "start and $load_end at end; versions: $(for t in probe4j bpftrace gcc; do v=$(tool_version "$t"); [ -n "$v" ] && printf '%s; ' "$v"; done)"
  if "${1}_unavailable" >"$WORK/only.unavailable"; then
    printf '\nNot measured in this run:\n\n'
    cat "$WORK/only.unavailable"
  fi
  printf '\nCommands:\n\n'
  "${1}_commands"
}

# Replaces the section (a "## " heading and what follows up to the next "## ") of FILE that has the
# heading SECTION_FILE starts with, or puts it before "## What could not be measured" (or at the end).
report_splice() { # FILE SECTION_FILE
  local file=$1 section=$2 heading
  # the section's "## " heading: a section may start with blank lines, and an empty heading would match
  # every blank line of FILE (each would be replaced, and what follows it dropped)
  heading=$(grep -m 1 '^## ' "$section")
  [ -n "$heading" ] || { log "report: no '## ' heading in the section"; return 1; }
  [ -f "$file" ] || : >"$file"
  awk -v heading="$heading" -v section="$section" '
    function put() { while ((getline l < section) > 0) print l; print ""; done = 1 }
    $0 == heading { put(); skip = 1; next }
    skip && /^## / { skip = 0 }
    !done && /^## What could not be measured/ { put() }
    !skip { print }
    END { if (!done) put() }' "$file" >"$file.tmp" && mv "$file.tmp" "$file"
}
