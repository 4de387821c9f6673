package io.probe4j.unwind;

import java.util.OptionalLong;

/**
 * Evaluates the DWARF expressions of call-frame information (DWARF 5, section 2.5): a stack machine
 * over 64-bit values with register and memory reads. What CFI uses are the PLT's CFA
 * ({@code breg7 8; breg16 0; lit15; and; lit11; ge; lit3; shl; plus}) and glibc's signal trampoline
 * ({@code breg7 160; deref} and friends); the whole arithmetic, stack and control-flow set is here, so
 * hand-written assembly CFI works too. Location operations ({@code DW_OP_reg*}, pieces) have no
 * value and are refused.
 */
final class DwarfExpression {
    private static final int MAX_STEPS = 10_000;

    private final long[] stack = new long[64];
    private int depth;

    private DwarfExpression() {
    }

    /**
     * The expression's value.
     *
     * @param initial pushed before the evaluation (the CFA, for register rules), or empty
     */
    static long evaluate(byte[] expression, RegisterFile regs, MemoryReader memory, OptionalLong initial) {
        DwarfExpression e = new DwarfExpression();
        if (initial.isPresent()) {
            e.push(initial.getAsLong());
        }
        return e.run(new ByteCursor(expression, 0, "a DWARF expression"), regs, memory);
    }

    private long run(ByteCursor c, RegisterFile regs, MemoryReader memory) {
        int steps = 0;
        while (!c.atLimit()) {
            if (++steps > MAX_STEPS) {
                throw new CfiException("a DWARF expression ran more than " + MAX_STEPS + " steps (a loop?)");
            }
            int op = c.u8();
            if (op >= 0x30 && op <= 0x4f) { // DW_OP_lit0..31
                push(op - 0x30);
                continue;
            }
            if (op >= 0x70 && op <= 0x8f) { // DW_OP_breg0..31
                push(regs.require(op - 0x70, "DW_OP_breg") + c.sleb128());
                continue;
            }
            switch (op) {
                case 0x03 -> push(c.u64()); // DW_OP_addr (link-time: only meaningful in non-PIE files)
                case 0x06 -> push(deref(memory, pop(), 8));
                case 0x08 -> push(c.u8());
                case 0x09 -> push((byte) c.u8());
                case 0x0a -> push(c.u16());
                case 0x0b -> push((short) c.u16());
                case 0x0c -> push(c.u32());
                case 0x0d -> push((int) c.u32());
                case 0x0e, 0x0f -> push(c.u64());
                case 0x10 -> push(c.uleb128());
                case 0x11 -> push(c.sleb128());
                case 0x12 -> push(peek(0)); // dup
                case 0x13 -> pop(); // drop
                case 0x14 -> push(peek(1)); // over
                case 0x15 -> push(peek(c.u8())); // pick
                case 0x16 -> { // swap
                    long a = pop();
                    long b = pop();
                    push(a);
                    push(b);
                }
                case 0x17 -> { // rot: the top moves below the next two
                    long a = pop();
                    long b = pop();
                    long d = pop();
                    push(a);
                    push(d);
                    push(b);
                }
                case 0x19 -> push(Math.abs(pop()));
                case 0x1a -> push(pop() & pop());
                case 0x1b -> { // div (signed)
                    long b = pop();
                    long a = pop();
                    if (b == 0) {
                        throw new CfiException("a DWARF expression divides by zero");
                    }
                    push(a / b);
                }
                case 0x1c -> { // minus
                    long b = pop();
                    push(pop() - b);
                }
                case 0x1d -> { // mod (unsigned)
                    long b = pop();
                    long a = pop();
                    if (b == 0) {
                        throw new CfiException("a DWARF expression divides by zero");
                    }
                    push(Long.remainderUnsigned(a, b));
                }
                case 0x1e -> push(pop() * pop());
                case 0x1f -> push(-pop());
                case 0x20 -> push(~pop());
                case 0x21 -> push(pop() | pop());
                case 0x22 -> push(pop() + pop());
                case 0x23 -> push(pop() + c.uleb128()); // plus_uconst
                case 0x24 -> { // shl
                    long b = pop();
                    push(b >= 64 ? 0 : pop() << b);
                }
                case 0x25 -> { // shr
                    long b = pop();
                    push(b >= 64 ? 0 : pop() >>> b);
                }
                case 0x26 -> { // shra
                    long b = pop();
                    push(pop() >> Math.min(b, 63));
                }
                case 0x27 -> push(pop() ^ pop());
                case 0x28 -> { // bra
                    int delta = (short) c.u16();
                    if (pop() != 0) {
                        c.seek(c.position() + delta);
                    }
                }
                case 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e -> { // eq ge gt le lt ne, signed as DWARF says
                    long b = pop();
                    long a = pop();
                    boolean r = switch (op) {
                        case 0x29 -> a == b;
                        case 0x2a -> a >= b;
                        case 0x2b -> a > b;
                        case 0x2c -> a <= b;
                        case 0x2d -> a < b;
                        default -> a != b;
                    };
                    push(r ? 1 : 0);
                }
                case 0x2f -> { // skip
                    int delta = (short) c.u16();
                    c.seek(c.position() + delta);
                }
                case 0x92 -> { // bregx
                    long reg = c.uleb128();
                    push(regs.require((int) Math.min(reg, Integer.MAX_VALUE), "DW_OP_bregx") + c.sleb128());
                }
                case 0x94 -> { // deref_size
                    int size = c.u8();
                    if (size < 1 || size > 8) {
                        throw new CfiException("DW_OP_deref_size of " + size + " bytes");
                    }
                    push(deref(memory, pop(), size));
                }
                case 0x96 -> { // nop
                }
                default -> throw new CfiException(String.format(
                        "DWARF expression operation 0x%02x is not supported in call-frame information", op));
            }
        }
        if (depth == 0) {
            throw new CfiException("a DWARF expression left nothing on its stack");
        }
        return pop();
    }

    private static long deref(MemoryReader memory, long address, int size) {
        byte[] b = new byte[size];
        if (memory.read(address, b) != size) {
            throw new CfiException(String.format("a DWARF expression reads unreadable memory at 0x%x", address));
        }
        return ByteCursor.littleEndian(b, 0, size);
    }

    private void push(long v) {
        if (depth == stack.length) {
            throw new CfiException("a DWARF expression's stack overflowed");
        }
        stack[depth++] = v;
    }

    private long pop() {
        if (depth == 0) {
            throw new CfiException("a DWARF expression pops an empty stack");
        }
        return stack[--depth];
    }

    private long peek(int fromTop) {
        if (fromTop >= depth) {
            throw new CfiException("a DWARF expression picks below its stack");
        }
        return stack[depth - 1 - fromTop];
    }
}
