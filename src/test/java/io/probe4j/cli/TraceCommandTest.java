package io.probe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.engine.kernel.KernelFixtures;
import io.probe4j.testing.Await;
import io.probe4j.testing.Kernel;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code probe4j trace --engine kernel}, run as a separate process as a user runs it. */
@Kernel
class TraceCommandTest {
    static Path bin;
    static String add;
    static String greet;

    @TempDir
    Path tmp;

    @BeforeAll
    static void fixture() {
        bin = KernelFixtures.args();
        add = bin + ":0x" + Long.toHexString(KernelFixtures.fileOffset(bin, "add"));
        greet = bin + ":0x" + Long.toHexString(KernelFixtures.fileOffset(bin, "greet"));
    }

    record Run(int status, String out, String err) {
    }

    static ProcessBuilder probe4j(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd);
    }

    static Run run(List<String> cmd, ProcessBuilder pb) throws Exception {
        Process p = (pb != null ? pb : new ProcessBuilder(cmd)).start();
        p.getOutputStream().close();
        var out = p.getInputStream();
        var err = p.getErrorStream();
        var errText = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(err.readAllBytes(), StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        String outText = new String(out.readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), outText, errText.get());
    }

    @Test
    void theTracedCommandsOutputAndExitStatusAreUnchanged() throws Exception {
        for (List<String> command : List.of(List.of(bin.toString(), "3", "42"),
                List.of("/bin/sh", "-c", "\"$0\" 2; echo to-err >&2; kill -SEGV $$", bin.toString()))) {
            Run plain = run(command, null);
            Path trace = tmp.resolve("trace.txt");
            List<String> args = new ArrayList<>(List.of("trace", "--engine", "kernel", "-o", trace.toString(),
                    "p:add " + add + " a=%di:s32"));
            args.add("--");
            args.addAll(command);
            Run traced = run(null, probe4j(args));
            assertEquals(plain, traced, "stdout, stderr and exit status with and without probe4j");
            assertTrue(Files.readString(trace).contains(" add: ("), Files.readString(trace));
        }
    }

    @Test
    void jsonLinesParseAndCarryTypedValues() throws Exception {
        Path out = tmp.resolve("trace.json");
        Run r = run(null, probe4j(List.of("trace", "--format", "json", "-o", out.toString(),
                "p:add " + add + " a=%di:s32 b=%si:s32 x=%si:x8 c=%di:char",
                "r:greet " + greet + " s=+0($retval):string arr=+0($retval):u8[2]", "--", bin.toString(), "3")));
        assertEquals(0, r.status(), r.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals(6, lines.size(), String.join("\n", lines));
        @SuppressWarnings("unchecked")
        Map<String, Object> second = (Map<String, Object>) MiniJson.parse(lines.get(2));
        assertEquals("add", second.get("event"));
        assertEquals("entry", second.get("probe"));
        @SuppressWarnings("unchecked")
        Map<String, Object> a = (Map<String, Object>) second.get("args");
        assertEquals(new BigDecimal(1), a.get("a"));
        assertEquals(new BigDecimal(-2), a.get("b"));
        assertEquals("0xfe", a.get("x"));
        assertEquals("\u0001", a.get("c"));
        assertInstanceOf(BigDecimal.class, second.get("pid"));
        assertInstanceOf(BigDecimal.class, second.get("timestamp_ns"));
        @SuppressWarnings("unchecked")
        Map<String, Object> g1 = (Map<String, Object>) ((Map<String, Object>) MiniJson.parse(lines.get(3))).get("args");
        assertEquals("wor ld\" x=y", g1.get("s"));
        assertEquals(List.of(new BigDecimal(119), new BigDecimal(111)), g1.get("arr"));
        @SuppressWarnings("unchecked")
        Map<String, Object> g2 = (Map<String, Object>) MiniJson.parse(lines.get(5));
        assertEquals("return", g2.get("probe"));
        assertNull(((Map<?, ?>) g2.get("args")).get("s"), "a faulted string is null");
        assertTrue(((Map<?, ?>) g2.get("args")).containsKey("s"));
    }

    @Test
    void sigtermLeavesNothingInTracefs() throws Exception {
        Process p = probe4j(List.of("trace", "--engine", "kernel", "p:add " + add + " a=%di:s32"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String instance = "probe4j-" + p.pid();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(KernelFixtures.TRACEFS.resolve("instances/" + instance)) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(KernelFixtures.TRACEFS.resolve("instances/" + instance)), "probe4j started its session");
        assertEquals(1, KernelFixtures.tracefsObjectsNamed("probe4j_" + p.pid()).size(), "its event is defined");
        Path pipe = KernelFixtures.TRACEFS.resolve("instances/" + instance + "/trace_pipe");
        Await.until("probe4j to read " + pipe, () -> hasOpen(p.pid(), pipe)); // past the enables
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(143, p.exitValue());
        assertEquals(List.of(), KernelFixtures.tracefsObjectsNamed("probe4j-" + p.pid()));
        assertEquals(List.of(), KernelFixtures.tracefsObjectsNamed("probe4j_" + p.pid()));
    }

    /** Whether process {@code pid} has {@code file} open. */
    static boolean hasOpen(long pid, Path file) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(file);
                } catch (IOException e) {
                    return false; // closed meanwhile
                }
            });
        }
    }

    @Test
    void aMistakeInADefinitionGetsTheKernelsMessageAndCaret() throws Exception {
        Run r = run(null, probe4j(List.of("trace", "p:add " + add + " %rax", "--", "/bin/true")));
        assertEquals(2, r.status());
        String[] lines = r.err().split("\n");
        assertEquals("trace_uprobe: error: Invalid register name", lines[0]);
        assertEquals(lines[1].indexOf("%rax"), lines[2].indexOf('^'), r.err());
    }

    @Test
    void theTrapEngineIsTheDefaultAndExitsWithTheCommandsStatus() throws Exception {
        Run r = run(null, probe4j(List.of("trace", "p:add " + add, "--", "/bin/sh", "-c", "exit 5")));
        assertEquals(5, r.status(), r.err());
        assertTrue(r.out().startsWith("# tracer: nop"), r.out());
    }

    @Test
    void attachingGoesWithoutACommandAndOnlyWithTheTrapEngine() throws Exception {
        Run withCommand = run(null, probe4j(List.of("trace", "-p", "1", "p:add " + add, "--", "/bin/true")));
        assertEquals(2, withCommand.status());
        assertTrue(withCommand.err().contains("-p PID goes with the trap or inline engine and without a COMMAND"), withCommand.err());
        Run kernel = run(null, probe4j(List.of("trace", "--engine", "kernel", "-p", "1", "p:add " + add)));
        assertEquals(2, kernel.status());
    }

    @Test
    void definitionsComeFromAFileToo() throws Exception {
        Path defs = tmp.resolve("defs.txt");
        Files.writeString(defs, "# the add function\n\np:add " + add + " a=%di:s32\n");
        Run withFile = run(null, probe4j(List.of("trace", "--file", defs.toString(), "r:greet " + greet, "--", bin.toString(), "2")));
        Run inline = run(null, probe4j(List.of("trace", "p:add " + add + " a=%di:s32", "r:greet " + greet, "--", bin.toString(), "2")));
        assertEquals(inline.status(), withFile.status(), withFile.err());
        assertEquals(events(inline.out()), events(withFile.out()));
        assertTrue(events(withFile.out()).contains("add: ("), withFile.out());
    }

    /** Trace lines without what differs from run to run: pid, CPU, timestamp, addresses (ASLR). */
    private static String events(String out) {
        return out.lines().filter(l -> l.contains(": (")).map(l -> l.replaceFirst("\\[\\d{3}\\] .{5} +\\d+\\.\\d{6}:", ""))
                .map(l -> l.replaceFirst("-\\d+ ", "-PID ").replaceAll("0x[0-9a-f]+", "0xADDR")).collect(java.util.stream.Collectors.joining("\n"));
    }

    @Test
    void kernelFunctionProbesSayWhatTheKernelLacks() throws Exception {
        Run trap = run(null, probe4j(List.of("trace", "--kprobe", "p:rd vfs_read", "--", "/bin/true")));
        assertEquals(1, trap.status());
        assertTrue(trap.err().contains("need --engine kernel"), trap.err());
        java.util.Optional<String> missing = io.probe4j.spec.KprobeSupport.check();
        Run kernel = run(null, probe4j(List.of("trace", "--engine", "kernel", "--kprobe", "p:rd vfs_read", "--", "/bin/true")));
        if (missing.isPresent()) {
            assertEquals(1, kernel.status(), kernel.err());
            assertTrue(kernel.err().contains(missing.get()), kernel.err());
            assertTrue(!kernel.err().contains("Exception"), kernel.err());
        } else {
            assertEquals(0, kernel.status(), kernel.err());
        }
    }

    @Test
    void anInstructionTheKernelWillNotProbeIsRefusedBeforeAnythingIsCreated() throws Exception {
        // libc's pthread_spin_lock starts with "lock decl": the kernel refuses LOCK-prefixed instructions
        for (String engine : List.of("kernel", "trap")) {
            Run r = run(null, probe4j(List.of("trace", "--engine", engine, "p:spin libc:pthread_spin_lock", "--", "/bin/true")));
            assertEquals(2, r.status(), r.err());
            assertTrue(r.err().contains("cannot be probed") && r.err().contains("LOCK"), r.err());
            assertTrue(!r.err().contains("Exception"), r.err());
        }
    }
}
