package io.probe4j.unwind;

import io.probe4j.sys.Mapping;
import io.probe4j.sys.SysException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * The kernel's {@code userstacktrace} trace option, computed and printed as x86-64 Linux does it, so the
 * trap engine's lines are the kernel engine's. The walk is {@code arch_stack_walk_user()}: the pc, then
 * the frame-pointer chain from {@code rbp} ({@code [fp]} the caller's fp, {@code [fp+8]} the return
 * address) without any call-frame information, ending at an unreadable frame, a frame below the thread's
 * {@code sp}, a zero return address, or {@link #ENTRIES} addresses. Return addresses are taken as they are
 * in memory: a pending return probe's trampoline shows as itself (the kernel's {@code [uprobes]} page),
 * not as the caller it will return to. At a function's first instruction {@code rbp} is still the
 * caller's, so the kernel's stack skips the immediate caller there; so does this.
 *
 * <p>The text is {@code trace_user_stack_print()}/{@code seq_print_user_ip()}: one {@code " => "} line per
 * address, {@code " <%016lx>"} for it, or with {@code sym-userobj} the mapped file's path and
 * {@code [+0x%lx]} (the address minus the start of its mapping, not a file offset) for addresses in a
 * file mapping, the address in {@code <>} after it only with {@code sym-addr}.
 */
public final class KernelUserStack {
    /** {@code FTRACE_STACK_ENTRIES}: the size of the kernel's {@code userstack_entry}. */
    public static final int ENTRIES = 8;
    /** {@code TASK_SIZE_MAX} with 4-level page tables: the user address range a frame must lie in. */
    private static final long TASK_SIZE_MAX = 0x7ffffffff000L;
    private static final int FRAME = 16;

    private KernelUserStack() {
    }

    /**
     * The addresses the kernel records.
     *
     * @param ip the pc the kernel starts from: the probed instruction, or a return probe's return address
     */
    public static long[] walk(long ip, long sp, long bp, MemoryReader memory) {
        memory = new PageCache(memory); // a page a read: the frames are on one or two stack pages
        long[] out = new long[ENTRIES];
        int n = 0;
        out[n++] = ip;
        long fp = bp;
        while (n < ENTRIES) {
            if (Long.compareUnsigned(fp, TASK_SIZE_MAX - FRAME) > 0) {
                break; // not a user address: the kernel's access_ok() refuses it
            }
            OptionalLong next = memory.readLong(fp);
            OptionalLong ret = memory.readLong(fp + 8);
            if (next.isEmpty() || ret.isEmpty() || Long.compareUnsigned(fp, sp) < 0 || ret.getAsLong() == 0) {
                break;
            }
            out[n++] = ret.getAsLong();
            fp = next.getAsLong();
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * What follows {@code " => "} on each line, as the kernel prints it.
     *
     * @param pid     the process, whose mappings name the files for {@code sym-userobj}; 0 without it
     * @param symAddr the {@code sym-addr} option: the address also where the file is named
     * @param maps    the process's mappings, kept across hits: read again only when an address of the stack
     *                lies outside all of those read before (reading them at every hit cost 60–250 µs). The
     *                kernel names the objects as they are mapped when it prints; a mapping replaced in place
     *                by another file, with no address of the stack leaving the mappings, is named here as it
     *                was when last read.
     */
    public static List<String> text(long[] addresses, int pid, boolean symAddr, MappingsCache maps) {
        List<Mapping> mappings = null;
        if (pid > 0) {
            try {
                mappings = maps.covering(pid, addresses);
            } catch (SysException exited) {
                // the kernel's case of a process that has exited by the time the stack is printed: bare addresses
            }
        }
        return text(addresses, mappings, symAddr);
    }

    static List<String> text(long[] addresses, List<Mapping> mappings, boolean symAddr) {
        List<String> out = new ArrayList<>(addresses.length);
        for (long ip : addresses) {
            StringBuilder b = new StringBuilder();
            Mapping vma = mappings == null ? null : findVma(mappings, ip);
            boolean file = vma != null && vma.inode() != 0;
            if (file) {
                b.append(vma.path()).append("[+0x").append(Long.toHexString(ip - vma.start())).append(']');
            }
            if (symAddr || !file) {
                b.append(String.format(" <%016x>", ip));
            }
            out.add(b.toString());
        }
        return out;
    }

    /** The kernel's {@code find_vma()}: the first mapping ending above {@code ip}, which need not contain it. */
    private static Mapping findVma(List<Mapping> mappings, long ip) {
        Mapping best = null;
        for (Mapping m : mappings) {
            if (Long.compareUnsigned(m.end(), ip) > 0 && (best == null || Long.compareUnsigned(m.start(), best.start()) < 0)) {
                best = m;
            }
        }
        return best;
    }
}
