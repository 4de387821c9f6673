package io.probe4j.engine.inline;

import io.probe4j.arch.x86_64.TrampolineGenerator;
import io.probe4j.engine.ptrace.StoppedThread;
import io.probe4j.sys.ProcessMemory;
import io.probe4j.sys.Ptrace;
import io.probe4j.sys.Reg;
import io.probe4j.sys.SysException;
import java.util.List;
import java.util.Optional;

/**
 * Where a traced process's C library keeps each thread's identity, found in the stopped process as
 * the trampolines will read it: the {@code %fs} offset holding the thread id (glibc's
 * {@code struct pthread.tid}) is the one that holds each stopped thread's own id, and the CPU number
 * is in the thread's registered {@code struct rseq} ({@code PTRACE_GET_RSEQ_CONFIGURATION}), else
 * the trampolines use {@code lsl}.
 */
final class ThreadIdentity {
    /** glibc's offset on x86-64, preferred when several offsets happen to hold the id. */
    private static final int GLIBC_TID = 0x2d0;
    private static final int SCAN = 0x1000;

    private ThreadIdentity() {
    }

    /** The layout, or empty while the first thread has no thread pointer yet (the loader has not set it up). */
    static Optional<TrampolineGenerator.ThreadLayout> find(List<StoppedThread> threads, ProcessMemory memory) {
        int candidates = -1; // bit set of word offsets / 4, kept in a boolean array below
        boolean[] holds = null;
        int rseq = -1;
        boolean rseqKnown = false;
        for (StoppedThread t : threads) {
            long fs = t.regs().get(Reg.FS_BASE);
            if (fs == 0) {
                return Optional.empty();
            }
            byte[] block = new byte[SCAN];
            int got = memory.read(fs, block);
            boolean[] here = new boolean[SCAN / 4];
            for (int off = 0; off + 4 <= got; off += 4) {
                here[off / 4] = le32(block, off) == t.tid();
            }
            if (holds == null) {
                holds = here;
            } else {
                for (int i = 0; i < holds.length; i++) {
                    holds[i] &= here[i];
                }
            }
            if (!rseqKnown) {
                rseqKnown = true;
                rseq = rseqCpu(t.tid(), fs);
            }
        }
        if (holds == null) {
            return Optional.empty();
        }
        if (holds[GLIBC_TID / 4]) {
            candidates = GLIBC_TID;
        } else {
            for (int i = 0; i < holds.length && candidates < 0; i++) {
                if (holds[i]) {
                    candidates = i * 4;
                }
            }
        }
        if (candidates < 0) {
            throw new IllegalStateException("no word of the threads' control blocks holds their thread ids "
                    + "(not glibc?): the inline engine cannot tell threads apart");
        }
        return Optional.of(new TrampolineGenerator.ThreadLayout(candidates, rseq));
    }

    /** The {@code cpu_id} of the thread's rseq area as an offset from its thread pointer, or -1. */
    private static int rseqCpu(int tid, long fs) {
        try {
            long area = Ptrace.rseqArea(tid);
            long off = area - fs + 4;
            return area != 0 && off == (int) off ? (int) off : -1;
        } catch (SysException e) {
            return -1; // a kernel before 5.13: lsl it is
        }
    }

    private static int le32(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }
}
