package io.probe4j.sys;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a system call inside a traced process: saves a stopped thread's registers, points its
 * {@code ip} at a {@code syscall} instruction (one found in the {@code [vdso]}, or two bytes
 * written over the current instruction and put back afterwards), loads the arguments,
 * single-steps, reads {@code ax} and restores registers and bytes.
 *
 * <p>Call from the tracer thread, with {@code tid} in a ptrace-stop that is not a group-stop
 * (an event stop or a {@code PTRACE_INTERRUPT} stop is best: a signal-delivery-stop works too,
 * but the signal's {@code siginfo} is replaced when it is delivered after a stop of our own).
 * A signal that arrives during the step is held back and re-sent with {@code tgkill} afterwards.
 */
public final class RemoteSyscall {
    public static final int SYS_MMAP = 9, SYS_MUNMAP = 11, SYS_GETPID = 39, SYS_EXECVE = 59, SYS_PRCTL = 157;
    public static final int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    public static final int MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20, MAP_FIXED_NOREPLACE = 0x100000;
    private static final long PR_SET_VMA = 0x53564d41L, PR_SET_VMA_ANON_NAME = 0;
    private static final byte[] SYSCALL_INSN = {0x0f, 0x05};
    private static final long PAGE = 4096, TWO_GIB = 1L << 31, LOWEST = 1L << 16;

    private final int pid;
    private final ProcessMemory memory;
    private long syscallInsn; // 0: not searched yet, -1: none in the vdso

    public RemoteSyscall(int pid, ProcessMemory memory) {
        this.pid = pid;
        this.memory = memory;
    }

    /** The process exec'ed: the vdso moved. */
    public void execHappened() {
        syscallInsn = 0;
    }

    /**
     * Runs system call {@code nr} with up to six arguments in thread {@code tid}.
     *
     * @return the kernel's return value (negative errno on failure, as {@code ax} holds it)
     */
    public long invokeRaw(int tid, int nr, long... args) {
        if (args.length > 6) {
            throw new IllegalArgumentException("a system call takes at most 6 arguments");
        }
        UserRegs saved = Ptrace.getRegs(tid);
        long at = syscallAddress();
        byte[] overwritten = null;
        if (at == -1) { // no vdso: borrow the bytes at ip
            at = saved.ip();
            overwritten = memory.readForced(at, 2);
            memory.writeForced(at, SYSCALL_INSN);
        }
        List<Integer> heldSignals = new ArrayList<>();
        try {
            UserRegs r = saved.copy();
            // orig_ax = -1: "not in a system call", so the kernel's restart logic leaves our ip alone
            r.set(Reg.IP, at).set(Reg.AX, nr).set(Reg.ORIG_AX, -1);
            Reg[] argRegs = {Reg.DI, Reg.SI, Reg.DX, Reg.R10, Reg.R8, Reg.R9};
            for (int i = 0; i < args.length; i++) {
                r.set(argRegs[i], args[i]);
            }
            Ptrace.setRegs(tid, r);
            long result = step(tid, at + 2, heldSignals);
            return result;
        } finally {
            if (overwritten != null) {
                memory.writeForced(at, overwritten);
            }
            Ptrace.setRegs(tid, saved);
            for (int sig : heldSignals) {
                Signals.tgkill(pid, tid, sig);
            }
        }
    }

    /** As {@link #invokeRaw}, throwing a {@link SysException} naming {@code what} when the call fails. */
    public long invoke(int tid, String name, String doing, int nr, long... args) {
        long rc = invokeRaw(tid, nr, args);
        if (rc < 0 && rc >= -4095) {
            throw new SysException(name + " in process " + pid, (int) -rc, doing);
        }
        return rc;
    }

    /**
     * Maps {@code len} bytes of anonymous {@code r-x} memory within ±2 GiB of {@code near} (so that
     * rel32 jumps and RIP-relative operands reach it), naming it {@code [anon:NAME]} where the kernel
     * supports that. Write to it with {@link ProcessMemory#writeForced}.
     *
     * @return the mapping's address
     */
    public long mmapNear(int tid, long near, long len, String name) {
        long size = (len + PAGE - 1) & -PAGE;
        long addr = freeGapNear(Procfs.maps(pid), near, size);
        long got = invoke(tid, "mmap", "mapping " + size + " bytes near 0x" + Long.toHexString(near), SYS_MMAP,
                addr, size, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        if (got != addr) { // kernels before 4.17 treat NOREPLACE as a hint
            invokeRaw(tid, SYS_MUNMAP, got, size);
            throw new SysException("mmap in process " + pid, Errno.EEXIST, "mapping at 0x" + Long.toHexString(addr));
        }
        if (name != null) {
            byte[] cname = (name + "\0").getBytes(StandardCharsets.US_ASCII);
            memory.writeForced(got, cname);
            invokeRaw(tid, SYS_PRCTL, PR_SET_VMA, PR_SET_VMA_ANON_NAME, got, size, got); // best effort
            memory.writeForced(got, new byte[cname.length]);
        }
        return got;
    }

    /** {@code munmap(addr, len)} in the process. */
    public void munmap(int tid, long addr, long len) {
        invoke(tid, "munmap", "unmapping 0x" + Long.toHexString(addr), SYS_MUNMAP, addr, (len + PAGE - 1) & -PAGE);
    }

    /**
     * Makes thread {@code tid} call {@code execve(path, argv, envp)}, with the strings copied into a
     * scratch mapping of the process (which the exec discards). Needs {@code PTRACE_O_TRACEEXEC}.
     *
     * @return the {@code PTRACE_EVENT_EXEC} stop of the new program, which has run no instruction yet
     * @throws SysException if {@code execve} failed (the registers are restored then)
     */
    public WaitStatus execve(int tid, String path, List<String> argv, Environment envp) {
        java.io.ByteArrayOutputStream strings = new java.io.ByteArrayOutputStream();
        List<Integer> offsets = new ArrayList<>();
        List<byte[]> all = new ArrayList<>();
        all.add(path.getBytes(StandardCharsets.UTF_8));
        argv.forEach(a -> all.add(a.getBytes(StandardCharsets.UTF_8)));
        for (int i = 0; i < envp.size(); i++) {
            all.add(envp.entry(i));
        }
        for (byte[] str : all) {
            offsets.add(strings.size());
            strings.writeBytes(str);
            strings.write(0);
        }
        int tableAt = (strings.size() + 7) & -8;
        int size = tableAt + 8 * (argv.size() + envp.size() + 2);
        long buf = invoke(tid, "mmap", "making room for the arguments of " + path, SYS_MMAP,
                0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        java.nio.ByteBuffer image = java.nio.ByteBuffer.allocate(size).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        image.put(strings.toByteArray());
        image.position(tableAt);
        for (int i = 1; i <= argv.size(); i++) {
            image.putLong(buf + offsets.get(i));
        }
        image.putLong(0);
        for (int i = argv.size() + 1; i < all.size(); i++) {
            image.putLong(buf + offsets.get(i));
        }
        image.putLong(0);
        memory.write(buf, image.array());
        long argvAt = buf + tableAt, envpAt = argvAt + 8L * (argv.size() + 1);

        UserRegs saved = Ptrace.getRegs(tid);
        UserRegs r = saved.copy().set(Reg.IP, syscallAddress()).set(Reg.AX, SYS_EXECVE).set(Reg.ORIG_AX, -1)
                .set(Reg.DI, buf).set(Reg.SI, argvAt).set(Reg.DX, envpAt);
        if (r.ip() == -1) {
            throw new SysException("execve in process " + pid, Errno.ENOSYS, "finding a syscall instruction in the [vdso]");
        }
        Ptrace.setRegs(tid, r);
        while (true) {
            Ptrace.singleStep(tid, 0);
            WaitStatus ws = Wait.waitpid(tid);
            if (ws.dead()) {
                throw new SysException("execve in process " + pid, Errno.ESRCH, "starting " + path + ": " + ws);
            }
            if (ws.event() == Ptrace.EVENT_EXEC) {
                return ws;
            }
            if (ws.event() == 0 && ws.stopSig() == Signals.SIGTRAP) {
                long rc = Ptrace.getRegs(tid).ax();
                if (rc < 0) {
                    Ptrace.setRegs(tid, saved);
                    invokeRaw(tid, SYS_MUNMAP, buf, size);
                    throw new SysException("execve", (int) -rc, "starting " + path);
                }
            }
            // any other stop (a signal before the step): suppress it and step again
        }
    }

    /** The page-aligned start of a free gap of {@code size} bytes closest to {@code near}, within ±2 GiB. */
    static long freeGapNear(List<Mapping> maps, long near, long size) {
        long best = -1, bestDist = Long.MAX_VALUE;
        long prevEnd = LOWEST;
        for (int i = 0; i <= maps.size(); i++) {
            long gapStart = prevEnd;
            long gapEnd = i < maps.size() ? maps.get(i).start() : 0x7fff_ffff_f000L;
            if (i < maps.size() && maps.get(i).path().equals("[stack]")) {
                gapEnd -= 1L << 20; // leave room for the stack to grow
            }
            if (gapEnd - gapStart >= size) {
                // the candidate nearest to `near` inside [gapStart, gapEnd - size]
                long c = Math.min(Math.max(near & -PAGE, gapStart), gapEnd - size);
                long dist = Math.abs(c - near);
                if (dist < bestDist && Math.abs(c + size - near) < TWO_GIB) {
                    best = c;
                    bestDist = dist;
                }
            }
            if (i < maps.size()) {
                prevEnd = Math.max(prevEnd, maps.get(i).end());
            }
        }
        if (best < 0 || bestDist >= TWO_GIB) {
            throw new SysException("mmap", 12 /* ENOMEM */, "looking for " + size + " free bytes within 2 GiB of 0x" + Long.toHexString(near));
        }
        return best;
    }

    private long step(int tid, long after, List<Integer> heldSignals) {
        while (true) {
            Ptrace.singleStep(tid, 0);
            WaitStatus ws = Wait.waitpid(tid);
            if (ws.dead()) {
                throw new SysException("remote system call", Errno.ESRCH, "running a system call in thread " + tid + ": " + ws);
            }
            if (ws.event() == 0 && ws.stopSig() != Signals.SIGTRAP) {
                heldSignals.add(ws.stopSig());
                continue;
            }
            UserRegs r = Ptrace.getRegs(tid);
            if (r.ip() == after) {
                return r.ax();
            }
        }
    }

    private long syscallAddress() {
        if (syscallInsn == 0) {
            syscallInsn = -1;
            for (Mapping m : Procfs.maps(pid)) {
                if (m.path().equals("[vdso]") && m.executable()) {
                    byte[] code = memory.readForced(m.start(), (int) (m.end() - m.start()));
                    for (int i = 0; i + 1 < code.length; i++) {
                        if (code[i] == 0x0f && code[i + 1] == 0x05) {
                            syscallInsn = m.start() + i;
                            break;
                        }
                    }
                }
            }
        }
        return syscallInsn;
    }
}
