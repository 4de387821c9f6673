package io.probe4j.unwind;

import io.probe4j.sys.Mapping;
import io.probe4j.sys.Procfs;
import io.probe4j.unwind.UserStack.Reason;
import io.probe4j.unwind.UserStack.Stop;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Walks a stopped thread's user stack from its registers and memory, as gdb and libgcc do: each frame's
 * caller through the {@code .eh_frame} call-frame information of the object its pc is in; where there
 * is none, through the frame-pointer chain if {@code rbp} looks like one, so code without CFI (a JIT's,
 * shown as {@code [unknown] ([anon])}) does not end the walk. Objects are opened once per unwinder and
 * kept; one unwinder serves any number of walks and processes.
 *
 * <p>The default depth is 127 frames: the kernel's default {@code kernel.perf_event_max_stack}, which
 * perf's and bpftrace's user stacks are cut at too, so stacks compare with theirs frame for frame. (The
 * kernel's own {@code userstacktrace} option keeps 8; a caller formatting that cuts the walk there.)
 */
public final class Unwinder {
    /** The default frame limit (see the class comment). */
    public static final int DEFAULT_MAX_DEPTH = 127;

    private final ObjectCache objects = new ObjectCache();
    private final int maxDepth;

    public Unwinder() {
        this(DEFAULT_MAX_DEPTH);
    }

    public Unwinder(int maxDepth) {
        if (maxDepth < 1) {
            throw new IllegalArgumentException("a stack has at least one frame, not " + maxDepth);
        }
        this.maxDepth = maxDepth;
    }

    /** As {@link #unwind(RegisterFile, MemoryReader, int, ReturnAddressFixer)} with nothing hijacked. */
    public UserStack unwind(RegisterFile regs, MemoryReader memory, int pid) {
        return unwind(regs, memory, pid, ReturnAddressFixer.NONE);
    }

    /**
     * As {@link #unwind(RegisterFile, MemoryReader, List, ReturnAddressFixer)} with the mappings of process
     * {@code pid} from {@code maps} under {@code generation}: read again, and the walk done again, when it met
     * an address outside every cached mapping (code mapped since they were read).
     */
    public UserStack unwind(RegisterFile regs, MemoryReader memory, MappingsCache maps, int pid, long generation,
                            ReturnAddressFixer fixer) {
        UserStack s = unwind(regs, memory, maps.get(pid, generation), fixer);
        boolean missed = s.stop().reason() == Reason.NOT_EXECUTABLE || s.frames().stream().anyMatch(f -> f.object().equals("[unknown]"));
        return missed ? unwind(regs, memory, maps.refresh(pid, generation), fixer) : s;
    }

    /**
     * The stack of a stopped thread.
     *
     * @param regs   its registers (rip, rsp and rbp at least; all general ones are best)
     * @param memory its process's memory
     * @param pid    its process, whose mappings ({@code /proc/PID/maps}) say which object each address is in
     * @param fixer  gives back return addresses a return probe replaced
     */
    public UserStack unwind(RegisterFile regs, MemoryReader memory, int pid, ReturnAddressFixer fixer) {
        return unwind(regs, memory, Procfs.maps(pid), fixer);
    }

    /** As {@link #unwind(RegisterFile, MemoryReader, int, ReturnAddressFixer)} over mappings read already. */
    UserStack unwind(RegisterFile regs, MemoryReader memory, List<Mapping> mappings, ReturnAddressFixer fixer) {
        if (!regs.isKnown(DwarfRegister.RA) || !regs.isKnown(DwarfRegister.RSP)) {
            throw new IllegalArgumentException("unwinding needs at least the ip and sp registers, got " + regs);
        }
        AddressSpace space = new AddressSpace(mappings, objects);
        memory = new PageCache(memory);
        List<Frame> frames = new ArrayList<>();
        RegisterFile current = regs.copy();
        boolean exactPc = true; // the innermost frame, or one a signal interrupted: its pc is not a return address
        Frame.Source source = Frame.Source.REGISTERS;
        while (true) {
            long pc = current.ip();
            long lookup = exactPc ? pc : pc - 1;
            Frame frame = space.frame(pc, lookup, source);
            frames.add(frame);
            if (frames.size() >= maxDepth) {
                return new UserStack(frames, new Stop(Reason.DEPTH_LIMIT, "the limit of " + maxDepth + " frames"));
            }
            UnwindStep step = step(space, current, lookup, frame, frames.size() == 1, memory, fixer);
            if (step instanceof UnwindStep.Ended e) {
                return new UserStack(frames, e.stop());
            }
            UnwindStep.Next next = (UnwindStep.Next) step;
            if (next.signalFrame() && lookup != pc) {
                // A signal trampoline is "returned to" at its first byte: its name is at pc, not before it.
                frame = space.frame(pc, pc, source);
                frames.set(frames.size() - 1, frame);
            }
            RegisterFile caller = next.regs();
            if (caller.ip() == 0) {
                return new UserStack(frames, new Stop(Reason.ZERO_RETURN_ADDRESS, "the return address of " + frame + " is 0"));
            }
            if (!next.signalFrame() && Long.compareUnsigned(caller.sp(), current.sp()) <= 0) {
                return new UserStack(frames, new Stop(Reason.NO_PROGRESS, String.format(
                        "the stack pointer of %s's caller (0x%x) is not above its own (0x%x)", frame, caller.sp(), current.sp())));
            }
            current = caller;
            exactPc = next.signalFrame();
            source = next.source();
        }
    }

    private static UnwindStep step(AddressSpace space, RegisterFile regs, long lookup, Frame frame, boolean innermost,
                             MemoryReader memory, ReturnAddressFixer fixer) {
        Optional<Mapping> mapping = space.mappingAt(lookup);
        if (mapping.isEmpty() || !mapping.get().executable()) {
            return new UnwindStep.Ended(new Stop(Reason.NOT_EXECUTABLE, String.format("0x%x is not in executable memory%s",
                    regs.ip(), mapping.map(m -> " (" + m + ")").orElse(""))));
        }
        Mapping m = mapping.get();
        Optional<LoadedObject> object = space.objectOf(m);
        String cfiProblem = null;
        if (object.isPresent()) {
            LoadedObject o = object.get();
            OptionalLong vaddr = AddressSpace.vaddrOf(o, m, lookup);
            Optional<CallFrameInfo> cfi = o.cfi();
            cfiProblem = o.cfiProblem().orElse(null);
            if (vaddr.isPresent() && cfi.isPresent()) {
                try {
                    Optional<Fde> fde = cfi.get().fdeFor(vaddr.getAsLong());
                    if (fde.isPresent()) {
                        return CfiStep.apply(cfi.get(), fde.get(), vaddr.getAsLong(), regs, memory, fixer, frame);
                    }
                } catch (CfiException e) {
                    return new UnwindStep.Ended(new Stop(Reason.BAD_CFI, e.getMessage()));
                }
            }
        }
        // No CFI here. At a function's first instruction the return address is at [sp]; elsewhere only
        // a frame-pointer chain can lead on.
        if (innermost && frame.symbol().isPresent() && frame.offset() == 0) {
            long slot = regs.sp();
            OptionalLong ra = memory.readLong(slot);
            if (ra.isEmpty()) {
                return UnwindStep.unreadable(slot, "the return address at [sp] of " + frame);
            }
            RegisterFile caller = regs.copy().set(DwarfRegister.RSP, slot + 8).set(DwarfRegister.RA, fixer.original(slot, ra.getAsLong()));
            return new UnwindStep.Next(caller, false, Frame.Source.ENTRY);
        }
        return framePointerStep(regs, memory, fixer, frame, cfiProblem);
    }

    private static UnwindStep framePointerStep(RegisterFile regs, MemoryReader memory, ReturnAddressFixer fixer, Frame frame,
                                         String cfiProblem) {
        String why = cfiProblem != null ? cfiProblem : "no call-frame information covers " + frame;
        long bp = regs.get(DwarfRegister.RBP);
        if (!regs.isKnown(DwarfRegister.RBP) || (bp & 7) != 0 || Long.compareUnsigned(bp, regs.sp()) < 0) {
            return new UnwindStep.Ended(new Stop(Reason.NO_UNWIND_INFO, why + String.format(
                    ", and rbp (0x%x) is not a frame pointer above sp (0x%x)", bp, regs.sp())));
        }
        OptionalLong savedBp = memory.readLong(bp);
        OptionalLong ra = memory.readLong(bp + 8);
        if (savedBp.isEmpty() || ra.isEmpty()) {
            return new UnwindStep.Ended(new Stop(Reason.NO_UNWIND_INFO, why + String.format(
                    ", and rbp (0x%x) does not point to readable memory", bp)));
        }
        RegisterFile caller = new RegisterFile()
                .set(DwarfRegister.RSP, bp + 16)
                .set(DwarfRegister.RBP, savedBp.getAsLong())
                .set(DwarfRegister.RA, fixer.original(bp + 8, ra.getAsLong()));
        return new UnwindStep.Next(caller, false, Frame.Source.FRAME_POINTER);
    }
}
