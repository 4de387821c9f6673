package io.probe4j.arch.x86_64;

import java.util.Map;
import java.util.OptionalLong;

/**
 * An instruction carried out by the engine instead of executed out of line, as the kernel does for
 * branches and pushes ({@code branch_emulate_op}, {@code push_emulate_op}): cheaper than a slot,
 * and the only correct way for instructions whose effect depends on their own address.
 */
public sealed interface Emulation {

    /** The effect for these registers; {@code memory} is read only by {@link Return} and {@link IndirectCall}. */
    Effect apply(Registers regs, Registers.Memory memory);

    /** {@code jmp rel}: continue at {@code target}. */
    record Jump(long target) implements Emulation {
        public Effect apply(Registers regs, Registers.Memory memory) {
            return Effect.jumpTo(target, regs.get(Gpr.RSP));
        }
    }

    /** {@code nop}, {@code nopl}, {@code pause}, {@code endbr64}: continue at {@code next}. */
    record Nop(long next) implements Emulation {
        public Effect apply(Registers regs, Registers.Memory memory) {
            return Effect.jumpTo(next, regs.get(Gpr.RSP));
        }
    }

    /** {@code jcc rel}: {@code target} if the condition holds for RFLAGS, else {@code next}. */
    record ConditionalJump(Condition condition, long target, long next) implements Emulation {
        public Effect apply(Registers regs, Registers.Memory memory) {
            return Effect.jumpTo(condition.holds(regs.flags()) ? target : next, regs.get(Gpr.RSP));
        }
    }

    /** {@code call rel32}: push {@code returnAddress}, continue at {@code target}. */
    record Call(long target, long returnAddress) implements Emulation {
        public Effect apply(Registers regs, Registers.Memory memory) {
            return Effect.push(target, regs.get(Gpr.RSP), returnAddress);
        }
    }

    /** {@code call *r/m}: read the target, push {@code returnAddress}, continue at the target. */
    record IndirectCall(Operand operand, long returnAddress) implements Emulation {
        public Effect apply(Registers regs, Registers.Memory memory) {
            return Effect.push(operand.read(regs, memory), regs.get(Gpr.RSP), returnAddress);
        }
    }

    /** {@code ret}, {@code ret imm16}: pop the return address, release {@code popBytes} more. */
    record Return(int popBytes) implements Emulation {
        public Effect apply(Registers regs, Registers.Memory memory) {
            long sp = regs.get(Gpr.RSP);
            return Effect.jumpTo(memory.read64(sp), sp + 8 + popBytes);
        }
    }

    /** {@code push reg}: push the register's value (for {@code push %rsp}, the value before the push). */
    record Push(Gpr register, long next) implements Emulation {
        public Effect apply(Registers regs, Registers.Memory memory) {
            return Effect.push(next, regs.get(Gpr.RSP), regs.get(register));
        }
    }

    /** {@code loop}, {@code loope}, {@code loopne} (decrement {@code rcx}) and {@code jrcxz}. */
    record Loop(ControlFlow.LoopKind kind, long target, long next) implements Emulation {
        public Effect apply(Registers regs, Registers.Memory memory) {
            long rcx = regs.get(Gpr.RCX);
            long sp = regs.get(Gpr.RSP);
            if (kind == ControlFlow.LoopKind.JRCXZ) {
                return Effect.jumpTo(rcx == 0 ? target : next, sp);
            }
            long count = rcx - 1;
            boolean zf = (regs.flags() & Condition.ZF) != 0;
            boolean taken = count != 0 && switch (kind) {
                case LOOPE -> zf;
                case LOOPNE -> !zf;
                default -> true;
            };
            return new Effect(taken ? target : next, sp, OptionalLong.empty(), Map.of(Gpr.RCX, count));
        }
    }
}
