package io.probe4j.arch.x86_64;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether a probe address inside a function can be patched with a 5-byte {@code jmp rel32}
 * (the inline engine's way in), as {@code perf probe}'s and uftrace's jump-based patching do:
 * enough whole instructions from the probe address to cover 5 bytes, each of which can run
 * elsewhere, and no branch of the file landing strictly inside the bytes replaced (it would land in
 * the middle of the jump). Every refusal says why, with offsets from the function's start.
 *
 * <p>Rules, beyond "the function is long enough":
 * <ul>
 * <li>only the last displaced instruction may leave the run: a {@code jmp}, {@code ret} or
 *     {@code ud2} earlier would mean the bytes after it are reached only by jumps; a {@code call}
 *     earlier would return into the middle of the patch (the last one is emulated, pushing the
 *     original return address);</li>
 * <li>no {@code int3} (a breakpoint of another tool, or padding) and no {@code syscall}: a thread
 *     blocked in a system call inside a trampoline could never be moved out of it, so the trampoline
 *     could never be taken away;</li>
 * <li>every instruction must be relocatable ({@link Relocator}: no 16-bit or REX2 branch);</li>
 * <li>when several instructions are displaced and the function jumps through a register without a
 *     jump table this scan can read, the targets are unknown and the site is refused (a single
 *     instruction of 5 bytes or more has no inside for a jump to land in, so it is always safe).</li>
 * </ul>
 */
public final class JumpSitePlanner {
    /** The bytes of {@code jmp rel32}. */
    public static final int JUMP_LENGTH = 5;

    private JumpSitePlanner() {
    }

    /** A function of a file: its name (for messages), its address and its bytes (symbol value and size). */
    public record Function(String name, long address, byte[] bytes) {
        long end() {
            return address + bytes.length;
        }

        String at(long a) {
            return a >= address && a < end() ? "+0x" + Long.toHexString(a - address) : "0x" + Long.toHexString(a);
        }
    }

    /** Plans a jump at {@code probe}, an address inside {@code f}; {@code targets} covers the file's code. */
    public static JumpSite plan(Function f, long probe, BranchTargets targets) {
        if (probe < f.address() || probe >= f.end()) {
            return refused(probe, String.format("0x%x is not inside %s (0x%x, %d bytes)", probe, f.name(), f.address(),
                    f.bytes().length));
        }
        if (!startsInstruction(f, probe)) {
            return refused(probe, f.at(probe) + " is not an instruction boundary of " + f.name());
        }
        return planAtBoundary(f, probe, targets);
    }

    /** Plans a jump at every instruction boundary of {@code f}, in address order (the function is decoded once). */
    public static List<JumpSite> planEveryInstruction(Function f, BranchTargets targets) {
        List<JumpSite> out = new ArrayList<>();
        int at = 0;
        while (at < f.bytes().length) {
            out.add(planAtBoundary(f, f.address() + at, targets));
            try {
                at += Decoder.decode(f.bytes(), at, f.bytes().length, f.address() + at).length();
            } catch (UndecodableException e) {
                break;
            }
        }
        return out;
    }

    private static JumpSite planAtBoundary(Function f, long probe, BranchTargets targets) {
        List<Instruction> run = new ArrayList<>();
        int covered = 0;
        while (covered < JUMP_LENGTH) {
            long at = probe + covered;
            if (at >= f.end()) {
                return refused(probe, String.format("%s ends %d bytes after the probe; the jump needs %d", f.name(), covered,
                        JUMP_LENGTH));
            }
            Instruction insn;
            try {
                insn = Decoder.decode(f.bytes(), (int) (at - f.address()), f.bytes().length, at);
            } catch (UndecodableException e) {
                return refused(probe, String.format("the bytes at %s do not decode (%s)", f.at(at), e.reason()));
            }
            boolean last = covered + insn.length() >= JUMP_LENGTH;
            String why = displaceable(insn, last, f);
            if (why != null) {
                return refused(probe, why);
            }
            run.add(insn);
            covered += insn.length();
        }
        long inside = targets.firstInside(probe, probe + covered);
        if (inside >= 0) {
            long source = targets.sourceOf(inside);
            String from = targets.isBoundary(source) ? "a jump at " + f.at(source) : String.format("the jump table at 0x%x", source);
            return refused(probe, String.format("%s lands at %s, inside the %d bytes the jump would replace", from,
                    f.at(inside), covered));
        }
        if (run.size() > 1) {
            long indirect = targets.unresolvedIndirectJump(f.address(), f.end());
            if (indirect >= 0) {
                return refused(probe, String.format("%s jumps through a register at %s (a tail call, or a jump table that "
                        + "cannot be read), so a jump could land inside the %d bytes", f.name(), f.at(indirect), covered));
            }
        }
        return new JumpSite.Patchable(probe, run);
    }

    private static JumpSite refused(long probe, String reason) {
        return new JumpSite.Refused(probe, reason);
    }

    private static boolean startsInstruction(Function f, long probe) {
        int at = 0;
        int want = (int) (probe - f.address());
        while (at < want) {
            try {
                at += Decoder.decode(f.bytes(), at, f.bytes().length, f.address() + at).length();
            } catch (UndecodableException e) {
                return false;
            }
        }
        return at == want;
    }

    /** Why {@code insn} cannot be displaced (as the last of the run, or not), or null. */
    private static String displaceable(Instruction insn, boolean last, Function f) {
        // where the instruction is (f.at) is made only for a refusal: a thousand probes are planned in a cold JVM
        ControlFlow cf = insn.controlFlow();
        switch (cf) {
            case ControlFlow.Int3 i -> {
                return "an int3 at " + f.at(insn.address()) + " (a breakpoint already there, or padding)";
            }
            case ControlFlow.Syscall s -> {
                return "a syscall at " + f.at(insn.address()) + " would run in the trampoline, where a thread blocked in it could "
                        + "never be moved out";
            }
            case ControlFlow.Call c when !last -> {
                return "a call at " + f.at(insn.address()) + " would return inside the bytes the jump replaces";
            }
            case ControlFlow.IndirectCall c when !last -> {
                return "a call at " + f.at(insn.address()) + " would return inside the bytes the jump replaces";
            }
            case ControlFlow.IndirectCall c when c.far() || insn.encoding() != Encoding.LEGACY || insn.hasPrefix(0x66)
                    || usesStackPointer(insn) -> {
                return "the indirect call at " + f.at(insn.address()) + " cannot be emulated (far, 16-bit, or through %rsp)";
            }
            case ControlFlow.Jump j when !last -> {
                return "the jmp at " + f.at(insn.address()) + " ends the run before 5 bytes: what follows it is reached only by jumps";
            }
            case ControlFlow.IndirectJump j when !last -> {
                return "the jmp at " + f.at(insn.address()) + " ends the run before 5 bytes: what follows it is reached only by jumps";
            }
            case ControlFlow.Return r when !last -> {
                return "the ret at " + f.at(insn.address()) + " ends the run before 5 bytes: what follows it is reached only by jumps";
            }
            case ControlFlow.IndirectJump j when j.far() -> {
                return "the far jmp at " + f.at(insn.address()) + " cannot be moved";
            }
            default -> {
            }
        }
        if (!last && isUd2(insn)) {
            return "the ud2 at " + f.at(insn.address()) + " ends the run before 5 bytes: what follows it is reached only by jumps";
        }
        try {
            Relocator.relocate(insn, insn.address());
        } catch (RelocationException e) {
            return "the instruction at " + f.at(insn.address()) + " cannot be moved: " + e.getMessage();
        }
        return null;
    }

    private static boolean isUd2(Instruction insn) {
        return insn.encoding() == Encoding.LEGACY && insn.map() == OpcodeMap.MAP_0F && insn.opcode() == 0x0b;
    }

    /** Whether the instruction's memory operand is addressed through %rsp (base or index). */
    static boolean usesStackPointer(Instruction insn) {
        return insn.mod() != 3 && insn.operand() instanceof Operand.Memory m && (m.base() == Gpr.RSP || m.index() == Gpr.RSP);
    }
}
