package io.probe4j.engine.trap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.testing.Kernel;
import io.probe4j.testing.Skip;
import io.probe4j.testing.UsdtFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JDK 17 HotSpot's own USDT probes ({@code libjvm.so}, 531 notes nobody here wrote), traced by name
 * under both engines with the kernel as the oracle: thread starts with their names, every class loaded
 * with its name, the VM's initialisation, a sleep (a probe at two places) and a forced {@code System.gc()}. None of these probes needs
 * a flag or has a semaphore (the method, monitor and allocation probes need {@code -XX:+DTraceMethodProbes},
 * {@code +DTraceMonitorProbes}, {@code +DTraceAllocProbes}). Threads interleave differently from run to
 * run, so the events are compared as multisets of what is the same in every run (names, lengths, flags;
 * not addresses or thread ids).
 */
@Timeout(600)
@Kernel
class UsdtHotSpotTest {
    private static final Pattern THREAD = Pattern.compile("\\|ts: \\(0x[0-9a-f]+\\) arg1=\\d+ arg2=(\\d+) arg3=\\d+ arg4=\\d+ arg5=(\\d) name=\"(.*)\"$");
    /**
     * A class name is not NUL-terminated where class__loaded points (its length is arg2): the string fetch
     * reads on into whatever follows, which differs from run to run and may hold a newline that ends the
     * line there. Only the first arg2 bytes are compared.
     */
    private static final Pattern CLASS = Pattern.compile("\\|cl: \\(0x[0-9a-f]+\\) arg1=\\d+ arg2=(\\d+) arg3=\\d+ arg4=(\\d) name=\"(.*)$");

    private static Path java() {
        Optional<Path> java = UsdtFixtures.java17();
        Skip.PLATFORM.unless(java.isPresent(), "no JDK 17 under /usr/lib/jvm");
        return java.get();
    }

    /** Thread starts as "name len daemon"; class loads as "name len shared" (the name cut to its length). */
    static List<String> stable(List<String> events) {
        List<String> out = new ArrayList<>();
        for (String e : events) {
            Matcher t = THREAD.matcher(e);
            Matcher c = CLASS.matcher(e);
            if (t.find()) {
                out.add("thread " + t.group(3) + " " + t.group(1) + " " + t.group(2));
            } else if (c.find()) {
                out.add("class " + c.group(3).substring(0, Integer.parseInt(c.group(1))) + " " + c.group(1) + " " + c.group(2));
            } else {
                out.add(e.substring(e.indexOf('|', e.indexOf('|') + 1) + 1).replaceFirst("\\(0x[0-9a-f]+\\)", "(ADDR)"));
            }
        }
        return out.stream().sorted().toList();
    }

    private static List<String> definitions() {
        Path jvm = UsdtFixtures.requireLibjvm17();
        return List.of("p:ts " + jvm + ":hotspot:thread__start name=+0(%r13):string",
                "p:cl " + jvm + ":hotspot:class__loaded name=+0(%dx):string",
                "p:vm_init " + jvm + ":hotspot:vm__init__end",
                "p:gc_begin " + jvm + ":hotspot:gc__begin", "p:gc_end " + jvm + ":hotspot:gc__end",
                "p:sleep_end " + jvm + ":hotspot:thread__sleep__end");
    }

    @Test
    void javaVersionUnderBothEngines() throws Exception {
        List<String> cmd = List.of(java().toString(), "-Xshare:auto", "-version");
        BothEngines.Run kernel = BothEngines.run("kernel", definitions(), cmd);
        BothEngines.Run trap = BothEngines.run("trap", definitions(), cmd);
        assertEquals(0, kernel.status(), kernel.err());
        assertEquals(0, trap.status(), trap.err());
        List<String> k = stable(kernel.events());
        assertEquals(k, stable(trap.events()));
        assertTrue(k.contains("thread Reference Handler 17 1") && k.contains("thread Finalizer 9 1")
                && k.contains("thread Signal Dispatcher 17 1"), k.toString());
        assertTrue(k.contains("class java/lang/Object 16 1") && k.contains("class java/lang/String 16 1"), k.toString());
        assertTrue(k.stream().filter(e -> e.startsWith("class ")).count() > 300, k.size() + " events");
        assertEquals(1, k.stream().filter(e -> e.startsWith("vm_init: ")).count());
    }

    @Test
    void aProgramThatStartsAThreadAndForcesAGarbageCollection() throws Exception {
        Path dir = Files.createTempDirectory("usdt_hotspot");
        try {
            Files.writeString(dir.resolve("UsdtGc.java"), """
                    public class UsdtGc {
                        public static void main(String[] args) throws Exception {
                            Thread t = new Thread(() -> System.out.println("worker"), "usdt-worker");
                            t.start();
                            t.join();
                            Thread sleeper = new Thread(() -> {
                                try {
                                    Thread.sleep(60_000);
                                } catch (InterruptedException e) {
                                    System.out.println("interrupted");
                                }
                            }, "usdt-sleeper");
                            sleeper.start();
                            while (sleeper.getState() != Thread.State.TIMED_WAITING) {
                                Thread.onSpinWait();
                            }
                            sleeper.interrupt();
                            sleeper.join();
                            Thread.sleep(20);
                            System.gc();
                            System.out.println("gc done");
                        }
                    }
                    """);
            Process javac = new ProcessBuilder(java().resolveSibling("javac").toString(), "-d", dir.toString(),
                    dir.resolve("UsdtGc.java").toString()).redirectErrorStream(true).start();
            assertEquals(0, javac.waitFor(), new String(javac.getInputStream().readAllBytes()));
            List<String> cmd = List.of(java().toString(), "-cp", dir.toString(), "UsdtGc");
            BothEngines.Run kernel = BothEngines.run("kernel", definitions(), cmd);
            BothEngines.Run trap = BothEngines.run("trap", definitions(), cmd);
            assertEquals("worker\ninterrupted\ngc done\n", kernel.programOut());
            assertEquals(kernel.programOut(), trap.programOut());
            List<String> k = stable(kernel.events());
            assertEquals(k, stable(trap.events()));
            assertTrue(k.contains("thread usdt-worker 11 0"), k.toString());
            assertTrue(k.contains("class UsdtGc 6 0"), k.toString());
            assertEquals(1, k.stream().filter(e -> e.equals("gc_begin: (ADDR) arg1=1")).count(), "one full collection: " + k);
            assertEquals(1, k.stream().filter(e -> e.equals("gc_end: (ADDR)")).count(), k.toString());
            // a probe at two places (-4@$0 when the sleep ended normally, -4@$1 when interrupted): one event
            assertEquals(1, k.stream().filter(e -> e.equals("sleep_end: (ADDR) arg1=0")).count(), k.toString());
            assertEquals(1, k.stream().filter(e -> e.equals("sleep_end: (ADDR) arg1=1")).count(), k.toString());

            // a filter on that event holds at both places
            List<String> filtered = List.of("p:sleep_end " + UsdtFixtures.requireLibjvm17() + ":hotspot:thread__sleep__end",
                    "--filter", "sleep_end: arg1 == 0");
            BothEngines.Run kf = BothEngines.run("kernel", filtered, cmd);
            BothEngines.Run tf = BothEngines.run("trap", filtered, cmd);
            assertEquals(List.of("sleep_end: (ADDR) arg1=0"), stable(kf.events()));
            assertEquals(stable(kf.events()), stable(tf.events()));
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }
}
