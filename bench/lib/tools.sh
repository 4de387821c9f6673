# How each tool is run on the benchmark target: one function per tool, all with the same contract.
# Sourced by bench/run.
#
#   run_tool TOOL VARIANT MODE N OUTFILE
#     runs `target N` (the VARIANT binary) under TOOL probing target in MODE (entry, return, both),
#     with stdout and stderr in OUTFILE; returns the tool's exit status. Sets RUN_CMD to the command
#     as a user would type it (for the report).
#   tool_missing TOOL  prints why TOOL cannot run on this machine (nothing when it can).
#
# Definitions: the entry probe fetches the two register arguments (a=%di:s32 b=%si:s32), the
# return probe the return value (ret=%ax), exactly as asked of every tool that can.

ENTRY_ARGS='a=%di:s32 b=%si:s32'
RETURN_ARGS='ret=%ax'
TOOL_TIMEOUT=${TOOL_TIMEOUT:-120}

target_bin() { printf '%s/target-%s\n' "$BIN_DIR" "$1"; }

# The target's arguments after N: the thread count of the nop5xT variants (`target N T`), the warm-up of
# nop5w (`target N warm W`: W calls on each CPU first), else none.
WARM_CALLS=${WARM_CALLS:-500000}
target_args() {
  case $1 in
    *x[0-9]*) echo "${1##*x}" ;;
    nop5w) echo "warm $WARM_CALLS" ;;
  esac
}

# The string argument probe's fetch args (the nop5s target: target(const char *s, int b)).
STRING_ARGS='s=+0(%di):string b=%si:s32'

# The definitions of MODE for probe4j (symbol form) or the kernel (GROUP/ and file offset).
definitions() { # MODE BIN PREFIX(empty or GROUP/) LOCATION
  local mode=$1 bin=$2 prefix=$3 loc=$4
  case $mode in
    entry) printf '%s\n' "p:${prefix}bench_entry $bin:$loc $ENTRY_ARGS" ;;
    return) printf '%s\n' "r:${prefix}bench_return $bin:$loc $RETURN_ARGS" ;;
    string) printf '%s\n' "p:${prefix}bench_entry $bin:$loc $STRING_ARGS" ;;
    both) printf '%s\n' "p:${prefix}bench_entry $bin:$loc $ENTRY_ARGS" "r:${prefix}bench_return $bin:$loc $RETURN_ARGS" ;;
  esac
}

events_of_mode() {
  case $1 in entry | string) echo bench_entry ;; return) echo bench_return ;; both) echo bench_entry bench_return ;; esac
}

tool_missing() {
  local tool=$1
  case $tool in
    none) return 0 ;;
    kernel | kernel_cat | probe4j | bpftrace | perf)
      if [ "$(id -u)" != 0 ]; then echo "needs root (tracefs / perf events)"; return 0; fi
      if ! tracefs_ready; then echo "tracefs is not mounted at $TRACEFS"; return 0; fi ;;
  esac
  case $tool in
    bpftrace | perf | ltrace | gdb | uftrace)
      if ! command -v "$tool" >/dev/null 2>&1; then
        echo "not installed${INSTALL_NOTE:+ ($INSTALL_NOTE)}"
      fi ;;
  esac
}

run_tool() {
  local tool=$1 variant=$2 mode=$3 n=$4 out=$5
  local bin off ev rc threads
  bin=$(target_bin "$variant")
  threads=$(target_args "$variant")
  case $tool in
    none)
      RUN_CMD="$bin $n${threads:+ $threads}"
      timeout -k 5 "$TOOL_TIMEOUT" "$bin" "$n" $threads >"$out" 2>&1 ;;
    kernel | kernel_cat)
      off=${OFFSET[$variant]}
      local defs cat_pid=
      mapfile -t defs < <(definitions "$mode" "$bin" "$GROUP/" "$off")
      local inst=${INSTANCE#"$TRACEFS"/}
      RUN_CMD="cd $TRACEFS; $(printf "echo '%s' >> uprobe_events; " "${defs[@]}")mkdir $inst"
      for ev in $(events_of_mode "$mode"); do RUN_CMD+="; echo 1 > $inst/events/$GROUP/$ev/enable"; done
      if [ "$tool" = kernel_cat ]; then RUN_CMD+="; cat $inst/trace_pipe > /dev/null & $bin $n; kill %1"; else RUN_CMD+="; $bin $n${threads:+ $threads}"; fi
      for d in "${defs[@]}"; do kernel_define "$d" 2>"$out" || { kernel_cleanup; return 1; }; done
      kernel_instance_create 2>"$out" || { kernel_cleanup; return 1; }
      for ev in $(events_of_mode "$mode"); do kernel_enable "$ev" 2>"$out" || { kernel_cleanup; return 1; }; done
      if [ "$tool" = kernel_cat ]; then
        cat "$INSTANCE/trace_pipe" >/dev/null 2>&1 &
        cat_pid=$!
      fi
      timeout -k 5 "$TOOL_TIMEOUT" "$bin" "$n" $threads >"$out" 2>&1
      rc=$?
      if [ -n "$cat_pid" ]; then kill "$cat_pid" 2>/dev/null; wait "$cat_pid" 2>/dev/null; fi
      kernel_cleanup
      return $rc ;;
    probe4j | trap)
      local engine=kernel defs
      [ "$tool" = trap ] && engine=trap
      mapfile -t defs < <(definitions "$mode" "$bin" "" target)
      RUN_CMD="./probe4j trace --engine $engine -o /dev/null$(printf " '%s'" "${defs[@]}") -- $bin $n"
      timeout -k 5 "$TOOL_TIMEOUT" $PROBE4J trace --engine "$engine" -o /dev/null "${defs[@]}" -- "$bin" "$n" >"$out" 2>&1 ;;
    ctracer | ctracer_poll | ctracer_cols)
      local opts=()
      [ "$tool" != ctracer ] && opts+=(--poll 100000)
      [ "$tool" = ctracer_cols ] && opts+=(--columns)
      RUN_CMD="minitracer ${opts[*]}${opts[*]:+ }$mode ${OFFSET[$variant]} ${INSN_LEN[$variant]} -- $bin $n"
      timeout -k 5 "$TOOL_TIMEOUT" "$BIN_DIR/minitracer" "${opts[@]}" "$mode" "${OFFSET[$variant]}" "${INSN_LEN[$variant]}" \
        -- "$bin" "$n" >"$out" 2>&1 ;;
    bpftrace)
      local prog="uprobe:$bin:target { @hits = count(); }"
      [ "$mode" = string ] && prog="uprobe:$bin:target { @[str(arg0)] = count(); }"
      RUN_CMD="bpftrace -e '$prog' -c '$bin $n'"
      timeout -k 5 "$TOOL_TIMEOUT" bpftrace -e "$prog" -c "$bin $n" >"$out" 2>&1 ;;
    perf)
      # perf record on the uprobe event we define ourselves, so cleanup stays ours ("perf probe -x"
      # would create the same kind of event under its own group).
      local def
      def=$(definitions entry "$bin" "$GROUP/" "${OFFSET[$variant]}")
      def=${def/bench_entry/perf_entry}
      RUN_CMD="echo '$def' >> uprobe_events; perf record -q -e $GROUP:perf_entry -o perf.data -- $bin $n"
      kernel_define "$def" 2>"$out" || { kernel_cleanup; return 1; }
      timeout -k 5 "$TOOL_TIMEOUT" perf record -q -e "$GROUP:perf_entry" -o "$WORK/perf.data" -- "$bin" "$n" >"$out" 2>&1
      rc=$?
      rm -f "$WORK/perf.data" "$WORK/perf.data.old"
      kernel_cleanup
      return $rc ;;
    uftrace)
      # entry and return of target only (-P patches its -fpatchable-function-entry nops), with both arguments
      RUN_CMD="uftrace record --no-libcall -P target -A 'target@arg1/i32,arg2/i32' -d uftrace.data $bin $n"
      timeout -k 5 "$TOOL_TIMEOUT" uftrace record --no-libcall -P target -A 'target@arg1/i32,arg2/i32' -d "$WORK/uftrace.data" \
        "$bin" "$n" >"$out" 2>&1
      rc=$?
      rm -rf "$WORK/uftrace.data" "$WORK/uftrace.data.old"
      return $rc ;;
    ltrace)
      RUN_CMD="ltrace -L -x target -o ltrace.out $bin $n"
      timeout -k 5 "$TOOL_TIMEOUT" ltrace -L -x target -o "$WORK/ltrace.out" "$bin" "$n" >"$out" 2>&1
      rc=$?
      rm -f "$WORK/ltrace.out"
      return $rc ;;
    gdb)
      local dp='dprintf *target,"bench_entry a=%d b=%d\n",$rdi,$rsi'
      RUN_CMD="gdb -nx -q -batch -ex '$dp' -ex run --args $bin $n"
      timeout -k 5 "$TOOL_TIMEOUT" gdb -nx -q -batch -ex "$dp" -ex run --args "$bin" "$n" >"$out" 2>&1 ;;
    *) echo "unknown tool $tool" >"$out"; return 1 ;;
  esac
}

# The loop's ns per call printed by the target, or nothing.
ns_per_call() { sed -n 's/^.*ns_per_call=\([0-9.]*\).*$/\1/p' "$1" | tail -n 1; }
