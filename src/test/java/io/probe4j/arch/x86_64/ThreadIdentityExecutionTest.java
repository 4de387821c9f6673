package io.probe4j.arch.x86_64;

import static io.probe4j.arch.x86_64.Assembler.Alu.OR;
import static io.probe4j.arch.x86_64.Width.DWORD;
import static io.probe4j.arch.x86_64.Width.QWORD;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the inline engine will read without a system call, read by assembled code and compared with
 * the kernel's answer: the thread id in glibc's thread control block ({@code %fs}), the CPU number
 * ({@code lsl} of the per-CPU segment, {@code rdtscp}, {@code rdpid}), the time-stamp counter.
 */
class ThreadIdentityExecutionTest {
    static final int SYS_GETTID = 186;
    /** Linux's per-CPU GDT entry (GDT_ENTRY_CPUNODE 15, RPL 3): its limit is {@code node << 12 | cpu}. */
    static final int CPUNODE_SELECTOR = 15 * 8 + 3;
    static ExecutableMemory mem;
    static MethodHandle gettid;
    static MethodHandle schedGetcpu;

    @BeforeAll
    static void map() throws Throwable {
        mem = new ExecutableMemory(1 << 20);
        gettid = mem.longs(0, a -> {
            a.mov(QWORD, Gpr.RAX, SYS_GETTID);
            a.syscall();
            a.ret();
        });
        schedGetcpu = ExecutableMemory.function("sched_getcpu", FunctionDescriptor.of(JAVA_INT));
    }

    @AfterAll
    static void unmap() {
        mem.close();
    }

    /** The kernel's id of the calling thread, from procfs. */
    static long procTid() throws Exception {
        return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
    }

    static <T> T onNewThread(Callable<T> job) throws Exception {
        try (var pool = Executors.newSingleThreadExecutor()) {
            return pool.submit(job).get();
        }
    }

    @Test
    void syscallReturnsTheKernelsThreadId() throws Throwable {
        assertEquals(procTid(), (long) gettid.invoke());
        long other = onNewThread(() -> {
            try {
                long t = (long) gettid.invoke();
                assertEquals(procTid(), t);
                return t;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(other != (long) gettid.invoke());
    }

    @Test
    void glibcsThreadIdIsFoundInTheThreadControlBlockThroughFs() throws Throwable {
        MethodHandle fsLoad = mem.longs(1, a -> {
            a.mov(DWORD, Gpr.RAX, Mem.of(Gpr.RDI).on(Mem.Segment.FS));
            a.ret();
        });
        // find the offset by matching known tids, as the inline engine will at attach
        Callable<List<Integer>> candidates = () -> {
            try {
                long tid = (long) gettid.invoke();
                List<Integer> found = new ArrayList<>();
                for (int off = 0; off < 0x400; off += 4) { // struct pthread is larger than this
                    if ((long) fsLoad.invoke((long) off) == tid) {
                        found.add(off);
                    }
                }
                return found;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        };
        List<Integer> offsets = new ArrayList<>(candidates.call());
        offsets.retainAll(onNewThread(candidates));
        assertFalse(offsets.isEmpty(), "no offset of %fs holds the tid on two threads");
        int off = offsets.getFirst();
        System.out.printf("glibc keeps the tid at %%fs:0x%x%n", off);
        MethodHandle tcbTid = mem.longs(0, a -> {
            a.mov(DWORD, Gpr.RAX, Mem.fs(off));
            a.ret();
        });
        assertEquals(procTid(), (long) tcbTid.invoke());
        long[] other = onNewThread(() -> {
            try {
                return new long[] {(long) tcbTid.invoke(), procTid()};
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(other[1], other[0]);
    }

    /** Runs {@code read} between two {@code sched_getcpu} calls; where both agree, it must say the same CPU. */
    static void agreesWithSchedGetcpu(MethodHandle read) throws Throwable {
        int agreed = 0;
        for (int i = 0; i < 1000; i++) {
            int before = (int) schedGetcpu.invokeExact();
            long v = (long) read.invoke();
            int after = (int) schedGetcpu.invokeExact();
            if (before == after) {
                assertEquals(before, v & 0xfff, "CPU number (node << 12 | cpu = 0x" + Long.toHexString(v) + ")");
                agreed++;
            }
        }
        assertTrue(agreed > 0, "the thread never stayed on one CPU across a read");
    }

    @Test
    void lslOfThePerCpuSegmentGivesTheCpuNumber() throws Throwable {
        agreesWithSchedGetcpu(mem.longs(0, a -> {
            a.mov(DWORD, Gpr.RAX, CPUNODE_SELECTOR);
            a.lsl(Gpr.RAX, Gpr.RAX);
            a.ret();
        }));
    }

    /** cpuid(leaf, subleaf): ecx in the low half, edx in the high half. */
    static long cpuid(int leaf, int subleaf) throws Throwable {
        MethodHandle f = mem.longs(2, a -> {
            a.push(Gpr.RBX); // cpuid writes %rbx, which is callee-saved
            a.mov(DWORD, Gpr.RAX, Gpr.RDI);
            a.mov(DWORD, Gpr.RCX, Gpr.RSI);
            a.cpuid();
            a.mov(DWORD, Gpr.RAX, Gpr.RCX);
            a.shift(Assembler.Shift.SHL, QWORD, Gpr.RDX, 32);
            a.alu(OR, QWORD, Gpr.RAX, Gpr.RDX);
            a.pop(Gpr.RBX);
            a.ret();
        });
        return (long) f.invoke((long) leaf, (long) subleaf);
    }

    static boolean cpuinfoFlag(String flag) throws Exception {
        return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("flags")).findFirst().orElseThrow().contains(" " + flag + " ");
    }

    @Test
    void rdtscpAndRdpidGiveTheCpuNumberWhereTheCpuHasThem() throws Throwable {
        boolean rdtscp = (cpuid(0x8000_0001, 0) >>> 32 & 1L << 27) != 0;
        boolean rdpid = (cpuid(7, 0) & 1L << 22) != 0;
        assertEquals(cpuinfoFlag("rdtscp"), rdtscp, "cpuid and /proc/cpuinfo on rdtscp");
        assertEquals(cpuinfoFlag("rdpid"), rdpid, "cpuid and /proc/cpuinfo on rdpid");
        assumeTrue(rdtscp || rdpid, "this CPU has neither rdtscp nor rdpid (lsl is the way here)");
        if (rdtscp) {
            agreesWithSchedGetcpu(mem.longs(0, a -> {
                a.rdtscp();
                a.mov(DWORD, Gpr.RAX, Gpr.RCX);
                a.ret();
            }));
        }
        if (rdpid) {
            agreesWithSchedGetcpu(mem.longs(0, a -> {
                a.rdpid(Gpr.R9);
                a.mov(QWORD, Gpr.RAX, Gpr.R9);
                a.ret();
            }));
        }
    }

    @Test
    void rdtscCountsUp() throws Throwable {
        Consumer<Assembler> edxEax = a -> {
            a.shift(Assembler.Shift.SHL, QWORD, Gpr.RDX, 32);
            a.alu(OR, QWORD, Gpr.RAX, Gpr.RDX);
            a.ret();
        };
        MethodHandle rdtsc = mem.longs(0, a -> {
            a.rdtsc();
            edxEax.accept(a);
        });
        long t0 = (long) rdtsc.invoke();
        Thread.sleep(5);
        long t1 = (long) rdtsc.invoke();
        assertTrue(t1 > t0 && t0 > 0, t0 + " then " + t1);
    }
}
