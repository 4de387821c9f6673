package io.probe4j.unwind;

import io.probe4j.unwind.UserStack.Reason;
import io.probe4j.unwind.UserStack.Stop;
import java.util.OptionalLong;

/**
 * One step outwards by a row of call-frame information: the CFA from its rule, then each register of
 * the caller from its rule, reading the callee's registers and the stack (DWARF 5, section 6.4.1). The
 * caller's rsp is the CFA unless a rule says otherwise (the x86-64 psABI's definition of the CFA).
 */
final class CfiStep {
    private CfiStep() {
    }

    static UnwindStep apply(CallFrameInfo cfi, Fde fde, long vaddr, RegisterFile regs, MemoryReader memory,
                            ReturnAddressFixer fixer, Frame frame) {
        UnwindRow row = cfi.rowAt(fde, vaddr);
        int ra = fde.cie().returnAddressRegister();
        if (ra != DwarfRegister.RA_COLUMN) {
            throw new CfiException("the CIE of " + frame + " keeps the return address in " + DwarfRegister.name(ra)
                    + ", not in column 16");
        }
        long cfa = switch (row.cfa()) {
            case CfaRule.RegisterOffset ro -> {
                if (!regs.isKnown(ro.register())) {
                    regs.require(ro.register(), "the CFA rule of " + frame); // throws, naming the register
                }
                yield regs.value(ro.register()) + ro.offset();
            }
            case CfaRule.Expression e -> DwarfExpression.evaluate(e.expression(), regs, memory, OptionalLong.empty());
        };
        if (!row.hasRule(ra)) {
            throw new CfiException("the CFI of " + frame + " has no rule for the return address");
        }
        RegisterFile caller = regs.copy();
        for (int column = 0; column < DwarfRegister.COUNT; column++) {
            if (!row.hasRule(column)) {
                continue; // by convention, unchanged
            }
            RegisterRule rule = row.rule(column);
            long slot;
            switch (rule) {
                case RegisterRule.Undefined u -> {
                    if (column == ra) {
                        return new UnwindStep.Ended(new Stop(Reason.END_OF_STACK,
                                frame + " is the outermost frame (its return address is undefined)"));
                    }
                    caller.forget(column);
                    continue;
                }
                case RegisterRule.SameValue s -> {
                    continue;
                }
                case RegisterRule.ValOffset v -> {
                    caller.set(column, cfa + v.offset());
                    continue;
                }
                case RegisterRule.InRegister r -> {
                    if (regs.isKnown(r.register())) {
                        caller.set(column, regs.value(r.register()));
                    } else {
                        caller.forget(column);
                    }
                    continue;
                }
                case RegisterRule.IsExpression e -> {
                    caller.set(column, DwarfExpression.evaluate(e.expression(), regs, memory, OptionalLong.of(cfa)));
                    continue;
                }
                case RegisterRule.Offset o -> slot = cfa + o.offset();
                case RegisterRule.AtExpression e -> slot = DwarfExpression.evaluate(e.expression(), regs, memory, OptionalLong.of(cfa));
            }
            OptionalLong value = memory.readLong(slot);
            if (value.isEmpty()) {
                return UnwindStep.unreadable(slot, column == ra ? "the return address of " + frame
                        : "the saved " + DwarfRegister.name(column) + " of " + frame);
            }
            caller.set(column, column == ra ? fixer.original(slot, value.getAsLong()) : value.getAsLong());
        }
        if (!row.hasRule(DwarfRegister.RSP_COLUMN)) {
            caller.set(DwarfRegister.RSP_COLUMN, cfa);
        }
        return new UnwindStep.Next(caller, fde.cie().signalFrame(), Frame.Source.CFI);
    }
}
