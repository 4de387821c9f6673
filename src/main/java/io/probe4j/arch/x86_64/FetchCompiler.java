package io.probe4j.arch.x86_64;

import static io.probe4j.arch.x86_64.Width.BYTE;
import static io.probe4j.arch.x86_64.Width.DWORD;
import static io.probe4j.arch.x86_64.Width.QWORD;

import io.probe4j.spec.Fetch;
import java.util.ArrayList;
import java.util.List;

/**
 * Fetch arguments as machine code: the value of a register as the program had it, a word or the
 * address a memory fetch reads ({@code @ADDR}, {@code @+OFF}, {@code $stackN}, {@code +OFF(...)}
 * chains), and loads of 1, 2, 4 or 8 bytes. Every load of the program's memory is registered as a
 * fault site with the label to continue at, so that a bad pointer ends this argument, not the program.
 */
final class FetchCompiler {
    /** The user-space code and stack segment selectors of x86-64 Linux, as {@code pt_regs} holds them. */
    private static final long USER_CS = 0x33, USER_SS = 0x2b;

    /** A load that may fault, before its label is bound. */
    record PendingFault(long load, Label fixup) {
    }

    private final Assembler a;
    private final Frame frame;
    private final Template.Place place;
    private final List<PendingFault> faults = new ArrayList<>();
    private java.util.function.Supplier<Mem> ipWord;

    /**
     * @param place what {@code %ip} reads (the probe address) and what {@code @+OFF} adds to OFF (the
     *              probe's run-time address minus its file offset): holes of the code's template
     */
    FetchCompiler(Assembler a, Frame frame, Template.Place place) {
        this.a = a;
        this.frame = frame;
        this.place = place;
    }

    List<PendingFault> faults() {
        return faults;
    }

    /** {@code %ip} is not a constant but a word of the frame (a return probe's return address). */
    void ipFrom(java.util.function.Supplier<Mem> word) {
        ipWord = word;
    }

    /** Emits {@code emit}, one load that may fault, continuing at {@code fixup} when it does. */
    void faultable(Label fixup, Runnable emit) {
        long at = a.here();
        emit.run();
        faults.add(new PendingFault(at, fixup));
    }

    /** The program's value of the {@code pt_regs} register {@code name} into {@code dst}. */
    void register(String name, Gpr dst) {
        switch (name) {
            case "ip" -> {
                if (ipWord != null) {
                    a.mov(QWORD, dst, ipWord.get());
                } else {
                    a.mov(QWORD, dst, a.hole(Emitter.Field.IMMEDIATE, Template.IP, place.ip()));
                }
            }
            case "sp" -> a.lea(dst, Mem.of(Gpr.RSP, frame.programSp()));
            case "flags" -> a.mov(QWORD, dst, frame.flagsSlot());
            case "orig_ax" -> a.mov(QWORD, dst, -1); // not in a system call
            case "cs" -> a.mov(QWORD, dst, USER_CS);
            case "ss" -> a.mov(QWORD, dst, USER_SS);
            default -> {
                Gpr g = gpr(name);
                if (frame.saved(g)) {
                    a.mov(QWORD, dst, frame.slot(g));
                } else if (g != dst) {
                    a.mov(QWORD, dst, g);
                }
            }
        }
    }

    static Gpr gpr(String ptRegsName) {
        for (Gpr g : Gpr.values()) {
            if (g.ptRegsName().equals(ptRegsName)) {
                return g;
            }
        }
        throw new IllegalArgumentException("no register %" + ptRegsName);
    }

    /**
     * The word a fetch stands for into {@code dst}: a register, {@code $stack}, an immediate, or the
     * 8 bytes a memory fetch reads (as the base of a dereference). {@code temp} may be clobbered.
     */
    void word(Fetch f, Gpr dst, Gpr temp, Label fault) {
        switch (f) {
            case Fetch.Register r -> register(r.name(), dst);
            case Fetch.StackPointer s -> register("sp", dst);
            case Fetch.ReturnValue r -> register("ax", dst);
            case Fetch.Immediate i -> a.mov(QWORD, dst, i.value());
            default -> {
                address(f, dst, temp, fault);
                load(8, dst, Mem.of(dst), fault);
            }
        }
    }

    /** The address a memory fetch reads into {@code dst}. */
    void address(Fetch f, Gpr dst, Gpr temp, Label fault) {
        switch (f) {
            case Fetch.AbsoluteMemory m -> a.mov(QWORD, dst, m.address());
            case Fetch.FileMemory m -> {
                Template.Value at = p -> p.fileDelta() + m.fileOffset();
                a.mov(QWORD, dst, a.hole(Emitter.Field.IMMEDIATE, at, at.of(place)));
            }
            case Fetch.StackEntry s -> {
                register("sp", dst);
                add(dst, temp, 8L * s.index());
            }
            case Fetch.Deref d -> {
                word(d.base(), dst, temp, fault);
                add(dst, temp, d.offset());
            }
            default -> throw new IllegalArgumentException("not a memory fetch: " + f);
        }
    }

    private void add(Gpr dst, Gpr temp, long v) {
        if (v == (int) v) {
            if (v != 0) {
                a.lea(dst, Mem.of(dst, (int) v));
            }
        } else {
            a.mov(QWORD, temp, v);
            a.alu(Assembler.Alu.ADD, QWORD, dst, temp);
        }
    }

    /** A load of {@code size} bytes at {@code src}, zero-extended into {@code dst}. */
    void load(int size, Gpr dst, Mem src, Label fault) {
        faultable(fault, () -> {
            switch (size) {
                case 1 -> a.movzx(BYTE, dst, src);
                case 2 -> a.movzx(Width.WORD, dst, src);
                case 4 -> a.mov(DWORD, dst, src);
                case 8 -> a.mov(QWORD, dst, src);
                default -> throw new IllegalArgumentException("no load of " + size + " bytes");
            }
        });
    }

    /** A store of the low {@code size} bytes of {@code src}. */
    void store(int size, Mem dst, Gpr src) {
        a.mov(switch (size) {
            case 1 -> BYTE;
            case 2 -> Width.WORD;
            case 4 -> DWORD;
            default -> QWORD;
        }, dst, src);
    }
}
