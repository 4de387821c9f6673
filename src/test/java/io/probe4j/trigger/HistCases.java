package io.probe4j.trigger;

import io.probe4j.engine.kernel.KernelFixtures;
import io.probe4j.testing.Fixtures;
import java.nio.file.Path;
import java.util.List;

/**
 * The hist tests' fixture ({@code src/test/c/hist_fields.c}), its events, and the triggers written to the
 * kernel and to probe4j: valid ones of every kind, and the mistakes the kernel refuses (with and without an
 * {@code error_log} entry).
 */
final class HistCases {
    /**
     * Entry probe on record() with a field of each kind (not {@code char}: 6.1 has no such type); the return; a
     * second entry probe to switch on and off. ({@code common_flags} is left out of the keys: a trace line shows
     * {@code d} where both irqs-off and irqs-nosupport are set, and the kernel engine cannot tell; nor is
     * {@code common_type}: probe4j's events have no kernel event id.)
     */
    static final String REC_ARGS = "seq=%di:u32 v=%si:s64 vu=%si:u64 v32=%si:s32 v16=%si:u16 v8=%si:s8"
            + " name=+0(%dx):string small=%cx:u8 x=%si:x32 arr=+0(%dx):u8[4] arr3=+0(%dx):u8[3]";

    private HistCases() {
    }

    static Path fixture() {
        return Fixtures.compile("hist_fields.c");
    }

    private static List<String> definitions;

    /** The definitions, group {@code histo}: rec and ret on record(), rec2 on tick(). */
    static synchronized List<String> definitions() {
        if (definitions == null) {
            Path bin = fixture();
            String at = bin + ":0x" + Long.toHexString(KernelFixtures.fileOffset(bin, "record"));
            definitions = List.of("p:histo/rec " + at + " " + REC_ARGS, "r:histo/ret " + at + " rv=$retval:s64",
                    "p:histo/rec2 " + bin + ":0x" + Long.toHexString(KernelFixtures.fileOffset(bin, "tick")) + " seq=%di:u32");
        }
        return definitions;
    }

    /** Hist triggers of rec that the kernel takes, over deterministic fields (no timestamps). */
    static final List<String> VALID_HISTS = List.of(
            "hist:keys=seq", "hist:keys=v", "hist:key=v32:val=vu", "hist:keys=v16:values=v,small", "hist:keys=name",
            "hist:keys=name,v8", "hist:keys=name,v8,small", "hist:keys=v.log2", "hist:keys=vu.log2:sort=vu",
            "hist:keys=v32.log2:vals=v32:sort=v32.descending", "hist:keys=v.buckets=100000000000000000",
            "hist:keys=small.bucket=10:sort=small.descending", "hist:keys=small.buckets=0x20:vals=v8,vu",
            "hist:keys=v.hex", "hist:keys=name.hex", "hist:keys=x.sym", "hist:keys=vu.sym-offset",
            "hist:keys=__probe_ip.sym", "hist:keys=__probe_ip.sym-offset,small", "hist:keys=common_pid.execname",
            "hist:keys=common_pid.execname,name:vals=small", "hist:keys=common_pid", "hist:keys=common_preempt_count,small",
            "hist:keys=arr", "hist:keys=small,arr:vals=arr",
            "hist:keys=seq:vals=v.hex", "hist:keys=small:vals=v.percent,vu.graph", "hist:keys=name:vals=seq.percent,small.graph",
            "hist:keys=name:vals=small.percentile", "hist:keys=name:sort=hitcount.descending", "hist:keys=name:sort=hitcount,name",
            "hist:keys=name,small:sort=name,small.descending", "hist:keys=small:vals=v:sort=v.descending,small",
            "hist:keys=v8:vals=v16:sort=v16,v8.descending", "hist:keys=name:sort=name.ascending", "hist:keys=v8:sort=v8",
            "hist:keys=v16:sort=v16.descending", "hist:keys=v32:sort=v32", "hist:keys=x:sort=x.descending",
            "hist:keys=arr:sort=arr.descending", "hist:keys=seq:size=128", "hist:keys=seq.buckets=7:size=100",
            "hist:keys=small:size=3000", "hist:keys=name,small:name=named1", "hist:keys=name.usecs",
            "hist:keys=5", "hist:keys=small:vals=7", "hist:keys=a.b.seq:sort=seq", "hist:keys=seq:clock=mono",
            "hist:keys=name:vals=hitcount if small > 100", "hist:keys=name:vals=v if name ~ \"a*\"",
            "hist:keys=v8.log2:vals=v8", "hist:keys=seq:keys=small", "hist:keys=v.sym-offset:sort=v",
            "hist:keys=seq:vals=hitcount,v,hitcount", "hist:keys=small:vals=v,vu,hitcount",
            "hist:keys=v32.buckets=1000:sort=v32.descending,hitcount", "hist:keys=small:pause");

    /**
     * Valid hists keyed by CPU: compared as writes only, not as tables. Each probe of a hit reads the CPU when its
     * handler runs, and a task can move between two of them (the kernel's uprobe handlers may sleep), so the
     * oracle's probe and probe4j's may see different CPUs for one hit.
     */
    static final List<String> CPU_HISTS = List.of("hist:keys=common_cpu", "hist:keys=cpu,name", "hist:keys=CPU,seq",
            "hist:keys=common_cpu.hex:sort=common_cpu");

    /**
     * Trigger writes compared one case at a time (each case starts from empty trigger files): the valid hists,
     * other triggers, mistakes, and sequences of writes where the earlier ones decide what the last does.
     */
    static List<List<String[]>> parseCases() {
        List<List<String[]>> out = new java.util.ArrayList<>();
        for (String[] c : single()) {
            out.add(List.<String[]>of(c));
        }
        for (String[] seq : SEQUENCES) {
            List<String[]> writes = new java.util.ArrayList<>();
            for (int i = 0; i < seq.length; i += 2) {
                writes.add(new String[] {seq[i], seq[i + 1]});
            }
            out.add(writes);
        }
        return out;
    }

    /** Writes in order: {event, trigger, event, trigger, ...}. */
    private static final List<String[]> SEQUENCES = List.of(
            new String[] {"rec", "hist:name=n1:keys=seq", "rec2", "hist:name=n1:keys=seq.hex"},
            new String[] {"rec", "hist:name=n2:keys=seq", "rec2", "hist:name=n2:keys=seq"},
            new String[] {"rec", "hist:name=n3:keys=seq:size=256", "rec2", "hist:name=n3:keys=seq:sort=seq"},
            new String[] {"rec", "hist:name=n4:keys=seq", "rec", "hist:name=n4:keys=seq"},
            new String[] {"rec", "hist:name=n5:keys=seq", "rec", "hist:keys=seq"},
            new String[] {"rec", "hist:keys=seq", "rec", "hist:keys=seq:size=256"},
            new String[] {"rec", "hist:keys=seq", "rec", "hist:keys=seq.buckets=5"},
            new String[] {"rec", "hist:keys=seq.buckets=5", "rec", "hist:keys=seq.buckets=7"},
            new String[] {"rec", "hist:keys=5", "rec", "hist:keys=6"},
            new String[] {"rec", "hist:keys=seq", "rec", "hist:keys=seq:pause"},
            new String[] {"rec", "hist:keys=seq", "rec", "hist:keys=seq:pause", "rec", "hist:keys=seq:cont"},
            new String[] {"rec", "hist:keys=seq", "rec", "hist:keys=seq:clear"},
            new String[] {"rec", "hist:keys=seq if seq > 1", "rec", "hist:keys=seq:pause"},
            new String[] {"rec", "hist:keys=seq if seq > 1", "rec", "hist:keys=seq if seq > 2"},
            new String[] {"rec", "hist:keys=seq if seq > 1", "rec", "hist:keys=seq if seq > 1:pause"},
            new String[] {"rec", "hist:keys=seq", "rec", "hist:keys=v", "rec", "hist:keys=name", "rec", "!hist:keys=v"},
            new String[] {"rec", "hist:keys=seq", "rec", "!hist:keys=seq.hex"},
            new String[] {"rec", "hist:name=n6:keys=seq", "rec2", "hist:name=n6:keys=seq", "rec", "!hist:name=n6:keys=seq"},
            new String[] {"rec", "hist:keys=seq:pause", "rec", "hist:keys=seq:pause"},
            new String[] {"rec", "traceon", "rec", "traceoff"},
            new String[] {"rec", "traceon", "rec", "traceon:3"},
            new String[] {"rec", "traceoff:2", "rec", "!traceon"},
            new String[] {"rec", "traceon", "rec", "enable_event:histo:rec2", "rec", "hist:keys=seq", "rec", "traceoff:1"},
            new String[] {"rec", "enable_event:histo:rec2", "rec", "enable_event:histo:rec2:2"},
            new String[] {"rec", "enable_event:histo:rec2", "rec", "disable_event:histo:rec2"},
            new String[] {"rec", "enable_event:histo:rec2", "rec", "enable_event:histo:ret", "rec", "enable_hist:histo:rec2"},
            new String[] {"rec", "enable_hist:histo:ret", "rec", "disable_hist:histo:ret"},
            new String[] {"rec", "enable_event:histo:rec2", "rec", "!enable_event:histo:rec2:unlimited"},
            new String[] {"ret", "hist:keys=rv", "ret", "hist:keys=rv.hex", "ret", "traceon if rv > 0", "ret", "hist:keys=rv:pause"},
            new String[] {"rec", "hist:keys=common_timestamp.usecs", "rec", "hist:keys=common_timestamp.usecs:clock=bogus"});

    private static List<String[]> single() {
        List<String[]> out = new java.util.ArrayList<>();
        VALID_HISTS.forEach(h -> out.add(new String[] {"rec", h}));
        CPU_HISTS.forEach(h -> out.add(new String[] {"rec", h}));
        for (String t : List.of(
                // valid triggers of other kinds, and their read-back
                "traceon", "traceoff", "traceon:5", "traceoff:0", "traceon:0x10", "traceon:5:junk", "traceon:5 if seq > 3",
                "traceon if seq > 3", "traceoff if  name == \"beta\"", "traceon:18446744073709551615", "  traceon  ",
                "traceon\t5", "enable_event:histo:rec2", "enable_event:histo:rec2:3", "disable_event:histo:rec2 if seq == 1",
                "enable_hist:histo:ret", "disable_hist:histo:ret:2", "!traceon", "!hist:keys=seq",
                "hist:keys=common_timestamp.usecs", "hist:keys=small:vals=common_timestamp",
                "hist:keys=small:vals=common_timestamp.usecs:clock=local", "hist:keys=seq:clock=bogus",
                "hist:keys=common_timestamp:clock=bogus",
                // refused with an error_log entry
                "hist:keys=nosuch", "hist:keys=seq.foo", "hist:keys=nosuch.foo", "hist:keys=seq.buckets",
                "hist:keys=seq.buckets=0", "hist:keys=seq.buckets=x", "hist:keys=seq.bucketz", "hist:keys=seq.percent",
                "hist:keys=seq.graph", "hist:keys=seq:vals=v.log2", "hist:keys=seq:vals=v.sym", "hist:keys=seq:vals=v.buckets=10",
                "hist:keys=seq.execname", "hist:keys=comm", "hist:keys=COMM", "hist:keys=seq:vals=hitcount.graph",
                "hist:keys=", "hist:keys=seq:vals=", "hist:keys=seq:sort=", "hist:keys=seq:sort=nosuch",
                "hist:keys=seq:sort=seq.foo", "hist:keys=seq:sort=seq,hitcount,v", "hist:keys=seq:sort=,seq",
                "hist:keys=seq:sort=.descending", "hist:keys=1x", "hist:keys=seq,,v", "hist:keys=s.sym-offset:sort=s.sym-offset",
                "hist:keys=seq.sym-offset:sort=seq.sym-offset", "hist:keys=seq:sort=v", "hist:keys=name:clear",
                "hist:keys=name:cont", "hist:keys=seq.log2:vals=seq.log2", "hist:keys=seq:sort=hitcount.up",
                // refused without one
                "hist:keys=seq:vals=v,vu,small", "hist:keys=seq,v,vu,small", "hist:keys=name,name", "hist:vals=v", "hist",
                "hist:", "hist:keys=seq:size=0", "hist:keys=seq:size=64", "hist:keys=seq:size=131073", "hist:keys=seq:size=x",
                "hist:keys=seq:size=131072", "hist:keys=seq:bogus", "hist:keys=seq if", "hist:keys=seq if nosuch == 1",
                "hist:keys=seq if seq = 1", "hist:keys=seq ifx", "hist:if x", "hist:keys=arr3", "bogus", "traceon:x",
                "traceon:", "traceon if", "traceon if nosuch > 1", "traceon:5 if", "traceon:-1", "traceon:18446744073709551616",
                "traceon:5 iff seq > 1", "enable_event:histo:nosuch", "enable_event:histo", "enable_event", "enable_event:histo:rec2:",
                "enable_event:histo:rec2:x", "hist:keys=seq:name=")) {
            out.add(new String[] {"rec", t});
        }
        out.add(new String[] {"ret", "hist:keys=rv.log2:vals=rv"});
        out.add(new String[] {"ret", "hist:keys=seq"});
        out.add(new String[] {"rec2", "hist:keys=seq.hex:sort=seq"});
        return out;
    }
}
