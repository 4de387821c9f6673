package io.probe4j.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("integration")
class ProcfsTest {
    @Test
    void mapsParseEveryLineBackToItsText() throws Exception {
        int self = (int) ProcessHandle.current().pid();
        List<String> lines = Files.readAllLines(Path.of("/proc/self/maps"));
        List<Mapping> maps = Procfs.maps(self);
        assertTrue(maps.size() > 10);
        // the JVM maps change all the time; compare a line that does not: the vdso's
        String vdsoLine = lines.stream().filter(l -> l.endsWith("[vdso]")).findFirst().orElseThrow();
        Mapping vdso = maps.stream().filter(m -> m.path().equals("[vdso]")).findFirst().orElseThrow();
        assertEquals(vdsoLine.replaceAll("\\s+", " "), vdso.toString());
        assertTrue(vdso.executable() && vdso.readable() && !vdso.writable());
    }

    @Test
    void fileOffsetsOfAFileMapping() {
        Mapping m = Mapping.parse("7f2c1a629000-7f2c1a7b1000 r-xp 00028000 fe:01 1327  /usr/lib/x86_64-linux-gnu/libc.so.6");
        assertEquals(0x28000, m.offset());
        assertEquals(0x28000 + 0x115a, m.fileOffsetOf(0x7f2c1a629000L + 0x115a));
        assertEquals(0x7f2c1a629000L + 0x115a, m.addressOf(0x28000 + 0x115a));
        assertEquals("/usr/lib/x86_64-linux-gnu/libc.so.6", m.path());
        assertEquals("", Mapping.parse("7ffd1000-7ffd2000 rw-p 00000000 00:00 0").path());
    }

    @Test
    void threadsCommAndLastCpuOfATracee() throws Exception {
        try (Tracee t = Tracee.spin()) {
            List<Integer> tids = Procfs.tasks(t.pid);
            assertEquals(2, tids.size()); // trap_spin runs two threads
            assertEquals(t.pid, tids.getFirst());
            assertEquals("trap_spin", Procfs.comm(t.pid));
            for (int tid : tids) {
                assertEquals("trap_spin", Procfs.comm(t.pid, tid));
                int cpu = Procfs.lastCpu(t.pid, tid);
                assertTrue(cpu >= 0 && cpu < Runtime.getRuntime().availableProcessors(), "cpu " + cpu);
                assertEquals(t.pid, Procfs.tgid(tid));
            }
            assertEquals('t', Procfs.state(t.pid, t.pid));
            assertEquals(ProcessHandle.current().pid(), Procfs.ppid(t.pid));
        }
    }

    @Test
    void aMissingProcessIsESRCH() {
        SysException e = org.junit.jupiter.api.Assertions.assertThrows(SysException.class, () -> Procfs.maps(Integer.MAX_VALUE - 3));
        assertEquals("ESRCH", e.errnoName());
    }

    @Test
    void monotonicClockAgreesWithNanoTime() {
        long a = System.nanoTime();
        long m = Clock.monotonicNanos();
        long b = System.nanoTime();
        assertTrue(a <= m && m <= b, a + " " + m + " " + b); // both read CLOCK_MONOTONIC on Linux
    }
}
