package io.probe4j.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("integration")
class RemoteSyscallTest {
    @Test
    void getpidRunsInTheTraceeAndRegistersComeBackUnchanged() throws Exception {
        try (Tracee t = Tracee.spin()) {
            UserRegs before = Ptrace.getRegs(t.pid);
            RemoteSyscall rs = new RemoteSyscall(t.pid, t.memory);
            assertEquals(t.pid, rs.invokeRaw(t.pid, RemoteSyscall.SYS_GETPID));
            assertEquals(before, Ptrace.getRegs(t.pid));
        }
    }

    @Test
    void mmapNearGivesAnExecutablePageWithin2GiBAndMunmapRemovesIt() throws Exception {
        try (Tracee t = Tracee.spin()) {
            RemoteSyscall rs = new RemoteSyscall(t.pid, t.memory);
            Mapping text = Procfs.maps(t.pid).stream().filter(m -> m.executable() && m.path().endsWith("trap_spin")).findFirst().orElseThrow();
            long slot = rs.mmapNear(t.pid, text.start(), 100, "probe4j-test");
            Mapping m = Procfs.maps(t.pid).stream().filter(x -> x.contains(slot)).findFirst().orElseThrow();
            assertEquals(slot, m.start());
            assertEquals(4096, m.end() - m.start());
            assertEquals("r-xp", m.perms());
            // named where the kernel can name anonymous memory (CONFIG_ANON_VMA_NAME; prctl says EINVAL otherwise)
            boolean namingSupported = rs.invokeRaw(t.pid, RemoteSyscall.SYS_PRCTL, 0x53564d41L, 0, slot, 4096, 0) != -Errno.EINVAL;
            assertEquals(namingSupported ? "[anon:probe4j-test]" : "", m.path());
            assertTrue(Math.abs(slot - text.start()) < (1L << 31));
            t.memory.writeForced(slot, new byte[] {(byte) 0xcc, (byte) 0xc3});
            assertEquals((byte) 0xc3, t.memory.readFully(slot + 1, 1)[0]);
            rs.munmap(t.pid, slot, 100);
            assertTrue(Procfs.maps(t.pid).stream().noneMatch(x -> x.contains(slot)));
        }
    }

    @Test
    void aWriteOfHundredsOfKilobytesIntoReadOnlyCodeArrivesWholeAndReadsBackRangeByRange() throws Exception {
        // the size of a thousand trampolines: written in pieces, read back in one process_vm_readv of many ranges
        try (Tracee t = Tracee.spin()) {
            RemoteSyscall rs = new RemoteSyscall(t.pid, t.memory);
            Mapping text = Procfs.maps(t.pid).stream().filter(m -> m.executable() && m.path().endsWith("trap_spin")).findFirst().orElseThrow();
            int size = 300 * 1024 + 123;
            long area = rs.mmapNear(t.pid, text.start(), size, "probe4j-test");
            byte[] code = new byte[size];
            new java.util.Random(42).nextBytes(code);
            t.memory.writeForced(area, code);
            assertArrayEquals(code, t.memory.readForced(area, size));
            int[] lengths = new int[1000];
            long[] at = new long[lengths.length];
            for (int i = 0; i < at.length; i++) {
                at[i] = area + (long) i * 307;
                lengths[i] = 1 + i % 17;
            }
            byte[][] back = t.memory.readEach(at, lengths);
            for (int i = 0; i < at.length; i++) {
                int from = i * 307;
                assertArrayEquals(java.util.Arrays.copyOfRange(code, from, from + lengths[i]), back[i], "range " + i);
            }
            rs.munmap(t.pid, area, size);
        }
    }

    @Test
    void aFailingRemoteCallNamesTheErrno() throws Exception {
        try (Tracee t = Tracee.spin()) {
            RemoteSyscall rs = new RemoteSyscall(t.pid, t.memory);
            SysException e = assertThrows(SysException.class, () -> rs.munmap(t.pid, 0x1001, 4096)); // unaligned
            assertEquals("munmap in process " + t.pid + " failed with EINVAL while unmapping 0x1001", e.getMessage());
        }
    }

    @Test
    void freeGapSearchStaysWithin2GiBAndAvoidsMappings() {
        List<Mapping> maps = List.of(
                Mapping.parse("555555554000-555555556000 r--p 00000000 08:01 1 /bin/x"),
                Mapping.parse("555555556000-555555558000 r-xp 00002000 08:01 1 /bin/x"),
                Mapping.parse("555555558000-55555555a000 rw-p 00004000 08:01 1 /bin/x"));
        long at = RemoteSyscall.freeGapNear(maps, 0x555555556000L, 4096);
        assertTrue(at == 0x55555555a000L || at == 0x555555553000L, Long.toHexString(at));
    }
}
