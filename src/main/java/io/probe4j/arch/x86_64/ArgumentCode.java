package io.probe4j.arch.x86_64;

import static io.probe4j.arch.x86_64.Assembler.Alu.ADD;
import static io.probe4j.arch.x86_64.Assembler.Alu.CMP;
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
import static io.probe4j.arch.x86_64.Width.BYTE;
import static io.probe4j.arch.x86_64.Width.DWORD;
import static io.probe4j.arch.x86_64.Width.QWORD;

import io.probe4j.engine.ring.EventLayout;
import io.probe4j.event.ValueDecoder;
import io.probe4j.spec.ArgType;
import io.probe4j.spec.Fetch;
import io.probe4j.spec.FetchArg;
import java.util.ArrayList;
import java.util.List;

/**
 * The code that fills an event's argument slots ({@link EventLayout}) in a reserved record
 * ({@code %rdi}). Numbers are loaded and stored; a load that faults leaves its slot as the consumer
 * zeroed it, which is what the kernel records. Strings take two passes, as in the kernel
 * ({@code __get_data_size}, then {@code store_trace_args}): before the record is reserved each one is
 * measured (at most 4095 bytes, {@link EventLayout#stringBudget()} for all), its address and length
 * kept in scratch words on the stack; after, the bytes are copied behind the fixed slots. A string
 * whose bytes fault anywhere before its NUL is {@code (fault)}, as the kernel's {@code strnlen_user}
 * makes it.
 */
final class ArgumentCode {
    /** One string a hit records: the fetch giving its address and its (offset, length) pair in the record. */
    private record StringRef(Fetch fetch, int pair, int element) {
    }

    private final Assembler a;
    private final FetchCompiler fc;
    private final EventLayout event;
    private final List<StringRef> strings = new ArrayList<>();

    ArgumentCode(Assembler a, FetchCompiler fc, EventLayout event) {
        this.a = a;
        this.fc = fc;
        this.event = event;
        for (int i = 0; i < event.args().size(); i++) {
            Fetch f = event.args().get(i).fetch();
            switch (event.slots().get(i)) {
                case EventLayout.Str s -> strings.add(new StringRef(f, s.offset(), -1));
                case EventLayout.StrArray sa -> {
                    for (int k = 0; k < sa.count(); k++) {
                        strings.add(new StringRef(f, sa.offset() + 8 * k, k));
                    }
                }
                default -> {
                }
            }
        }
    }

    /** Bytes of stack scratch the string passes need. */
    int scratchBytes() {
        return 16 * strings.size();
    }

    boolean hasStrings() {
        return !strings.isEmpty();
    }

    /** Measures every string into the scratch words; leaves the total of their lengths in {@code %rsi}. */
    void measureStrings() {
        a.alu(XOR, DWORD, RSI, RSI);
        a.mov(QWORD, R10, event.stringBudget());
        for (int k = 0; k < strings.size(); k++) {
            StringRef s = strings.get(k);
            Label fault = a.label("string " + k + " faulted");
            Label next = a.label("string " + k + " measured");
            source(s, fault);
            // the longest it may be: 4095, and what is left of the budget after its NUL
            a.lea(RCX, Mem.of(R10, -1));
            a.test(QWORD, RCX, RCX);
            a.jcc(Condition.S, fault);
            Label capped = a.label("capped");
            a.alu(CMP, QWORD, RCX, EventLayout.MAX_STRING);
            a.jcc(Condition.BE, capped);
            a.mov(QWORD, RCX, EventLayout.MAX_STRING);
            a.bind(capped);
            Label loop = a.label("strlen");
            Label done = a.label("strlen done");
            a.alu(XOR, DWORD, R9, R9);
            a.bind(loop);
            a.alu(CMP, QWORD, R9, RCX);
            a.jcc(Condition.AE, done);
            fc.load(1, RAX, Mem.of(R11, R9, 1, 0), fault);
            a.test(BYTE, RAX, RAX);
            a.jcc(Condition.E, done);
            a.inc(QWORD, R9);
            a.jmp(loop);
            a.bind(done);
            a.mov(QWORD, Frame.scratch(16 * k), R11);
            a.mov(QWORD, Frame.scratch(16 * k + 8), R9);
            a.alu(ADD, QWORD, RSI, R9);
            a.alu(SUB, QWORD, R10, R9);
            a.dec(QWORD, R10);
            a.jmp(next);
            a.bind(fault);
            a.mov(QWORD, Frame.scratch(16 * k + 8), EventLayout.FAULT);
            a.bind(next);
        }
    }

    /** The string's address into {@code %r11}. */
    private void source(StringRef s, Label fault) {
        if (s.element() < 0) {
            fc.address(s.fetch(), R11, RDX, fault);
        } else { // string[N]: the N pointers at the fetch's address
            fc.address(s.fetch(), R8, RDX, fault);
            fc.load(8, R11, Mem.of(R8, 8 * s.element()), fault);
        }
    }

    /** Fills every fixed slot but the strings'. */
    void storeFixed() {
        for (int i = 0; i < event.args().size(); i++) {
            FetchArg arg = event.args().get(i);
            Label next = a.label("arg " + i + " done");
            switch (event.slots().get(i)) {
                case EventLayout.Word w when EventLayout.isMemory(arg.fetch()) -> {
                    fc.address(arg.fetch(), R8, RDX, next);
                    fc.load(ValueDecoder.size(arg.type()), RAX, Mem.of(R8), next);
                    a.mov(QWORD, Mem.of(RDI, w.offset()), RAX);
                }
                case EventLayout.Word w -> {
                    fc.word(arg.fetch(), RAX, RDX, next);
                    a.mov(QWORD, Mem.of(RDI, w.offset()), RAX);
                }
                case EventLayout.Bytes b -> array(arg, b, next);
                default -> {
                }
            }
            a.bind(next);
        }
    }

    /** An array of scalars, element by element: a faulting element stays 0 and the next is tried. */
    private void array(FetchArg arg, EventLayout.Bytes slot, Label done) {
        ArgType.Array t = (ArgType.Array) arg.type();
        int size = ValueDecoder.size(t.element());
        fc.address(arg.fetch(), R8, RDX, done);
        a.alu(XOR, DWORD, RCX, RCX);
        Label loop = a.label("element");
        Label next = a.label("next element");
        a.bind(loop);
        fc.load(size, RAX, Mem.of(R8, RCX, size, 0), next);
        fc.store(size, Mem.of(RDI, RCX, size, slot.offset()), RAX);
        a.bind(next);
        a.inc(DWORD, RCX);
        a.alu(CMP, DWORD, RCX, t.count());
        a.jcc(Condition.B, loop);
    }

    /** Copies the measured strings behind the fixed slots and fills their pairs. */
    void copyStrings() {
        a.mov(QWORD, R10, event.fixedSize());
        for (int k = 0; k < strings.size(); k++) {
            StringRef s = strings.get(k);
            Label fault = a.label("copy " + k + " faulted");
            Label next = a.label("string " + k + " copied");
            a.mov(QWORD, RCX, Frame.scratch(16 * k + 8));
            a.test(QWORD, RCX, RCX);
            a.jcc(Condition.S, fault);
            a.mov(QWORD, R11, Frame.scratch(16 * k));
            a.lea(RDX, Mem.of(RDI, R10, 1, 0));
            a.alu(XOR, DWORD, R9, R9);
            Label loop = a.label("copy");
            Label done = a.label("copy done");
            a.bind(loop);
            a.alu(CMP, QWORD, R9, RCX);
            a.jcc(Condition.AE, done);
            fc.load(1, RAX, Mem.of(R11, R9, 1, 0), fault);
            a.test(BYTE, RAX, RAX);
            a.jcc(Condition.E, done); // the string got shorter since it was measured
            a.mov(BYTE, Mem.of(RDX, R9, 1, 0), RAX);
            a.inc(QWORD, R9);
            a.jmp(loop);
            a.bind(done);
            a.mov(DWORD, Mem.of(RDI, s.pair()), R10);
            a.mov(DWORD, Mem.of(RDI, s.pair() + 4), R9);
            a.alu(ADD, QWORD, R10, R9);
            a.jmp(next);
            a.bind(fault);
            a.mov(DWORD, Mem.of(RDI, s.pair() + 4), EventLayout.FAULT);
            a.bind(next);
        }
    }
}
