package io.probe4j.arch.x86_64;

import static io.probe4j.arch.x86_64.Assembler.Alu.ADD;
import static io.probe4j.arch.x86_64.Assembler.Alu.AND;
import static io.probe4j.arch.x86_64.Assembler.Alu.CMP;
import static io.probe4j.arch.x86_64.Assembler.Alu.OR;
import static io.probe4j.arch.x86_64.Assembler.Alu.SUB;
import static io.probe4j.arch.x86_64.Assembler.Alu.XOR;
import static io.probe4j.arch.x86_64.Gpr.R10;
import static io.probe4j.arch.x86_64.Gpr.R11;
import static io.probe4j.arch.x86_64.Gpr.R8;
import static io.probe4j.arch.x86_64.Gpr.R9;
import static io.probe4j.arch.x86_64.Gpr.RAX;
import static io.probe4j.arch.x86_64.Gpr.RCX;
import static io.probe4j.arch.x86_64.Gpr.RDI;
import static io.probe4j.arch.x86_64.Gpr.RDX;
import static io.probe4j.arch.x86_64.Gpr.RSI;
import static io.probe4j.arch.x86_64.Gpr.RSP;
import static io.probe4j.arch.x86_64.Width.BYTE;
import static io.probe4j.arch.x86_64.Width.DWORD;
import static io.probe4j.arch.x86_64.Width.QWORD;

import io.probe4j.engine.inline.EventLayout;
import io.probe4j.engine.inline.RecordFormat;
import io.probe4j.engine.inline.RingLayout;
import io.probe4j.spec.Fetch;
import io.probe4j.spec.FetchArg;
import java.util.ArrayList;
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
        EventLayout event = probe.event();
        Assembler a = new Assembler(at);
        boolean keepFlags = probe.keepFlags() || readsFlags(event.args());
        Frame frame = new Frame(event.stringCount() > 0 ? List.of(RAX, RCX, RDX, RSI, RDI, R8, R9, R10, R11)
                : List.of(RAX, RCX, RDX, RSI, RDI, R8), keepFlags);
        FetchCompiler fc = new FetchCompiler(a, frame, probe.site().address(), probe.fileDelta());
        ArgumentCode args = new ArgumentCode(a, fc, event);

        a.lea(RSP, Mem.of(RSP, -Frame.RED_ZONE));
        if (keepFlags) {
            a.pushfq();
        }
        for (Gpr g : frame.pushed()) {
            a.push(g);
        }
        int scratch = args.scratchBytes();
        if (scratch > 0) {
            a.lea(RSP, Mem.of(RSP, -scratch));
            frame.allocate(scratch);
            args.measureStrings();
            a.lea(RDX, Mem.of(RSI, event.fixedSize() + 7));
            a.alu(AND, QWORD, RDX, -8);
        } else {
            a.mov(QWORD, RDX, event.fixedSize());
        }
        Label done = a.label("done");
        Label lost = a.label("lost");
        Label overshoot = a.label("overshoot");
        Label reserved = a.label("reserved");
        cpu(a, fc, thread);
        reserve(a, rings.layout(), rings.address(), event.event(), lost, overshoot, reserved);
        identity(a, fc, thread, probe.pidAddress());
        args.storeFixed();
        if (args.hasStrings()) {
            args.copyStrings();
        }
        a.mov(BYTE, Mem.of(RDI, 3), (int) ((RecordFormat.COMMITTED | (long) event.event() << 16) >>> 24));
        a.bind(done);
        if (scratch > 0) {
            a.lea(RSP, Mem.of(RSP, scratch));
            frame.release(scratch);
        }
        for (int i = frame.pushed().size() - 1; i >= 0; i--) {
            a.pop(frame.pushed().get(i));
        }
        if (keepFlags) {
            a.popfq();
        }
        a.lea(RSP, Mem.of(RSP, Frame.RED_ZONE));
        Displaced.emit(a, probe.site());

        slowPaths(a, rings.layout(), event.event(), done, lost, overshoot, reserved);
        byte[] code = a.finish();
        List<Trampoline.FaultFixup> faults = new ArrayList<>();
        for (FetchCompiler.PendingFault f : fc.faults()) {
            faults.add(new Trampoline.FaultFixup(f.load(), a.address(f.fixup())));
        }
        return new Trampoline(at, code, probe.site().address(), Displaced.patch(probe.site(), at),
                Displaced.original(probe.site()), faults, a.listing());
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

    /** The CPU number into {@code %ecx}: rseq's {@code cpu_id} when registered, else {@code lsl}. */
    private static void cpu(Assembler a, FetchCompiler fc, ThreadLayout thread) {
        Label lsl = a.label("lsl");
        Label have = a.label("have cpu");
        if (thread.rseqCpuOffset() >= 0) {
            fc.faultable(lsl, () -> a.mov(DWORD, RCX, Mem.fs(thread.rseqCpuOffset())));
            a.test(DWORD, RCX, RCX);
            a.jcc(Condition.NS, have); // -1: not registered yet, -2: registration failed
        }
        a.bind(lsl);
        a.alu(XOR, DWORD, RCX, RCX); // stays 0 if the selector is not there
        a.mov(DWORD, RAX, CPUNODE_SELECTOR);
        a.lsl(RCX, RAX);
        a.alu(AND, DWORD, RCX, 0xfff);
        a.bind(have);
    }

    /**
     * Picks the ring ({@code %rsi}), checks for room, reserves {@code %rdx} bytes and stores the
     * uncommitted header; leaves the record's address in {@code %rdi}.
     */
    private static void reserve(Assembler a, RingLayout ring, long ringsAddress, int event, Label lost, Label overshoot,
            Label reserved) {
        long size = ring.dataSize();
        a.mov(DWORD, RAX, RCX);
        a.alu(AND, DWORD, RAX, ring.ringMask());
        a.shift(Assembler.Shift.SHL, QWORD, RAX, ring.strideShift());
        a.mov(QWORD, RSI, ringsAddress);
        a.alu(ADD, QWORD, RSI, RAX);
        a.mov(QWORD, RAX, Mem.of(RSI, RingLayout.HEAD));
        a.alu(SUB, QWORD, RAX, Mem.of(RSI, RingLayout.TAIL));
        a.alu(ADD, QWORD, RAX, RDX);
        a.alu(CMP, QWORD, RAX, size - ring.margin());
        a.jcc(Condition.A, lost);
        a.mov(QWORD, RAX, RDX);
        a.lockXadd(QWORD, Mem.of(RSI, RingLayout.HEAD), RAX);
        overshot(a, size);
        a.jcc(Condition.A, overshoot);
        a.bind(reserved);
        a.mov(QWORD, RDI, RAX);
        a.alu(AND, QWORD, RDI, size - 1);
        a.lea(RDI, Mem.of(RSI, RDI, 1, (int) ring.headerSize()));
        a.shift(Assembler.Shift.SHL, QWORD, RAX, 29); // (position / 8) << 32; positions are 8-aligned
        a.alu(OR, QWORD, RAX, RDX);
        if (event != 0) {
            a.alu(OR, QWORD, RAX, (long) event << 16);
        }
        a.mov(QWORD, Mem.of(RDI), RAX);
    }

    /** Flags "above" when the reservation at {@code %rax} of {@code %rdx} bytes would overwrite unread data. */
    private static void overshot(Assembler a, long size) {
        a.lea(R8, Mem.of(RAX, RDX, 1, 0));
        a.alu(SUB, QWORD, R8, Mem.of(RSI, RingLayout.TAIL));
        a.alu(CMP, QWORD, R8, size);
    }

    /** The time-stamp counter, CPU, tid and pid. */
    private static void identity(Assembler a, FetchCompiler fc, ThreadLayout thread, long pidAddress) {
        a.mov(DWORD, Mem.of(RDI, RecordFormat.CPU), RCX);
        a.rdtsc();
        a.shift(Assembler.Shift.SHL, QWORD, RDX, 32);
        a.alu(OR, QWORD, RAX, RDX);
        a.mov(QWORD, Mem.of(RDI, RecordFormat.TSC), RAX);
        Label noTid = a.label("no tid"); // %fs not set up yet: the tid stays 0
        fc.faultable(noTid, () -> a.mov(DWORD, RAX, Mem.fs(thread.tidOffset())));
        a.mov(DWORD, Mem.of(RDI, RecordFormat.TID), RAX);
        a.bind(noTid);
        a.mov(DWORD, RAX, Mem.rip(pidAddress));
        a.mov(DWORD, Mem.of(RDI, RecordFormat.PID), RAX);
    }

    /** The ring was full: count the record lost. The consumer is behind: wait for it (bounded). */
    private static void slowPaths(Assembler a, RingLayout ring, int event, Label done, Label lost, Label overshoot,
            Label reserved) {
        a.bind(lost);
        a.mov(DWORD, RAX, 1);
        a.lockXadd(QWORD, Mem.of(RSI, (int) RingLayout.lostOffset(event)), RAX);
        a.jmp(done);
        a.bind(overshoot);
        a.mov(DWORD, RDI, 1);
        a.lockXadd(QWORD, Mem.of(RSI, RingLayout.OVERSHOOTS), RDI);
        a.mov(DWORD, RDI, OVERSHOOT_SPINS);
        Label spin = a.label("spin");
        a.bind(spin);
        a.pause();
        overshot(a, ring.dataSize());
        a.jcc(Condition.BE, reserved);
        a.dec(DWORD, RDI);
        a.jcc(Condition.NE, spin);
        a.jmp(reserved); // the consumer is gone or stuck: write anyway
    }
}
