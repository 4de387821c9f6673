#!/bin/bash
# Runs inside the kprobe VM (scripts/kprobe-vm): writes every case of CASES to kprobe_events and
# reports what the kernel did, on stdout, for KprobeDifferentialTest to compare with probe4j.
#
#   kprobe-oracle.sh CASES SYMBOLS
#
# CASES: one case a line; a case is one or more definitions separated by " ;; ", written one
# write(2) each, in order, to kprobe_events opened with O_APPEND (bash's >>). After a case every
# event it made is removed again with "-:GROUP/EVENT".
# SYMBOLS: kernel symbol names, one a line, whose kallsyms entries the test needs.
# In a definition, {addr:SYM} and {addr+N:SYM} stand for SYM's address (plus N) in this kernel.
#
# Output, one record a line:
#   K <kernel release>
#   P <possible CPUs, as /sys/devices/system/cpu/possible shows them>
#   M <a loaded module>
#   S <name> <kallsyms entries of that name> <module of the first or -> <its type letter or -> <ftrace:
#     1 if the function is in available_filter_functions (starts with the 5-byte fentry call)> <address>
#   V <group/event> <1 if that event exists (SYMBOLS lines "event:GROUP/EVENT"), else 0>
#   C <case number>
#   W <OK | errno text>           one per definition written
#   E <error_log line>            the entry the write left (none or three lines)
#   L <kprobe_events line>        the listing after the case
#   X <event> <OK | errno text>   the removal of an event after the case
#
# Process creation is slow under software emulation (~0.2 s), so the loop uses bash builtins only.
set -u
T=/sys/kernel/tracing
cases=$1 symbols=$2
read -r release < /proc/sys/kernel/osrelease
echo "K $release"
read -r possible < /sys/devices/system/cpu/possible
echo "P $possible"
while read -r module rest; do echo "M $module"; done < /proc/modules
declare -A addr=()
while read -r tag name count module type ftrace address; do
  if [ "$tag" = S ]; then
    echo "S $name $count $module $type $ftrace $address"
    addr[$name]=$address
  else
    echo "$tag $name $count"
  fi
done < <(awk 'FILENAME == ARGV[1] { if ($1 ~ /^event:/) ev[++m] = substr($1, 7); else { want[$1] = 1; order[++n] = $1 }; next }
     FILENAME == ARGV[2] { sub(/ .*/, ""); if ($1 in want) ft[$1] = 1; next }
     ($3 in want) { c[$3]++; if (c[$3] == 1) { a[$3] = $1; t[$3] = $2; mod[$3] = ($4 == "" ? "-" : substr($4, 2, length($4) - 2)) } }
     END { for (i = 1; i <= n; i++) { s = order[i]
             printf "S %s %d %s %s %d %s\n", s, c[s] + 0, (s in mod ? mod[s] : "-"), (s in t ? t[s] : "-"), (s in ft), (s in a ? a[s] : "-") }
           for (i = 1; i <= m; i++) { e = ev[i]; printf "V %s %d\n", e, (system("test -d /sys/kernel/tracing/events/" e) == 0) } }' \
  "$symbols" "$T/available_filter_functions" /proc/kallsyms)
expand() {   # {addr:SYM} and {addr+N:SYM}: the symbol's address (+N), as 0x%016x
  REPLY=$1
  local pre name plus a
  while [[ $REPLY =~ \{addr(\+([0-9]+))?:([^}]*)\} ]]; do
    pre=${BASH_REMATCH[0]} plus=${BASH_REMATCH[2]:-0} name=${BASH_REMATCH[3]}
    a=${addr[$name]:-0}
    printf -v a '0x%016x' $((0x$a + plus))
    REPLY=${REPLY/"$pre"/$a}
  done
}
err=/dev/shm/oracle-err
errno() {   # the strerror text bash printed for a failed write
  local l
  REPLY=""
  while IFS= read -r l; do
    [[ $l == *"write error: "* ]] && REPLY=${l##*write error: }
  done < "$err"
}
write() {   # writes ONE definition; prints its W and E records
  : > "$T/error_log"
  if printf '%s\n' "$1" 2>"$err" >> "$T/kprobe_events"; then
    echo "W OK"
  else
    errno
    echo "W $REPLY"
  fi
  local l
  while IFS= read -r l; do echo "E $l"; done < "$T/error_log"
}
n=0
while IFS= read -r line; do
  echo "C $n"
  rest=$line
  while :; do
    case "$rest" in
      *" ;; "*) expand "${rest%% ;; *}"; write "$REPLY"; rest=${rest#* ;; } ;;
      *) expand "$rest"; write "$REPLY"; break ;;
    esac
  done
  events=()
  while IFS= read -r l; do
    echo "L $l"
    ev=${l%% *}; ev=${ev#*:}
    [[ " ${events[*]-} " == *" $ev "* ]] || events+=("$ev")
  done < "$T/kprobe_events"
  for ev in "${events[@]}"; do
    if printf '%s\n' "-:$ev" 2>"$err" >> "$T/kprobe_events"; then echo "X $ev OK"; else errno; echo "X $ev $REPLY"; fi
  done
  n=$((n + 1))
done < "$cases"
echo "DONE $n"
