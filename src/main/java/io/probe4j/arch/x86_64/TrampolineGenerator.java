package io.probe4j.arch.x86_64;

import static io.probe4j.arch.x86_64.Gpr.RSP;

import io.probe4j.engine.ring.EventLayout;
import io.probe4j.engine.ring.RingLayout;
import io.probe4j.spec.Fetch;
import io.probe4j.spec.FetchArg;
import java.util.List;

/**
 * Generates the trampoline of an entry probe: the code a patched site jumps to, which records one hit
 * into the thread's per-CPU ring without a system call or a stop, then runs the displaced instructions
 * and jumps back.
 *
 * <pre>
 *   lea -128(%rsp),%rsp          step over the red zone
 *   pushf                        only mid-function (the ABI makes the flags dead at a function's entry)
 *   push %rax ... %r8 [%r9-%r11] the registers the code uses; the others are read where they are
 *   measure the strings          (pass 1, before reserving)
 *   CPU: %fs:rseq.cpu_id, or lsl of the per-CPU segment; ring = rings + (cpu &amp; mask) &lt;&lt; shift
 *   if head - tail + size &gt; data - margin: count the record lost, skip it
 *   lock xadd size, head         the reservation; the header (not committed) at once
 *   time-stamp counter, CPU, tid (%fs:tid), pid, the arguments, the strings (pass 2)
 *   movb $..,3(record)           the committed bit: the record is the consumer's
 *   pop ...; popf; lea 128(%rsp),%rsp
 *   the displaced instructions, relocated; jmp back
 * </pre>
 *
 * Loads of the program's memory (and of its thread control block) may fault: each is listed in the
 * trampoline's {@link Trampoline#faults() fault table} with where to go on.
 */
public final class TrampolineGenerator {
    /** Linux's per-CPU GDT entry (GDT_ENTRY_CPUNODE 15, RPL 3): {@code lsl} of it gives {@code node << 12 | cpu}. */
    public static final int CPUNODE_SELECTOR = 15 * 8 + 3;
    /** {@code pause}s a writer waits for room after an overshoot before it writes anyway. */
    static final int OVERSHOOT_SPINS = 1 << 20;

    private TrampolineGenerator() {
    }

    /**
     * Where glibc keeps the thread's identity, as offsets from {@code %fs} found at attach time.
     *
     * @param tidOffset      {@code struct pthread}'s {@code tid}
     * @param rseqCpuOffset  the {@code cpu_id} of the thread's {@code struct rseq} ({@code __rseq_offset + 4}),
     *                       or -1 to read the CPU with {@code lsl} only
     */
    public record ThreadLayout(int tidOffset, int rseqCpuOffset) {
    }

    /** The rings as mapped in the traced process. */
    public record Rings(long address, RingLayout layout) {
    }

    /**
     * One probe: the site, its event, and what it needs to know about its place.
     *
     * @param fileDelta  the probe's run-time address minus its file offset ({@code @+OFF})
     * @param keepFlags  save and restore RFLAGS (needed except at a function's first instruction)
     * @param pidAddress a 4-byte word holding the process id, within ±2 GiB of the trampoline
     *                   (private memory: a fork child gets its own copy, which the tracer updates)
     */
    public record Probe(JumpSite.Patchable site, EventLayout event, long fileDelta, boolean keepFlags, long pidAddress) {
    }

    /** The trampoline of {@code probe}, to be placed at {@code at} (within ±2 GiB of the site). */
    public static Trampoline entry(long at, Probe probe, Rings rings, ThreadLayout thread) {
        return made(at, probe, rings, thread).code();
    }

    /** Code made whole, and the template of its kind it gives ({@link Trampolines}). */
    record Made<T>(T code, Template template) {
    }

    /** What an entry trampoline at {@code at} takes from its place. */
    static Template.Place place(long at, Probe probe) {
        return new Template.Place(at, probe.site().address(), probe.fileDelta(), probe.event().event(), probe.pidAddress(), 0);
    }

    static Made<Trampoline> made(long at, Probe probe, Rings rings, ThreadLayout thread) {
        EventLayout event = probe.event();
        Assembler a = new Assembler(at);
        boolean keepFlags = probe.keepFlags() || readsFlags(event.args());
        Frame frame = new Frame(RecordWriter.registersUsed(event), keepFlags, Frame.RED_ZONE);
        RecordWriter record = new RecordWriter(a, frame, place(at, probe), event, rings);
        save(a, frame);
        record.write(thread, x -> { });
        restore(a, frame);
        int displacedAt = (int) (a.here() - at);
        Displaced.emit(a, probe.site());
        int displacedEnd = (int) (a.here() - at);
        record.slowPaths();
        byte[] code = a.finish();
        Trampoline t = new Trampoline(at, code, probe.site().address(), Displaced.patch(probe.site(), at),
                Displaced.original(probe.site()), record.faults(), a::listing);
        return new Made<>(t, Template.of(a, code, displacedAt, displacedEnd, t.faults()));
    }

    /** Steps over the red zone (or the frame's gap), saves the flags when kept and the frame's registers. */
    static void save(Assembler a, Frame frame) {
        a.lea(RSP, Mem.of(RSP, -frame.gap()));
        if (frame.keepsFlags()) {
            a.pushfq();
        }
        for (Gpr g : frame.pushed()) {
            a.push(g);
        }
    }

    /** Undoes {@link #save}. */
    static void restore(Assembler a, Frame frame) {
        for (int i = frame.pushed().size() - 1; i >= 0; i--) {
            a.pop(frame.pushed().get(i));
        }
        if (frame.keepsFlags()) {
            a.popfq();
        }
        a.lea(RSP, Mem.of(RSP, frame.gap()));
    }

    private static boolean readsFlags(List<FetchArg> args) {
        for (FetchArg arg : args) {
            for (Fetch f = arg.fetch(); f != null; f = f instanceof Fetch.Deref d ? d.base() : null) {
                if (f instanceof Fetch.Register r && r.name().equals("flags")) {
                    return true;
                }
            }
        }
        return false;
    }

}
