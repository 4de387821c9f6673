package io.probe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.engine.kernel.KernelFixtures;
import io.probe4j.testing.Cli;
import io.probe4j.testing.Fixtures;
import io.probe4j.testing.Kernel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code probe4j trace --options userstacktrace[,sym-userobj]}: the trap engine prints the user stack the
 * live kernel prints, line for line; and {@code --ustack}, probe4j's own unwind, in text and JSON.
 */
@Tag("integration")
@Timeout(180)
class UserStackTraceTest {
    /** With frame pointers: the kernel's walk follows it. */
    static Path withFramePointers() {
        return Fixtures.compileAs("ustack_fp", "ustack_fp.c", "-fno-omit-frame-pointer");
    }

    /** Without: only the .eh_frame unwind gets through. */
    static Path withoutFramePointers() {
        return Fixtures.compileAs("ustack_nofp", "ustack_fp.c", "-O2", "-fomit-frame-pointer");
    }

    @Test
    @Kernel
    void theTrapEnginePrintsTheUserStacksTheKernelPrints() throws Exception {
        Path bin = withFramePointers();
        for (String options : List.of("userstacktrace", "userstacktrace,sym-userobj", "userstacktrace,sym-userobj,sym-addr")) {
            List<String> kernel = trace("kernel", options, bin);
            List<String> trap = trace("trap", options, bin);
            assertEquals(kernel, trap, options);
            assertEquals(List.of(), KernelFixtures.tracefsObjectsNamed("probe4j-" + ProcessHandle.current().pid()),
                    "the session's instance, and its options with it, are gone");
            // Three leaf hits: two through outer and middle, one at the bottom of a recursion of 12.
            List<List<String>> stacks = stacks(kernel);
            assertEquals(3, stacks.size(), kernel::toString);
            assertEquals(8, stacks.get(2).size(), "the kernel keeps 8 entries");
            if (options.contains("sym-userobj")) {
                // the leaf (entry probe) and outer's return address: at a first instruction rbp is still the
                // caller's, so the kernel's frame-pointer walk skips middle
                assertEquals(bin + "[+0x", stacks.getFirst().getFirst().substring(0, bin.toString().length() + 4), kernel::toString);
                assertTrue(stacks.getFirst().get(3).contains("libc.so.6[+0x"), kernel::toString);
                assertEquals(options.endsWith("sym-addr"), stacks.getFirst().getFirst().endsWith(">"), kernel::toString);
            } else {
                assertTrue(stacks.getFirst().getFirst().matches(" <0000[0-9a-f]{12}>"), kernel::toString);
            }
        }
    }

    @Test
    void ustackUnwindsThroughCodeWithoutFramePointers() {
        Path bin = withoutFramePointers();
        Cli.Result r = Cli.run("trace", "--ustack", "p:leaf " + bin + ":leaf", "--", bin.toString(), "12", "0");
        assertEquals(0, r.status(), r.err());
        List<List<String>> stacks = stacks(List.of(r.out().split("\n")));
        assertEquals(3, stacks.size(), r.out());
        List<String> first = stacks.getFirst();
        assertEquals("leaf (" + bin + ")", first.get(0).trim(), r.out());
        assertTrue(first.get(1).startsWith("middle+0x") && first.get(2).startsWith("outer+0x") && first.get(3).startsWith("main+0x"),
                r.out());
        assertTrue(first.getLast().startsWith("_start+0x"), r.out());
        // recurse(12) .. recurse(1); recurse(0) tail-calls leaf at -O2, so its frame is leaf's
        assertEquals(12, stacks.get(2).stream().filter(l -> l.startsWith("recurse+0x")).count(), r.out());
    }

    @Test
    void ustackInJsonIsAnArrayOfFrames() {
        Path bin = withoutFramePointers();
        Cli.Result r = Cli.run("trace", "--ustack=3", "--format", "json", "p:leaf " + bin + ":leaf", "--", bin.toString(), "12", "0");
        assertEquals(0, r.status(), r.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> e = (Map<String, Object>) MiniJson.parse(r.out().lines().findFirst().orElseThrow());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> frames = (List<Map<String, Object>>) e.get("ustack");
        assertEquals(List.of("leaf", "middle", "outer"), frames.stream().map(f -> f.get("symbol")).toList(), r.out());
        assertEquals(e.get("ip"), frames.getFirst().get("address"));
        assertEquals(0L, ((Number) frames.getFirst().get("offset")).longValue());
        assertTrue(((Number) frames.get(1).get("offset")).longValue() > 0);
        assertEquals(bin.toString(), frames.get(2).get("object"));
        assertTrue(e.get("ustack_stop").toString().startsWith("DEPTH_LIMIT"), r.out());
    }

    @Test
    void ustackIsAHistKeyCallPathsCounted() {
        Path bin = withoutFramePointers();
        Cli.Result r = Cli.run("trace", "--tracing-off", "--trigger", "leaf: hist:keys=ustack:sort=hitcount.descending",
                "p:leaf " + bin + ":leaf", "--", bin.toString(), "20", "0");
        assertEquals(0, r.status(), r.err());
        // two calls through one call site of main, then one at the bottom of a recursion of 20
        List<String> entries = List.of(r.out().split("\\{ ustack:\n")).stream().skip(1)
                .map(e -> e.substring(0, e.indexOf('\n', e.indexOf("} hitcount:")))).toList();
        assertEquals(2, entries.size(), r.out());
        List<String> twice = entries.get(0).lines().toList();
        assertEquals("         leaf (" + bin + ")", twice.get(0), r.out());
        assertTrue(twice.get(1).startsWith("         middle+0x") && twice.get(2).startsWith("         outer+0x")
                && twice.get(3).startsWith("         main+0x"), r.out());
        assertTrue(twice.getLast().matches("\\} hitcount: +2"), r.out());
        List<String> once = entries.get(1).lines().toList();
        assertEquals(16 + 1, once.size(), "the key keeps 16 frames, as the kernel's stacktrace key: " + r.out());
        assertTrue(once.getLast().matches("\\} hitcount: +1"), r.out());
        assertTrue(r.out().contains("Hits: 3"), r.out());

        Cli.Result kernelStack = Cli.run("trace", "--trigger", "leaf: hist:keys=common_stacktrace", "p:leaf " + bin + ":leaf",
                "--", bin.toString());
        assertEquals(2, kernelStack.status());
        assertTrue(kernelStack.err().contains("the user stack is the key ustack"), kernelStack.err());
    }

    @Test
    void theInlineEngineLeavesProbesThatWantStacksToTheTrapEngineAndSaysSo() {
        Path bin = withFramePointers();
        for (List<String> stackArgs : List.of(List.of("--options", "userstacktrace,sym-userobj"), List.of("--ustack=4"))) {
            List<List<String>> out = new ArrayList<>();
            for (String engine : List.of("trap", "inline")) {
                List<String> args = new ArrayList<>(List.of("trace", "--engine", engine));
                args.addAll(stackArgs);
                args.addAll(List.of("p:leaf " + bin + ":leaf", "--", "setarch", "-R", bin.toString(), "12", "300"));
                Cli.Result r = Cli.run(args.toArray(String[]::new));
                assertEquals(0, r.status(), r.err());
                assertEquals(engine.equals("inline"), r.err().contains("every probe runs on the trap engine: " + stackArgs.getFirst().replaceFirst("=.*", "")),
                        engine + ": " + r.err());
                out.add(steady(r.out()));
            }
            assertEquals(3, stacks(out.getFirst()).size(), out.getFirst()::toString);
            assertEquals(out.getFirst(), out.getLast(), "the stacks asked for are printed, whichever engine was named");
        }
    }

    @Test
    void aLibraryLoadedWhereAnotherWasIsNamedInTheStack() {
        // probe4j keeps a process's memory map between hits; a dlclose and dlopen must renew it
        Path a = Fixtures.compileAs("libustack_a.so", "ustack_lib.c", "-shared", "-fPIC", "-DENTRY=entry_a");
        Path b = Fixtures.compileAs("libustack_b.so", "ustack_lib.c", "-shared", "-fPIC", "-DENTRY=entry_b");
        Path bin = Fixtures.compile("ustack_dlopen.c", "-ldl", "-rdynamic");
        Cli.Result r = Cli.run("trace", "--ustack=2", "--format", "json", "p:callback " + bin + ":callback",
                "--", bin.toString(), a.toString(), "entry_a", b.toString(), "entry_b");
        assertEquals(0, r.status(), r.err());
        List<String> callers = new ArrayList<>();
        List<Object> addresses = new ArrayList<>();
        for (String l : r.out().lines().filter(l -> l.startsWith("{")).toList()) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> frames = (List<Map<String, Object>>) ((Map<String, Object>) MiniJson.parse(l)).get("ustack");
            callers.add(frames.get(1).get("symbol") + " " + frames.get(1).get("object"));
            addresses.add(frames.get(1).get("address"));
        }
        assertEquals(List.of("entry_a " + a, "entry_b " + b), callers, r.out());
        assertEquals(addresses.get(0), addresses.get(1), "the fixture loads B where A was: " + r.out());
    }

    @Test
    void stackOptionsThatCannotBeHonouredAreRefused() {
        Path bin = withFramePointers();
        Cli.Result unknown = Cli.run("trace", "--options", "userstacktrace,stacktrace", "p:leaf " + bin + ":leaf", "--", bin.toString());
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("--options: 'stacktrace' is not a trace option probe4j knows"), unknown.err());
        Cli.Result kernel = Cli.run("trace", "--engine", "kernel", "--ustack", "p:leaf " + bin + ":leaf", "--", bin.toString());
        assertEquals(2, kernel.status());
        assertTrue(kernel.err().contains("--ustack unwinds with the trap engine"), kernel.err());
        Cli.Result hist = Cli.run("trace", "--engine", "kernel", "--trigger", "leaf: hist:keys=ustack", "p:leaf " + bin + ":leaf",
                "--", bin.toString());
        assertEquals(2, hist.status());
        assertTrue(hist.err().contains("the hist key ustack is probe4j's own unwind"), hist.err());
    }

    /** The output without what differs between two runs: thread ids, CPUs, times. */
    private static List<String> trace(String engine, String options, Path bin) {
        Cli.Result r = Cli.run("trace", "--engine", engine, "--options", options, "p:leaf " + bin + ":leaf",
                "--", "setarch", "-R", bin.toString(), "12", "300");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().isEmpty(), engine + ": " + r.err());
        return steady(r.out());
    }

    /** The event and stack lines without what differs between two runs: thread ids, CPUs, times. */
    private static List<String> steady(String out) {
        return out.lines().filter(l -> !l.startsWith("#"))
                .map(l -> l.replaceFirst("^( *\\S+)-\\d+ +\\[\\d+\\] (\\S+) +\\d+\\.\\d+:", "$1-TID [CPU] $2 TIME:")).toList();
    }

    /** The " => " lines after each stack header. */
    private static List<List<String>> stacks(List<String> lines) {
        List<List<String>> out = new ArrayList<>();
        for (String l : lines) {
            if (l.endsWith("<user stack trace>") || l.endsWith("<ustack>")) {
                out.add(new ArrayList<>());
            } else if (l.startsWith(" => ")) {
                out.getLast().add(l.substring(4));
            }
        }
        return out;
    }
}
