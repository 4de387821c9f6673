package io.probe4j.arch.x86_64;

import io.probe4j.arch.x86_64.SdtArg.Operand;
import io.probe4j.elf.ElfFile;
import io.probe4j.elf.ElfSymbol;
import io.probe4j.elf.ProgramHeader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A USDT argument as a fetch argument of the kernel's {@code uprobe_events} language, typed from the note
 * ({@code -4@%edi} is {@code %di:s32}, {@code 8@-16(%rbp)} is {@code -16(%bp):u64}, {@code 4@$5} is
 * {@code \5:u32}, {@code 8@counter(%rip)} is {@code @+OFFSET:u64} at the variable's place in the file).
 * The kernel fetches whole {@code pt_regs} registers and the type keeps the low bytes, which is what a
 * narrower register name means. What the language cannot compute is refused with the reason:
 * thread-local storage through {@code %fs}, indexed addressing, symbols that need the loader's
 * relocation in a position-independent file, {@code %xmm} and other non-general registers.
 */
public final class SdtFetch {
    private SdtFetch() {
    }

    /** A register as written in a note: the 64-bit register it is part of, and where in it. */
    private record Part(Gpr gpr, int bits, int shift) {
    }

    private static final Map<String, Part> PARTS = new HashMap<>();

    static {
        String[][] legacy = {
                {"rax", "eax", "ax", "al", "ah"}, {"rcx", "ecx", "cx", "cl", "ch"}, {"rdx", "edx", "dx", "dl", "dh"},
                {"rbx", "ebx", "bx", "bl", "bh"}, {"rsp", "esp", "sp", "spl", null}, {"rbp", "ebp", "bp", "bpl", null},
                {"rsi", "esi", "si", "sil", null}, {"rdi", "edi", "di", "dil", null}};
        for (int n = 0; n < legacy.length; n++) {
            String[] names = legacy[n];
            Gpr g = Gpr.of(n);
            PARTS.put(names[0], new Part(g, 64, 0));
            PARTS.put(names[1], new Part(g, 32, 0));
            PARTS.put(names[2], new Part(g, 16, 0));
            PARTS.put(names[3], new Part(g, 8, 0));
            if (names[4] != null) {
                PARTS.put(names[4], new Part(g, 8, 8));
            }
        }
        for (int n = 8; n < 16; n++) {
            Gpr g = Gpr.of(n);
            PARTS.put("r" + n, new Part(g, 64, 0));
            PARTS.put("r" + n + "d", new Part(g, 32, 0));
            PARTS.put("r" + n + "w", new Part(g, 16, 0));
            PARTS.put("r" + n + "b", new Part(g, 8, 0));
            PARTS.put("r" + n + "l", new Part(g, 8, 0));
        }
    }

    /** Why an argument cannot be fetched by the kernel's language. */
    public static final class Refused extends Exception {
        public Refused(String reason) {
            super(reason);
        }
    }

    /**
     * The fetch argument (without a name) for {@code arg} of the probe at {@code probeOffset} in {@code elf}.
     *
     * @throws Refused when the kernel's fetch arguments cannot compute the value
     */
    public static String fetchArg(SdtArg arg, ElfFile elf, long probeOffset) throws Refused {
        String type = ":" + (arg.signed() ? "s" : "u") + arg.size() * 8;
        return switch (arg.operand()) {
            case Operand.Register r -> register(r.name(), arg, type);
            case Operand.Immediate i -> "\\" + (i.symbol() == null ? i.value() : absolute(elf, i.symbol(), i.value())) + type;
            case Operand.Memory m -> memory(m, elf, probeOffset) + type;
        };
    }

    private static String register(String name, SdtArg arg, String type) throws Refused {
        if (name.equals("rip")) {
            return "%ip" + type;
        }
        Part p = PARTS.get(name);
        if (p == null) {
            throw new Refused("%" + name + " is not a general-purpose register, and the kernel's fetch arguments read only those");
        }
        if (p.shift() == 0) {
            return "%" + p.gpr().ptRegsName() + type;
        }
        if (arg.signed()) {
            throw new Refused("%" + name + " is bits 8-15 of %" + p.gpr().ptRegsName()
                    + ", which the kernel's fetch arguments can extract (as a bitfield) only unsigned");
        }
        // ah, bh, ch, dh: the kernel has no shift for registers, but a bitfield of the 64-bit value is one
        return "%" + p.gpr().ptRegsName() + ":b8@8/64";
    }

    private static String memory(Operand.Memory m, ElfFile elf, long probeOffset) throws Refused {
        if (m.segment() != null) {
            throw new Refused("it reads through the %" + m.segment() + " segment (thread-local storage), and the kernel's "
                    + "fetch arguments have no segment base");
        }
        if (m.index() != null) {
            throw new Refused("it is indexed (base + index * scale), and the kernel's fetch arguments cannot add two registers");
        }
        if (m.base() == null) {
            return "@" + (m.symbol() == null ? "0x" + Long.toHexString(m.displacement()) : absolute(elf, m.symbol(), m.displacement()));
        }
        if (m.base().equals("rip")) {
            if (m.symbol() == null) {
                throw new Refused("it is relative to the address of an instruction the note does not name");
            }
            return "@+0x" + Long.toHexString(fileRelative(elf, m.symbol(), m.displacement(), probeOffset));
        }
        Part base = PARTS.get(m.base());
        if (base == null || base.bits() != 64) {
            throw new Refused("its address register %" + m.base() + " is not a 64-bit general-purpose register");
        }
        long offset = m.symbol() == null ? m.displacement() : absoluteValue(elf, m.symbol(), m.displacement());
        return (offset < 0 ? "-" + Long.toUnsignedString(-offset) : "+" + offset) + "(%" + base.gpr().ptRegsName() + ")";
    }

    /** A symbol's link-time address as a number: only a file loaded where it was linked (ET_EXEC) has it at run time. */
    private static String absolute(ElfFile elf, String symbol, long addend) throws Refused {
        return "0x" + Long.toHexString(absoluteValue(elf, symbol, addend));
    }

    private static long absoluteValue(ElfFile elf, String symbol, long addend) throws Refused {
        if (elf.type() != ElfFile.ET_EXEC) {
            throw new Refused("it uses the absolute address of " + symbol + ", which the loader moves in a "
                    + "position-independent file, and the kernel's fetch arguments know only the probed file's base");
        }
        return address(elf, symbol) + addend;
    }

    /**
     * The kernel's {@code @+OFFSET} reads at the probe's run-time address minus the probe's file offset, plus
     * OFFSET: the file's load bias plus the link-time delta of the probe's segment. So OFFSET is the variable's
     * link-time address minus that delta (its file offset only when both segments have the same delta).
     */
    private static long fileRelative(ElfFile elf, String symbol, long addend, long probeOffset) throws Refused {
        ProgramHeader text = elf.loadSegmentAt(probeOffset).orElseThrow(
                () -> new Refused("the probe's file offset 0x" + Long.toHexString(probeOffset) + " is in no loaded segment"));
        long offset = address(elf, symbol) + addend - (text.vaddr() - text.offset());
        if (offset < 0) {
            throw new Refused(symbol + " lies below the probed file's base, where @+OFFSET cannot reach");
        }
        return offset;
    }

    private static long address(ElfFile elf, String symbol) throws Refused {
        if (symbol.indexOf('@') >= 0) {
            throw new Refused("its symbol " + symbol + " carries a relocation operator, resolved only by the linker or loader");
        }
        List<ElfSymbol> found = elf.symbols().defined(symbol);
        List<Long> values = found.stream().map(ElfSymbol::value).distinct().toList();
        if (values.isEmpty()) {
            throw new Refused("its symbol " + symbol + " is not in the file's symbol tables (stripped?)");
        }
        if (values.size() > 1) {
            throw new Refused("its symbol " + symbol + " has " + values.size() + " definitions at different addresses");
        }
        return values.getFirst();
    }
}
