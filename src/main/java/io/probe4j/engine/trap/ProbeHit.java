package io.probe4j.engine.trap;

import io.probe4j.sys.ProcessMemory;
import io.probe4j.sys.Reg;
import io.probe4j.sys.UserRegs;
import java.util.function.Consumer;
import java.util.function.LongBinaryOperator;

/**
 * One hit of a probe point as the engine hands it to {@link ProbeConsumer}s: the thread, where it hit,
 * its registers (which a consumer may change: the thread resumes with them) and its process's memory.
 * Valid only during the consumer call, on the tracer thread.
 */
public final class ProbeHit {
    /** Which handler the hit is for. */
    public enum Kind { ENTRY, POST, RETURN }

    private final Kind kind;
    private final int pid;
    private final int tid;
    private final long address;
    private final long fileOffset;
    private final long returnAddress;
    private final UserRegs regs;
    private final ProcessMemory memory;
    private final ThreadStat stat;
    private final long timestampNs;
    private final Consumer<Runnable> afterResume;
    private LongBinaryOperator returnAddresses = (slot, value) -> value;
    private long mappingsGeneration;
    private boolean statRead;
    boolean regsChanged;

    ProbeHit(Kind kind, int pid, int tid, long address, long fileOffset, long returnAddress, UserRegs regs,
             ProcessMemory memory, ThreadStat stat, long timestampNs, Consumer<Runnable> afterResume) {
        this.kind = kind;
        this.pid = pid;
        this.tid = tid;
        this.address = address;
        this.fileOffset = fileOffset;
        this.returnAddress = returnAddress;
        this.regs = regs;
        this.memory = memory;
        this.stat = stat;
        this.timestampNs = timestampNs;
        this.afterResume = afterResume;
    }

    public Kind kind() {
        return kind;
    }

    /** The process (thread group) id. */
    public int pid() {
        return pid;
    }

    /** The thread id. */
    public int tid() {
        return tid;
    }

    /** The run-time address of the probed instruction (for a return: of the function's entry probe). */
    public long address() {
        return address;
    }

    /** The probed instruction's file offset. */
    public long fileOffset() {
        return fileOffset;
    }

    /** For {@link Kind#RETURN}: where the function returns to; otherwise 0. */
    public long returnAddress() {
        return returnAddress;
    }

    /** The register named as in the kernel's {@code pt_regs} (or {@code fs_base}, {@code gs_base}). */
    public long register(Reg r) {
        return regs.get(r);
    }

    /** Changes a register; the thread resumes with the new value. */
    public void setRegister(Reg r, long value) {
        regs.set(r, value);
        regsChanged = true;
    }

    /**
     * Changes whenever the engine saw the process's mappings change (exec, dlopen, dlclose): a copy of
     * {@code /proc/PID/maps} read under the same value still holds for the libraries (not for what the
     * program maps by itself, such as a JIT's code).
     */
    public long mappingsGeneration() {
        return mappingsGeneration;
    }

    ProbeHit mappingsGeneration(long generation) {
        this.mappingsGeneration = generation;
        return this;
    }

    /** A copy of all registers. */
    public UserRegs registers() {
        return regs.copy();
    }

    public ProcessMemory memory() {
        return memory;
    }

    /** CLOCK_MONOTONIC nanoseconds when the tracer saw the hit. */
    public long timestampNs() {
        return timestampNs;
    }

    /** The thread's name ({@code comm}) at the hit. */
    public String comm() {
        readStat();
        return stat == null ? "<...>" : stat.comm();
    }

    /** The CPU of the hit. */
    public int cpu() {
        readStat();
        return stat == null ? 0 : stat.cpu();
    }

    private void readStat() {
        if (!statRead && stat != null) {
            stat.refresh(memory);
            statRead = true;
        }
    }

    /** Runs {@code work} on the tracer thread once the thread has resumed (see {@code ProbeContext.afterResume}). */
    public void afterResume(Runnable work) {
        afterResume.accept(work);
    }

    /**
     * The return address stack slot {@code slot} really holds, given that it reads {@code value}: where a
     * pending return probe replaced it with its trampoline, the saved one (for stack walks).
     */
    public long originalReturnAddress(long slot, long value) {
        return returnAddresses.applyAsLong(slot, value);
    }

    ProbeHit returnAddresses(LongBinaryOperator original) {
        this.returnAddresses = original;
        return this;
    }

    UserRegs regs() {
        return regs;
    }
}
