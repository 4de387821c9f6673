package io.probe4j.engine.trap;

import io.probe4j.sys.Errno;
import io.probe4j.sys.ProcessMemory;
import io.probe4j.sys.Ptrace;
import io.probe4j.sys.SysException;
import io.probe4j.sys.ProcFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * What the kernel prints as {@code TASK} and {@code CPU#} for a hit of one thread: its name now, and
 * the CPU it hit on. Both are read again at every hit, while the thread is stopped, the cheap way:
 * <ul>
 * <li>the name from {@code /proc/PID/task/TID/comm}, kept open and re-read with one {@code pread}
 *     (about 0.9 µs; a program may rename a thread at any time, and no ptrace event says so);
 * <li>the CPU from the thread's {@code struct rseq}: the kernel keeps its {@code cpu_id} current
 *     whenever the thread runs user code, so at the {@code int3} it names the CPU of the hit. One
 *     {@code process_vm_readv} (about 1.8 µs).
 * </ul>
 * {@code /proc/PID/task/TID/stat} has both, but generating it made each hit 10–15 µs slower on this
 * project's machines (measured with {@code bench/c/minitracer.c} and the trap engine). It remains the
 * way to the CPU for a thread without an rseq registration: glibc before 2.35, static or other libcs,
 * {@code glibc.pthread.rseq=0}, or code that runs before the C library registered it.
 */
final class ThreadStat implements AutoCloseable {
    /** {@code struct rseq { u32 cpu_id_start; u32 cpu_id; ... }}: negative while not registered. */
    private static final int RSEQ_CPU_ID = 4;
    private static final int COMM_FIELD = 2, CPU_FIELD = 39;

    private final int pid;
    private final int tid;
    private final ProcFile commFile;
    private final byte[] buf = new byte[1024];
    private final byte[] cpuId = new byte[4];
    /** Lookups of the rseq area that found none before we stop asking: the C library registers it at thread start. */
    private static final int RSEQ_LOOKUPS = 8;
    /** The thread's rseq area; 0 while unknown. */
    private long rseq;
    private int rseqLookups;
    private ProcFile statFile;
    private String comm;
    private int cpu;

    /** Opens the thread's files; a {@link SysException} when the thread is gone. */
    ThreadStat(int pid, int tid) {
        this.pid = pid;
        this.tid = tid;
        commFile = ProcFile.open(task("comm"));
    }

    private String task(String file) {
        return "/proc/" + pid + "/task/" + tid + "/" + file;
    }

    /** Finds the thread's rseq area, unless known or given up; on the tracer thread, with the thread stopped. */
    void locate() {
        if (rseq != 0 || rseqLookups >= RSEQ_LOOKUPS) {
            return;
        }
        rseqLookups++;
        try {
            rseq = Ptrace.rseqArea(tid);
        } catch (SysException e) {
            if (e.errno() != Errno.EIO && e.errno() != Errno.EINVAL) {
                throw e;
            }
            rseqLookups = RSEQ_LOOKUPS; // a kernel before 5.13
        }
    }

    /** Reads name and CPU again; on the tracer thread, while the thread is stopped. */
    void refresh(ProcessMemory memory) {
        // A thread killed while stopped (SIGKILL) is a zombie until we reap it: its comm and stat still
        // read, its memory no longer does. If even they fail, the last values stand.
        try {
            int n = commFile.read(buf);
            comm = new String(buf, 0, Math.max(0, n - 1), StandardCharsets.ISO_8859_1); // minus the '\n'
            int id = rseqCpu(memory);
            cpu = id >= 0 ? id : statCpu();
        } catch (SysException e) {
            if (comm == null) {
                comm = "<...>"; // what the kernel prints for a name it does not know
            }
        }
    }

    private int rseqCpu(ProcessMemory memory) {
        try {
            if (rseq == 0 || memory.read(rseq + RSEQ_CPU_ID, cpuId) != cpuId.length) {
                return -1;
            }
        } catch (SysException e) {
            return -1; // the process is exiting: no memory any more
        }
        return ByteBuffer.wrap(cpuId).order(ByteOrder.nativeOrder()).getInt();
    }

    /** Field 39 of the stat file: the CPU the thread last ran on. */
    private int statCpu() {
        if (statFile == null) {
            statFile = ProcFile.open(task("stat"));
        }
        int n = statFile.read(buf);
        byte[] b = buf;
        int close = n - 1;
        while (close > 0 && b[close] != ')') { // the name (field 2) may hold ')': the last one closes it
            close--;
        }
        int field = COMM_FIELD + 1, i = close + 2;
        while (field < CPU_FIELD && i < n) {
            if (b[i++] == ' ') {
                field++;
            }
        }
        int v = 0;
        while (i < n && b[i] >= '0' && b[i] <= '9') {
            v = v * 10 + (b[i++] - '0');
        }
        return v;
    }

    String comm() {
        return comm;
    }

    int cpu() {
        return cpu;
    }

    @Override
    public void close() {
        commFile.close();
        if (statFile != null) {
            statFile.close();
        }
    }
}
