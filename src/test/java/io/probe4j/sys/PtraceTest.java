package io.probe4j.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("integration")
class PtraceTest {
    private static Mapping text(int pid) {
        return Procfs.maps(pid).stream().filter(m -> m.executable() && m.path().endsWith("trap_spin")).findFirst().orElseThrow();
    }

    @Test
    void registersRoundTripThroughSetRegs() throws Exception {
        try (Tracee t = Tracee.spin()) {
            UserRegs before = Ptrace.getRegs(t.pid);
            assertEquals(0x33, before.get(Reg.CS)); // user code segment on x86-64
            UserRegs changed = before.copy().set(Reg.R12, 0x1234_5678_9abcL).set(Reg.BX, -1);
            Ptrace.setRegs(t.pid, changed);
            assertEquals(changed, Ptrace.getRegs(t.pid));
            Ptrace.setRegs(t.pid, before);
            assertEquals(before, Ptrace.getRegs(t.pid));
        }
    }

    @Test
    void registerTableUsesTheKernelsPtRegsNames() {
        assertEquals(Reg.AX, Reg.byName("ax").orElseThrow());
        assertEquals(Reg.ORIG_AX, Reg.byName("orig_ax").orElseThrow());
        assertTrue(Reg.byName("rax").isEmpty());
        assertEquals(16 * 8, Reg.IP.offset()); // offsetof(struct user_regs_struct, rip)
        assertEquals(19 * 8, Reg.SP.offset());
        assertTrue(Reg.SS.inPtRegs());
        assertTrue(!Reg.FS_BASE.inPtRegs());
    }

    @Test
    void processVmReadvAgreesWithPeekData() throws Exception {
        try (Tracee t = Tracee.spin()) {
            long at = text(t.pid).start();
            byte[] bytes = t.memory.readFully(at, 64);
            for (int i = 0; i < 64; i += 8) {
                long word = Ptrace.peekData(t.pid, at + i);
                assertEquals(word, ByteBuffer.wrap(bytes, i, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
            }
            assertArrayEquals(bytes, t.memory.readForced(at, 64));
        }
    }

    @Test
    void writesReachReadOnlyTextThroughProcMemAndNotTheFile() throws Exception {
        try (Tracee t = Tracee.spin()) {
            Mapping text = text(t.pid);
            assertTrue(!text.writable());
            long at = text.start() + 16;
            byte[] original = t.memory.readFully(at, 4);
            t.memory.write(at, new byte[] {(byte) 0xcc}); // process_vm_writev refuses r-x: falls back to /proc/PID/mem
            assertEquals((byte) 0xcc, t.memory.readFully(at, 1)[0]);
            t.memory.write(at, new byte[] {original[0]});
            assertArrayEquals(original, t.memory.readFully(at, 4));
            byte[] onDisk = java.nio.file.Files.readAllBytes(java.nio.file.Path.of(text.path()));
            assertEquals(original[0], onDisk[(int) text.fileOffsetOf(at)]);
        }
    }

    @Test
    void pokeDataWritesAWord() throws Exception {
        try (Tracee t = Tracee.spin()) {
            long sp = Ptrace.getRegs(t.pid).sp() - 256; // below the stack pointer: unused red-zone-free space
            Ptrace.pokeData(t.pid, sp, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, t.memory.readLong(sp));
        }
    }

    @Test
    void readingAnUnmappedAddressReadsNothing() throws Exception {
        try (Tracee t = Tracee.spin()) {
            assertEquals(0, t.memory.read(8, new byte[16]));
            SysException e = assertThrows(SysException.class, () -> t.memory.readFully(8, 16));
            assertEquals("EFAULT", e.errnoName());
        }
    }

    @Test
    void failuresNameTheCallTheErrnoAndWhatWasBeingDone() {
        // this thread traces nothing: the kernel answers ESRCH
        SysException e = assertThrows(SysException.class, () -> Ptrace.getRegs(1));
        assertEquals("ptrace(PTRACE_GETREGS) failed with ESRCH while reading the registers (thread 1)", e.getMessage());
        assertEquals(Errno.ESRCH, e.errno());
        SysException w = assertThrows(SysException.class, () -> Wait.waitpid(-1, Wait.WNOHANG));
        assertEquals("ECHILD", w.errnoName());
        assertTrue(w.getMessage().startsWith("waitpid failed with ECHILD"), w.getMessage());
    }

    @Test
    void signalDeliveryStopReportsTheSiginfo() throws Exception {
        try (Tracee t = Tracee.spin()) {
            Signals.tgkill(t.pid, t.pid, Signals.SIGUSR2);
            Ptrace.cont(t.pid, 0);
            WaitStatus ws;
            do {
                ws = Wait.waitpid(t.pid);
                if (ws.event() == Ptrace.EVENT_STOP) {
                    Ptrace.cont(t.pid, 0);
                }
            } while (ws.event() != 0);
            assertEquals(Signals.SIGUSR2, ws.stopSig());
            SigInfo si = Ptrace.getSigInfo(t.pid);
            assertEquals(Signals.SIGUSR2, si.signo());
            assertEquals(SigInfo.SI_TKILL, si.code());
            assertEquals(ProcessHandle.current().pid(), si.pid());
            assertNotEquals(0, Ptrace.getRegs(t.pid).ip());
        }
    }

    @Test
    void signalNamesAndWaitStatusDecoding() {
        assertEquals("SIGTRAP", Signals.name(5));
        assertEquals("SIGRTMIN+2", Signals.name(36));
        WaitStatus killed = new WaitStatus(7, 0x8b); // SIGSEGV, core dumped
        assertTrue(killed.signaled() && killed.coreDumped());
        assertEquals(11, killed.termSig());
        WaitStatus exec = new WaitStatus(7, (Ptrace.EVENT_EXEC << 16) | (Signals.SIGTRAP << 8) | 0x7f);
        assertTrue(exec.stopped());
        assertEquals(Ptrace.EVENT_EXEC, exec.event());
        assertEquals(3, new WaitStatus(7, 3 << 8).exitCode());
    }

    @Test
    void waitidWithNowaitLooksWithoutTakingTheStatus() throws Exception {
        try (Tracee t = Tracee.spin()) {
            Signals.tgkill(t.pid, t.pid, Signals.SIGUSR1);
            Ptrace.cont(t.pid, 0);
            SigInfo seen = Wait.waitid(t.pid, Wait.WSTOPPED | Wait.WEXITED | Wait.WNOWAIT).orElseThrow();
            assertEquals(t.pid, seen.pid());
            assertEquals(Wait.CLD_TRAPPED, seen.code());
            // still there for waitpid: the same stop
            WaitStatus ws = Wait.waitpid(t.pid);
            assertEquals(seen.status(), ws.stopSig() | (ws.event() << 8));
            assertTrue(Wait.waitid(t.pid, Wait.WSTOPPED | Wait.WNOHANG).isEmpty());
        }
    }
}
