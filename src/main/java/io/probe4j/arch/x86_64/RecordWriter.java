package io.probe4j.arch.x86_64;

import static io.probe4j.arch.x86_64.Assembler.Alu.ADD;
import static io.probe4j.arch.x86_64.Assembler.Alu.AND;
import static io.probe4j.arch.x86_64.Assembler.Alu.CMP;
import static io.probe4j.arch.x86_64.Assembler.Alu.OR;
import static io.probe4j.arch.x86_64.Assembler.Alu.SUB;
import static io.probe4j.arch.x86_64.Assembler.Alu.XOR;
import static io.probe4j.arch.x86_64.Gpr.R8;
import static io.probe4j.arch.x86_64.Gpr.RAX;
import static io.probe4j.arch.x86_64.Gpr.RCX;
import static io.probe4j.arch.x86_64.Gpr.RDI;
import static io.probe4j.arch.x86_64.Gpr.RDX;
import static io.probe4j.arch.x86_64.Gpr.RSI;
import static io.probe4j.arch.x86_64.Gpr.RSP;
import static io.probe4j.arch.x86_64.Width.BYTE;
import static io.probe4j.arch.x86_64.Width.DWORD;
import static io.probe4j.arch.x86_64.Width.QWORD;

import io.probe4j.engine.ring.EventLayout;
import io.probe4j.engine.ring.PidPage;
import io.probe4j.engine.ring.RecordFormat;
import io.probe4j.engine.ring.RingLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The part of a trampoline that writes one record, shared by entry and return trampolines: measure
 * the strings, pick the CPU's ring, check for room, reserve, store the header, the time, CPU, tid and
 * pid, whatever the kind of probe adds, the arguments and the strings, and commit. The registers it
 * uses must be saved in the {@link Frame}; the slow paths (ring full, consumer behind) are emitted
 * apart, after the trampoline's main line.
 */
final class RecordWriter {
    private final Assembler a;
    private final Frame frame;
    private final FetchCompiler fc;
    private final ArgumentCode args;
    private final EventLayout event;
    private final TrampolineGenerator.Rings rings;
    private final Label done;
    private final Label lost;
    private final Label overshoot;
    private final Label reserved;
    private final Label vforkChild;
    private final Label identified;
    private final Template.Place place;

    /** {@code place}: the probe address, its file's delta, the event id and the pid word, holes of the template. */
    RecordWriter(Assembler a, Frame frame, Template.Place place, EventLayout event, TrampolineGenerator.Rings rings) {
        this.a = a;
        this.frame = frame;
        this.place = place;
        this.fc = new FetchCompiler(a, frame, place);
        this.args = new ArgumentCode(a, fc, event);
        this.event = event;
        this.rings = rings;
        this.done = a.label("done");
        this.lost = a.label("lost");
        this.overshoot = a.label("overshoot");
        this.reserved = a.label("reserved");
        this.vforkChild = a.label("vfork child?");
        this.identified = a.label("identified");
    }

    /** The registers a record of {@code event} needs saved. */
    static List<Gpr> registersUsed(EventLayout event) {
        return event.stringCount() > 0 ? List.of(RAX, RCX, RDX, RSI, RDI, R8, Gpr.R9, Gpr.R10, Gpr.R11)
                : List.of(RAX, RCX, RDX, RSI, RDI, R8);
    }

    FetchCompiler fetches() {
        return fc;
    }

    /**
     * The main line: everything from measuring the strings to the commit, then {@code done}, where the
     * slow paths come back. {@code extra} stores the probe kind's own fields into the record ({@code %rdi}).
     */
    void write(TrampolineGenerator.ThreadLayout thread, Consumer<Assembler> extra) {
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
        cpu(a, fc, thread);
        reserve(a, rings.layout(), rings.address(), place.event(), lost, overshoot, reserved);
        identity(a, fc, thread);
        a.alu(CMP, DWORD, Mem.rip(pidWord(PidPage.IN_USE)), 0);
        a.jcc(Condition.NE, vforkChild);
        a.bind(identified);
        extra.accept(a);
        args.storeFixed();
        if (args.hasStrings()) {
            args.copyStrings();
        }
        a.mov(BYTE, Mem.of(RDI, 3), a.hole(Emitter.Field.IMMEDIATE, COMMIT, COMMIT.of(place)));
        a.bind(done);
        if (scratch > 0) {
            a.lea(RSP, Mem.of(RSP, scratch));
            frame.release(scratch);
        }
    }

    /** The header's byte that commits a record: the committed bit and the top of the event id. */
    private static final Template.Value COMMIT = p -> (RecordFormat.COMMITTED | (long) p.event() << 16) >>> 24;

    /** The address of the pid page's word at {@code offset}, a hole of the template. */
    private long pidWord(int offset) {
        return a.hole(Emitter.Field.TARGET, p -> p.pid() + offset, place.pid() + offset);
    }

    /** The slow paths, out of the main line. */
    void slowPaths() {
        slowPaths(a, rings.layout(), place.event(), done, lost, overshoot, reserved);
        vforkChild();
    }

    /**
     * A vfork child runs in the process ({@link PidPage}): when this thread's control block is one a
     * child runs on, the record gets the child's id as pid and tid.
     */
    private void vforkChild() {
        a.bind(vforkChild);
        fc.faultable(identified, () -> a.mov(QWORD, RAX, Mem.fs(0)));
        a.mov(DWORD, RCX, Mem.rip(pidWord(PidPage.IN_USE)));
        a.lea(RDX, Mem.rip(pidWord(PidPage.ENTRIES)));
        Label next = a.label("next child");
        Label found = a.label("child found");
        a.bind(next);
        a.alu(CMP, QWORD, RAX, Mem.of(RDX, PidPage.CONTROL_BLOCK));
        a.jcc(Condition.E, found);
        a.alu(ADD, QWORD, RDX, PidPage.ENTRY_SIZE);
        a.dec(DWORD, RCX);
        a.jcc(Condition.NE, next);
        a.jmp(identified);
        a.bind(found);
        a.mov(DWORD, RAX, Mem.of(RDX, PidPage.CHILD));
        a.mov(DWORD, Mem.of(RDI, RecordFormat.TID), RAX);
        a.mov(DWORD, Mem.of(RDI, RecordFormat.PID), RAX);
        a.jmp(identified);
    }

    /** Every load that may fault, with its fixup; once the code is finished. */
    List<Trampoline.FaultFixup> faults() {
        List<Trampoline.FaultFixup> out = new ArrayList<>();
        for (FetchCompiler.PendingFault f : fc.faults()) {
            out.add(new Trampoline.FaultFixup(f.load(), a.address(f.fixup())));
        }
        return out;
    }

    /** The CPU number into {@code %ecx}: rseq's {@code cpu_id} when registered, else {@code lsl}. */
    private static void cpu(Assembler a, FetchCompiler fc, TrampolineGenerator.ThreadLayout thread) {
        Label lsl = a.label("lsl");
        Label have = a.label("have cpu");
        if (thread.rseqCpuOffset() >= 0) {
            fc.faultable(lsl, () -> a.mov(DWORD, RCX, Mem.fs(thread.rseqCpuOffset())));
            a.test(DWORD, RCX, RCX);
            a.jcc(Condition.NS, have); // -1: not registered yet, -2: registration failed
        }
        a.bind(lsl);
        a.alu(XOR, DWORD, RCX, RCX); // stays 0 if the selector is not there
        a.mov(DWORD, RAX, TrampolineGenerator.CPUNODE_SELECTOR);
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
        // signed: a writer held up between its two loads may find the tail past the head it read (other
        // writers went on, the reader took it all): below zero, which is room, not a full ring
        a.jcc(Condition.G, lost);
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
        if (a.decision(Template.EVENT, event) != 0) {
            a.alu(OR, QWORD, RAX, a.hole(Emitter.Field.IMMEDIATE, p -> (long) p.event() << 16, (long) event << 16));
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
    private void identity(Assembler a, FetchCompiler fc, TrampolineGenerator.ThreadLayout thread) {
        a.mov(DWORD, Mem.of(RDI, RecordFormat.CPU), RCX);
        a.rdtsc();
        a.shift(Assembler.Shift.SHL, QWORD, RDX, 32);
        a.alu(OR, QWORD, RAX, RDX);
        a.mov(QWORD, Mem.of(RDI, RecordFormat.TSC), RAX);
        Label noTid = a.label("no tid"); // %fs not set up yet: the tid stays 0
        fc.faultable(noTid, () -> a.mov(DWORD, RAX, Mem.fs(thread.tidOffset())));
        a.mov(DWORD, Mem.of(RDI, RecordFormat.TID), RAX);
        a.bind(noTid);
        a.mov(DWORD, RAX, Mem.rip(pidWord(0)));
        a.mov(DWORD, Mem.of(RDI, RecordFormat.PID), RAX);
    }

    /** The ring was full: count the record lost. The consumer is behind: wait for it (bounded). */
    private static void slowPaths(Assembler a, RingLayout ring, int event, Label done, Label lost, Label overshoot,
            Label reserved) {
        a.bind(lost);
        a.mov(DWORD, RAX, 1);
        a.lockXadd(QWORD, Mem.of(RSI, (int) a.hole(Emitter.Field.DISPLACEMENT, p -> RingLayout.lostOffset(p.event()),
                RingLayout.lostOffset(event))), RAX);
        a.jmp(done);
        a.bind(overshoot);
        a.mov(DWORD, RDI, 1);
        a.lockXadd(QWORD, Mem.of(RSI, RingLayout.OVERSHOOTS), RDI);
        a.mov(DWORD, RDI, TrampolineGenerator.OVERSHOOT_SPINS);
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
