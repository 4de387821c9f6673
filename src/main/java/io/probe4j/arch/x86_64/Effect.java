package io.probe4j.arch.x86_64;

import java.util.Map;
import java.util.OptionalLong;

/**
 * What an emulated instruction does, as data for an engine to apply: first, if {@code store} is
 * present, write its 8 bytes at {@code sp}; then set the registers in {@code registers}, the stack
 * pointer to {@code sp} and the instruction pointer to {@code ip}.
 *
 * @param ip the new instruction pointer
 * @param sp the new stack pointer
 * @param store a value pushed on the stack, stored at the new {@code sp}
 * @param registers other registers written (e.g. {@code rcx} by {@code loop})
 */
public record Effect(long ip, long sp, OptionalLong store, Map<Gpr, Long> registers) {
    public Effect {
        registers = Map.copyOf(registers);
    }

    /** Only the instruction pointer changes. */
    static Effect jumpTo(long ip, long sp) {
        return new Effect(ip, sp, OptionalLong.empty(), Map.of());
    }

    /** Push {@code value}, then continue at {@code ip}. */
    static Effect push(long ip, long oldSp, long value) {
        return new Effect(ip, oldSp - 8, OptionalLong.of(value), Map.of());
    }
}
