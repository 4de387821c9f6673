package io.probe4j.arch.x86_64;

import static io.probe4j.arch.x86_64.Assembler.Alu.ADD;
import static io.probe4j.arch.x86_64.Assembler.Alu.AND;
import static io.probe4j.arch.x86_64.Assembler.Alu.CMP;
import static io.probe4j.arch.x86_64.Assembler.Alu.SUB;
import static io.probe4j.arch.x86_64.Assembler.Alu.XOR;
import static io.probe4j.arch.x86_64.Gpr.R8;
import static io.probe4j.arch.x86_64.Gpr.RAX;
import static io.probe4j.arch.x86_64.Gpr.RCX;
import static io.probe4j.arch.x86_64.Gpr.RDI;
import static io.probe4j.arch.x86_64.Gpr.RDX;
import static io.probe4j.arch.x86_64.Gpr.RSI;
import static io.probe4j.arch.x86_64.Gpr.RSP;
import static io.probe4j.arch.x86_64.Width.DWORD;
import static io.probe4j.arch.x86_64.Width.QWORD;

import io.probe4j.engine.ring.RecordFormat;
import io.probe4j.engine.ring.ReturnStacks;
import java.util.List;

/**
 * Return probes without a trap, as the kernel's uretprobes do them but in the process: the trampoline
 * at the function's entry pushes the return address and the stack pointer on the thread's return
 * stack ({@link ReturnStacks}) and replaces the return address with the probe's exit trampoline; the
 * function's {@code ret} lands there, which pops its entry, records the event ({@code $retval} is
 * {@code %rax}, {@code %ip} the original return address) and returns to the caller.
 *
 * <ul>
 * <li>Depth: a call at depth 64 is not hijacked (the kernel's MAX_URETPROBE_DEPTH).</li>
 * <li>{@code longjmp} (and anything else that drops frames): entries whose stack pointer is below the
 *     returning frame's were abandoned; the exit pops them without a record, as the kernel's
 *     {@code cleanup_return_instances} does.</li>
 * <li>Tail calls: a probed function entered with an exit trampoline as its return address (its caller
 *     was probed and tail-called it) still pushes an entry; at its return it records the original
 *     return address, found down the stack, and goes on to the caller's exit trampoline, which records
 *     its own event: both events, innermost first, as the kernel's chained return instances.</li>
 * <li>C++ exceptions cannot unwind through an exit trampoline (no unwind information): the engine
 *     puts the return addresses back while an exception unwinds and hijacks the frames that stay
 *     again at the catch ({@code engine.inline.HijackedReturns}), as the trap engine does.</li>
 * </ul>
 * An exit that finds no entry has no way back to the caller and stops at a {@code ud2}; it cannot
 * happen unless the tracer emptied the thread's slot while the thread had hijacked frames.
 */
public final class ReturnTrampolines {
    private ReturnTrampolines() {
    }

    /**
     * Where the return stacks are, and the range of addresses that holds every exit trampoline of the
     * process (to recognize a return address that is one).
     */
    public record Stacks(long address, long exitsFrom, long exitsTo) {
    }

    /** The code of an exit trampoline: no site of its own, reached by a function's {@code ret}; its listing made when asked. */
    public record Exit(long address, byte[] code, List<Trampoline.FaultFixup> faults, java.util.function.Supplier<String> listing) {
    }

    /**
     * The entry trampoline of a return probe at {@code site} (a function's first instruction), placed at
     * {@code at}. Before it pushes, it drops entries whose frames are gone, with the kernel's test
     * ({@code cleanup_return_instances}): an entry at or below this call's stack pointer, or strictly
     * below it when the return address is an exit trampoline (a tail call from a probed function, whose
     * entry has this very stack pointer and is alive).
     */
    public static Trampoline entry(long at, JumpSite.Patchable site, long exit, Stacks stacks) {
        return madeEntry(at, site, exit, stacks).code();
    }

    /** What the entry trampoline of a return probe at {@code at} takes from its place. */
    static Template.Place entryPlace(long at, JumpSite.Patchable site, long exit) {
        return new Template.Place(at, site.address(), 0, 0, 0, exit);
    }

    static TrampolineGenerator.Made<Trampoline> madeEntry(long at, JumpSite.Patchable site, long exit, Stacks stacks) {
        Assembler a = new Assembler(at);
        Frame frame = new Frame(List.of(RAX, RCX, RDX, RSI, RDI), false, Frame.RED_ZONE);
        FetchCompiler fc = new FetchCompiler(a, frame, entryPlace(at, site, exit));
        Label skip = a.label("not hijacked");
        Label full = a.label("too deep");
        TrampolineGenerator.save(a, frame);
        fc.faultable(skip, () -> a.mov(QWORD, RAX, Mem.fs(0))); // glibc's TCB points to itself
        slot(a, stacks, true, skip);
        a.lea(RSI, Mem.of(RSP, frame.programSp())); // where the return address is
        Label plain = a.label("not chained");
        a.lea(RDI, Mem.of(RSI, 1)); // entries below this are gone
        a.mov(QWORD, RAX, Mem.of(RSI));
        isExit(a, stacks, RAX, RCX, plain);
        a.mov(QWORD, RDI, RSI);
        a.bind(plain);
        a.mov(QWORD, RCX, Mem.of(RDX, ReturnStacks.DEPTH));
        Label clean = a.label("clean");
        Label cleaned = a.label("cleaned");
        a.bind(clean);
        a.test(QWORD, RCX, RCX);
        a.jcc(Condition.E, cleaned);
        a.mov(QWORD, RAX, RCX);
        a.shift(Assembler.Shift.SHL, QWORD, RAX, ENTRY_SHIFT);
        a.alu(CMP, QWORD, Mem.of(RDX, RAX, 1, ENTRY_BASE + ReturnStacks.STACK_POINTER), RDI);
        a.jcc(Condition.AE, cleaned);
        a.dec(QWORD, RCX);
        a.jmp(clean);
        a.bind(cleaned);
        a.alu(CMP, QWORD, RCX, ReturnStacks.MAX_DEPTH);
        a.jcc(Condition.AE, full);
        a.lea(RAX, Mem.of(RCX, 1));
        a.mov(QWORD, Mem.of(RDX, ReturnStacks.DEPTH), RAX); // depth first: a signal handler's probes push above
        a.shift(Assembler.Shift.SHL, QWORD, RCX, ENTRY_SHIFT);
        a.lea(RDX, Mem.of(RDX, RCX, 1, ReturnStacks.ENTRIES));
        a.mov(QWORD, RAX, Mem.of(RSI));
        a.mov(QWORD, Mem.of(RDX, ReturnStacks.RETURN_ADDRESS), RAX);
        a.mov(QWORD, Mem.of(RDX, ReturnStacks.STACK_POINTER), RSI);
        a.mov(QWORD, RAX, a.hole(Emitter.Field.IMMEDIATE, Template.EXIT, exit));
        a.mov(QWORD, Mem.of(RSI), RAX);
        a.jmp(skip);
        a.bind(full);
        a.mov(QWORD, Mem.of(RDX, ReturnStacks.DEPTH), RCX);
        a.bind(skip);
        TrampolineGenerator.restore(a, frame);
        int displacedAt = (int) (a.here() - at);
        Displaced.emit(a, site);
        int displacedEnd = (int) (a.here() - at);
        byte[] code = a.finish();
        List<Trampoline.FaultFixup> faults = List.of(new Trampoline.FaultFixup(fc.faults().getFirst().load(), a.address(skip)));
        Trampoline t = new Trampoline(at, code, site.address(), Displaced.patch(site, at), Displaced.original(site), faults,
                a::listing);
        return new TrampolineGenerator.Made<>(t, Template.of(a, code, displacedAt, displacedEnd, faults));
    }

    /** Entry {@code depth - 1} is at {@code slot + ENTRY_BASE + (depth << ENTRY_SHIFT)}. */
    private static final int ENTRY_BASE = ReturnStacks.ENTRIES - ReturnStacks.ENTRY_SIZE;
    private static final int ENTRY_SHIFT = Integer.numberOfTrailingZeros(ReturnStacks.ENTRY_SIZE);

    /** Falls through when {@code r} is an exit trampoline's address, else jumps to {@code no}; clobbers {@code temp}. */
    private static void isExit(Assembler a, Stacks stacks, Gpr r, Gpr temp, Label no) {
        a.mov(QWORD, temp, stacks.exitsFrom());
        a.alu(CMP, QWORD, r, temp);
        a.jcc(Condition.B, no);
        a.mov(QWORD, temp, stacks.exitsTo());
        a.alu(CMP, QWORD, r, temp);
        a.jcc(Condition.AE, no);
    }

    /** The exit trampoline of a return probe (its event and fetch arguments in {@code probe}), placed at {@code at}. */
    public static Exit exit(long at, TrampolineGenerator.Probe probe, TrampolineGenerator.Rings rings,
            TrampolineGenerator.ThreadLayout thread, Stacks stacks) {
        return madeExit(at, probe, rings, thread, stacks).code();
    }

    static TrampolineGenerator.Made<Exit> madeExit(long at, TrampolineGenerator.Probe probe, TrampolineGenerator.Rings rings,
            TrampolineGenerator.ThreadLayout thread, Stacks stacks) {
        Assembler a = new Assembler(at);
        // two words of our own below the program's stack pointer: where to return, and the address reported
        Frame frame = new Frame(RecordWriter.registersUsed(probe.event()), false, 16);
        RecordWriter record = new RecordWriter(a, frame, TrampolineGenerator.place(at, probe), probe.event(), rings);
        Label broken = a.label("no entry");
        TrampolineGenerator.save(a, frame);
        record.fetches().faultable(broken, () -> a.mov(QWORD, RAX, Mem.fs(0)));
        slot(a, stacks, false, broken);
        popEntry(a, frame, stacks, broken);
        record.fetches().ipFrom(() -> Mem.of(RSP, frame.programSp() - 16));
        record.write(thread, x -> {
            a.mov(QWORD, RAX, Mem.of(RSP, frame.programSp() - 16));
            a.mov(QWORD, Mem.of(RDI, RecordFormat.RETURN_ADDRESS), RAX);
        });
        for (int i = frame.pushed().size() - 1; i >= 0; i--) {
            a.pop(frame.pushed().get(i));
        }
        a.lea(RSP, Mem.of(RSP, 8)); // past the reported address, onto the one to return to
        a.ret();
        a.bind(broken);
        a.ud2();
        record.slowPaths();
        byte[] code = a.finish();
        List<Trampoline.FaultFixup> faults = record.faults();
        return new TrampolineGenerator.Made<>(new Exit(at, code, faults, a::listing), Template.of(a, code, 0, 0, faults));
    }

    /**
     * Pops the thread's entry for the returning frame ({@code %rdx}: its slot): discards entries left
     * by frames that are gone, stores the address to return to and the address to report in the
     * frame's two words.
     */
    private static void popEntry(Assembler a, Frame frame, Stacks stacks, Label broken) {
        a.mov(QWORD, RCX, Mem.of(RDX, ReturnStacks.DEPTH));
        a.lea(RSI, Mem.of(RSP, frame.programSp() - 8)); // the stack pointer the entry recorded
        Label pop = a.label("pop");
        Label found = a.label("found");
        a.bind(pop);
        a.test(QWORD, RCX, RCX);
        a.jcc(Condition.E, broken);
        a.mov(QWORD, RAX, RCX);
        a.shift(Assembler.Shift.SHL, QWORD, RAX, ENTRY_SHIFT);
        a.alu(CMP, QWORD, Mem.of(RDX, RAX, 1, ENTRY_BASE + ReturnStacks.STACK_POINTER), RSI);
        a.jcc(Condition.AE, found);
        a.dec(QWORD, RCX); // its frame is gone (longjmp): dropped without a record
        a.jmp(pop);
        a.bind(found);
        a.dec(QWORD, RCX);
        a.mov(QWORD, Mem.of(RDX, ReturnStacks.DEPTH), RCX);
        a.mov(QWORD, RAX, Mem.of(RDX, RAX, 1, ENTRY_BASE + ReturnStacks.RETURN_ADDRESS));
        a.mov(QWORD, Mem.of(RSP, frame.programSp() - 8), RAX);
        // an exit trampoline as return address: a tail call; report the first real one down the stack
        Label reported = a.label("reported");
        Label down = a.label("down");
        a.bind(down);
        isExit(a, stacks, RAX, R8, reported);
        a.test(QWORD, RCX, RCX);
        a.jcc(Condition.E, reported);
        a.mov(QWORD, R8, RCX);
        a.shift(Assembler.Shift.SHL, QWORD, R8, ENTRY_SHIFT);
        a.mov(QWORD, RAX, Mem.of(RDX, R8, 1, ENTRY_BASE + ReturnStacks.RETURN_ADDRESS));
        a.dec(QWORD, RCX);
        a.jmp(down);
        a.bind(reported);
        a.mov(QWORD, Mem.of(RSP, frame.programSp() - 16), RAX);
    }

    /**
     * The thread's slot into {@code %rdx}, for the key in {@code %rax} (kept): open addressing from
     * {@link ReturnStacks#home}; slots of threads that ended ({@link ReturnStacks#FREED}) are passed
     * over, a free slot ends the search. When the key is not there and {@code claim}, the first free or
     * freed slot from home is claimed with {@code lock cmpxchg} (only this thread adds its key, so it
     * cannot be further on); jumps to {@code none} when there is no slot. Uses {@code %rcx}, {@code %rsi}.
     */
    private static void slot(Assembler a, Stacks stacks, boolean claim, Label none) {
        Label start = a.label("search");
        Label probe = a.label("probe");
        Label next = a.label("next slot");
        Label found = a.label("slot found");
        a.bind(start);
        home(a, stacks);
        a.bind(probe);
        a.alu(CMP, QWORD, Mem.of(RDX, ReturnStacks.KEY), RAX);
        a.jcc(Condition.E, found);
        a.alu(CMP, QWORD, Mem.of(RDX, ReturnStacks.KEY), 0);
        a.jcc(Condition.NE, next);
        if (claim) {
            Label scan = a.label("claim scan");
            Label take = a.label("take");
            Label wrapped = a.label("claim wrapped");
            home(a, stacks);
            a.bind(scan);
            a.mov(QWORD, RCX, Mem.of(RDX, ReturnStacks.KEY));
            a.test(QWORD, RCX, RCX);
            a.jcc(Condition.E, take);
            a.alu(CMP, QWORD, RCX, ReturnStacks.FREED);
            a.jcc(Condition.E, take);
            advance(a, stacks, wrapped);
            a.jcc(Condition.NE, scan);
            a.jmp(none);
            a.bind(take); // %rcx: what the slot holds, 0 or FREED
            a.mov(QWORD, RSI, RAX);
            a.mov(QWORD, RAX, RCX);
            a.lockCmpxchg(QWORD, Mem.of(RDX, ReturnStacks.KEY), RSI);
            a.mov(QWORD, RAX, RSI);
            a.jcc(Condition.E, found);
            a.jmp(start); // another thread took it first: search again
        } else {
            a.jmp(none);
        }
        a.bind(next);
        advance(a, stacks, a.label("wrapped"));
        a.jcc(Condition.NE, probe);
        a.jmp(none);
        a.bind(found);
    }

    /** {@code %rdx}: the home slot of the key in {@code %rax}; {@code %esi}: the slots left to look at. */
    private static void home(Assembler a, Stacks stacks) {
        int slotShift = Integer.numberOfTrailingZeros(ReturnStacks.SLOT_SIZE);
        a.mov(QWORD, RDX, RAX);
        a.shift(Assembler.Shift.SHR, QWORD, RDX, 12); // ReturnStacks.home: the page number
        a.alu(AND, DWORD, RDX, ReturnStacks.SLOTS - 1);
        a.shift(Assembler.Shift.SHL, QWORD, RDX, slotShift);
        a.mov(QWORD, RCX, stacks.address());
        a.alu(ADD, QWORD, RDX, RCX);
        a.mov(DWORD, RSI, ReturnStacks.SLOTS);
    }

    /** {@code %rdx} to the next slot, round the table; {@code %esi} counted down (ZF: none left). Uses {@code %rcx}. */
    private static void advance(Assembler a, Stacks stacks, Label inside) {
        a.alu(ADD, QWORD, RDX, ReturnStacks.SLOT_SIZE);
        a.mov(QWORD, RCX, stacks.address() + ReturnStacks.size());
        a.alu(CMP, QWORD, RDX, RCX);
        a.jcc(Condition.B, inside);
        a.alu(SUB, QWORD, RDX, ReturnStacks.size());
        a.bind(inside);
        a.dec(DWORD, RSI);
    }
}
