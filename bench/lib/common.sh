# Shared helpers of bench/run: logging, statistics, number formatting, our own tracefs objects.
# Sourced, not run. Everything the benchmark creates in tracefs carries the prefix p4jbench so it
# never touches anyone else's events (tracefs is shared by every user of the machine).

TRACEFS=/sys/kernel/tracing
GROUP="p4jbench_$$"                      # uprobe_events group of this run
INSTANCE="$TRACEFS/instances/p4jbench-$$" # our own ring buffer: the global one is left alone

log() { printf 'bench [%4ss]: %s\n' "$SECONDS" "$*" >&2; }

# Now in microseconds since the epoch (bash 5's $EPOCHREALTIME, same clock as CLOCK_REALTIME).
now_us() { local t=$EPOCHREALTIME; printf '%s\n' "${t/./}"; }

# Reads numbers (one a line) and prints "MEDIAN MIN MAX COUNT"; nothing for no input.
stats() {
  sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) exit
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%s %s %s %d\n", m, v[1], v[NR], NR }'
}

# A number of nanoseconds (or any count) for a table: thousands separated by commas, no decimals
# from 100 up, one decimal below.
fmt_num() {
  awk -v x="$1" 'BEGIN {
    if (x == "" || x !~ /^-?[0-9.eE+-]+$/) { print "?"; exit }
    neg = x < 0; if (neg) x = -x
    if (x < 100) { s = sprintf("%.1f", x) } else {
      s = sprintf("%.0f", x); out = ""
      while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
      s = s out }
    print (neg ? "-" : "") s }'
}

# A whole count with thousands separated by commas.
fmt_int() { fmt_num "$(awk -v x="$1" 'BEGIN { if (x ~ /^-?[0-9.]+$/) printf "%d", x + 100000 - 100000; else print x }')" | sed 's/\.0$//'; }

# Milliseconds with one decimal from microseconds.
fmt_ms() { awk -v x="$1" 'BEGIN { if (x == "") print "?"; else printf "%.1f", x / 1000 }'; }

# A ratio a/b as "×N.NN" (or "–" when b is missing or not positive).
fmt_ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b <= 0) printf "–"; else if (a / b >= 10) printf "×%.0f", a / b; else printf "×%.2f", a / b; print "" }'
}

# Text safe inside a Markdown table cell: one line, no pipes, not too long.
cell() { printf '%s' "$1" | tr '\n|' ' /' | cut -c1-160; }

# The last meaningful line of a command's output: the reason a tool could not run.
reason_of() {
  local file=$1 line
  line=$(grep -v -E -e '^(main_realtime_ns|end_realtime_ns|ns_per_call|maxrss_kb|more_events|first_event_us|eof_us|t0_us|exit_us|status)=' \
    -e '^[[:space:]]*$' -e '^Attaching' -e '^Command (exited with non-zero status|terminated by signal)' "$file" 2>/dev/null | tail -n 1)
  cell "${line:-no output}"
}

# Words as a shell would need them typed (quoted only where needed), for the report.
shell_words() {
  local w out=
  for w in "$@"; do
    if [[ $w =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then out+="$w "; else out+="'${w//\'/\'\\\'\'}' "; fi
  done
  printf '%s\n' "${out% }"
}

# --- tracefs -------------------------------------------------------------------------------------

tracefs_ready() { [ -w "$TRACEFS/uprobe_events" ]; }

# Appends one definition to uprobe_events (never truncates: other people's events live there).
kernel_define() { printf '%s\n' "$1" >> "$TRACEFS/uprobe_events"; }

kernel_instance_create() { [ -d "$INSTANCE" ] || mkdir "$INSTANCE"; }

kernel_enable() { printf '1\n' > "$INSTANCE/events/$GROUP/$1/enable"; }

# Disables and removes the instance, then every event of our group. Safe to call at any time,
# any number of times (also from the EXIT trap).
kernel_cleanup() {
  local f d
  if [ -d "$INSTANCE" ]; then
    for f in "$INSTANCE/events/$GROUP"/*/enable; do
      [ -e "$f" ] && printf '0\n' > "$f" 2>/dev/null
    done
    rmdir "$INSTANCE" 2>/dev/null || log "warning: could not remove $INSTANCE"
  fi
  [ -r "$TRACEFS/uprobe_events" ] || return 0
  for d in $(grep -o "^[pr]:$GROUP/[^ ]*" "$TRACEFS/uprobe_events" 2>/dev/null); do
    printf '%s\n' "-:${d#?:}" >> "$TRACEFS/uprobe_events" 2>/dev/null || log "warning: could not remove event ${d#?:}"
  done
}

# File offset of a function (the number uprobe_events takes): its address from the symbol table,
# moved into the file through the LOAD segment that holds it.
# The length in bytes of FUNCTION's first instruction (objdump's bytes of its first line).
first_insn_length() { # FILE FUNCTION
  objdump -d --no-addresses "$1" 2>/dev/null | awk -v f="<$2>:" '
    $1 == f { getline; n = 0; for (i = 1; i <= NF && $i ~ /^[0-9a-f][0-9a-f]$/; i++) n++; print n; exit }'
}

function_offset() { # FILE FUNCTION
  local addr type off va pa fs rest
  addr=$(readelf -sW "$1" | awk -v f="$2" '$4 == "FUNC" && $8 == f { print $2; exit }')
  [ -n "$addr" ] || return 1
  while read -r type off va pa fs rest; do
    [ "$type" = LOAD ] || continue
    if (( 16#$addr >= va && 16#$addr < va + fs )); then
      printf '0x%x\n' $(( 16#$addr - va + off )); return 0
    fi
  done < <(readelf -lW "$1")
  return 1
}
