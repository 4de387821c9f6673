#!/bin/bash
# Runs in the kprobe VM (scripts/kprobe-vm): the kernel's own trace of a set of kprobe definitions (an
# instance and a group of the script's own, written by shell) while probe4j's kernel engine traces the
# same definitions around one command; then what is left in tracefs.
#   kp_vm.sh JAVA CLASSPATH DEFINITIONS_FILE
set -u
JAVA=$1 CP=$2 DEFS=$3
T=/sys/kernel/tracing
O=$T/instances/kp_oracle
while IFS= read -r d; do
  [ -n "$d" ] || continue
  echo "${d/GRP\//kp_oracle/}" >> $T/kprobe_events || echo "@@ ORACLE-REFUSED $d"
done < "$DEFS"
mkdir $O
echo 16384 > $O/buffer_size_kb
echo 1 > $O/events/kp_oracle/enable
"$JAVA" -Xshare:auto -XX:TieredStopAtLevel=1 -cp "$CP" io.probe4j.engine.kernel.KpVmMain "$DEFS" -- /bin/cat /etc/hostname
echo "@@ EXIT $?"
echo 0 > $O/events/kp_oracle/enable
echo "@@ ORACLE"
grep -v '^#' $O/trace
echo "@@ /ORACLE"
rmdir $O
for e in $T/events/kp_oracle/*/; do
  echo "-:kp_oracle/$(basename "$e")" >> $T/kprobe_events
done
echo "@@ AFTER-KPROBE-EVENTS"
cat $T/kprobe_events
echo "@@ /AFTER-KPROBE-EVENTS"
echo "@@ AFTER-INSTANCES"
ls $T/instances
echo "@@ /AFTER-INSTANCES"
