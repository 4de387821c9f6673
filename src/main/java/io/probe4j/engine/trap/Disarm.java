package io.probe4j.engine.trap;

import io.probe4j.engine.ptrace.StoppedProcess;
import io.probe4j.engine.ptrace.StoppedThread;
import io.probe4j.sys.Ptrace;
import io.probe4j.sys.Reg;
import io.probe4j.sys.Signals;
import io.probe4j.sys.UserRegs;
import io.probe4j.sys.Wait;
import io.probe4j.sys.WaitStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Taking everything out of a process before the session lets go of it, so that it runs on unharmed:
 * threads inside an XOL slot or at the trampoline are moved to where the original code would be,
 * return addresses that still point at the trampoline get their real value back, the original bytes
 * return under every breakpoint, and the XOL areas are unmapped.
 */
final class Disarm {
    private Disarm() {
    }

    static void clean(ProcessProbes pp, StoppedProcess process) {
        if (pp.owner != pp) {
            // a vfork child shares its parent's memory: only its own hijacked returns are its business
            restoreReturns(pp);
            return;
        }
        for (StoppedThread t : process.threads()) {
            UserRegs r = t.regs();
            long ip = r.ip();
            if (isOurTrap(pp, ip - 1) && trapPending(pp.pid, t.tid())) {
                consumeTrap(t.tid());
                ip -= 1; // the trap was not handled: the instruction there has not run
                r = t.regs();
                r.set(Reg.IP, ip);
            }
            long moved = relocate(pp, t.tid(), ip, r.sp());
            if (moved != ip) {
                t.setRegs(r.set(Reg.IP, moved));
            }
        }
        restoreReturns(pp);
        BreakpointWriter.restore(pp, List.copyOf(pp.breakpoints.values()));
        for (XolArea a : pp.areas) {
            process.munmap(a.start, XolArea.SIZE);
        }
        pp.areas.clear();
    }

    /** Where a thread at {@code ip} continues once the areas are gone and the original bytes are back. */
    private static long relocate(ProcessProbes pp, int tid, long ip, long sp) {
        if (pp.breakpoints.containsKey(ip)) {
            return ip;
        }
        XolArea area = pp.areaContaining(ip);
        if (area == null) {
            return ip;
        }
        if (ip == area.trampoline() || ip == area.trampoline() + 1) {
            ReturnStack.Returned r = pp.returnStack(tid).popAtTrampoline(sp);
            return r == null ? ip : r.resumeAt();
        }
        Breakpoint bp = pp.bySlot.get(area.slotOf(ip));
        return bp == null ? ip : outOfSlot(bp, ip);
    }

    /** Where a thread at {@code ip} inside {@code bp}'s slot continues in the original code. */
    private static long outOfSlot(Breakpoint bp, long ip) {
        long a = bp.slot, b = bp.slot + XolArea.VARIANT_SIZE;
        if (ip == a || ip == b) {
            return bp.addr; // the copy has not run (or is a rep string instruction half done): run the original
        }
        return bp.insn.next(); // the copy ran: only the jump back (or the post int3) is left
    }

    /**
     * Before the slots in {@code freed} (slot address to its former breakpoint, whose original bytes are
     * back) are reused: a thread inside one of them moves to where the original code would be, and one that
     * executed a freed slot's post {@code int3} without its trap being reported yet has that trap taken
     * away (it would come back as a stray SIGTRAP) and goes on after the instruction.
     */
    static void leaveSlots(ProcessProbes pp, StoppedThread t, Map<Long, Breakpoint> freed) {
        UserRegs r = t.regs();
        long ip = r.ip();
        XolArea area = pp.areaContaining(ip);
        Breakpoint in = area == null ? null : freed.get(area.slotOf(ip));
        if (in == null) {
            return;
        }
        if (ip - 1 == in.postTrap() && trapPending(pp.pid, t.tid())) {
            consumeTrap(t.tid());
        }
        t.setRegs(r.set(Reg.IP, outOfSlot(in, ip)));
    }

    private static void restoreReturns(ProcessProbes pp) {
        long trampoline = pp.trampoline();
        for (ReturnStack rs : pp.returns.values()) {
            for (Iterator<ReturnInstance> it = rs.iterator(); it.hasNext(); ) {
                ReturnInstance ri = it.next();
                try {
                    if (pp.memory.readLong(ri.sp()) == trampoline) {
                        pp.memory.write(ri.sp(), Uprobes.le(ri.returnAddress()));
                    }
                } catch (RuntimeException e) {
                    // the frame's stack is gone (a thread that ended): nothing to restore
                }
            }
        }
    }

    private static boolean isOurTrap(ProcessProbes pp, long addr) {
        if (pp.breakpoints.containsKey(addr) || pp.isTrampoline(addr)) {
            return true;
        }
        XolArea area = pp.areaContaining(addr);
        return area != null && pp.bySlot.get(area.slotOf(addr)) instanceof Breakpoint bp && bp.postTrap() == addr;
    }

    /**
     * A thread stopped for the detach right after it executed one of our {@code int3}s, before the
     * kernel reported the {@code SIGTRAP}: that signal is still pending and would kill the program
     * once nobody traces it.
     */
    private static boolean trapPending(int pid, int tid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", "" + pid, "task", "" + tid, "status"))) {
                if (line.startsWith("SigPnd:")) {
                    long mask = Long.parseUnsignedLong(line.substring(7).strip(), 16);
                    return (mask & (1L << (Signals.SIGTRAP - 1))) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /** Lets the thread take the pending {@code SIGTRAP} into a signal-delivery-stop; the detach then drops it. */
    private static void consumeTrap(int tid) {
        Ptrace.cont(tid, 0);
        while (true) {
            WaitStatus ws = Wait.waitpid(tid);
            if (ws.dead() || (ws.event() == 0 && ws.stopSig() == Signals.SIGTRAP)) {
                return;
            }
            Ptrace.cont(tid, ws.event() == 0 ? ws.stopSig() : 0);
        }
    }
}
