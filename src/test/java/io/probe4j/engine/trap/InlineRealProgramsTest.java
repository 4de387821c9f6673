package io.probe4j.engine.trap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.testing.Skip;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --engine inline} on real programs, against the trap engine: CPython with threads, the sqlite3
 * shell, perl and git, each with probes that run inline (no line says one fell back). Each thread's
 * events are the trap engine's, in order, with the same arguments (time and CPU aside); the program
 * prints what it prints untraced and ends with the same status; no record is lost (a lost record
 * would make the counts differ for a reason that is not the engine's meaning: the test says so).
 *
 * <p>The programs are started as {@link BothEngines} starts them, through {@code sh -c 'exec setarch -R
 * ...'}, so libc probes see the shell and setarch too, at addresses randomised from run to run. A probe
 * on {@code __libc_start_main} marks each exec: a thread's events are compared from its last one on
 * (the program's own); the others are another program's.
 */
@Timeout(600)
@Tag("integration")
class InlineRealProgramsTest {
    private static final String START = "p:rp_start libc:__libc_start_main";

    @TempDir
    Path tmp;

    /**
     * CPython 3 with four threads allocating at once: libc's malloc (entry and return: each thread's
     * arena pointers) and the interpreter's PyEval_EvalCode. The script makes the allocations
     * deterministic per thread: each thread gets its malloc arena while the others wait, no lock is
     * allocated while threads race, and hash randomisation is off. What is left to chance is where mmap
     * puts a thread's arena (a 64 MiB-aligned heap): under the inline engine it is not always the trap
     * engine's heap (nor the same from run to run), so a pointer into a thread's heap is compared as the
     * heap's number (in the thread's order of use) and the offset in it; every other value is compared
     * as printed.
     */
    @Test
    void cpythonWithThreads() throws Exception {
        Path python = program("/usr/bin/python3", "python3");
        Path real = python.toRealPath();
        Path script = tmp.resolve("threads.py");
        Files.writeString(script, """
                import _thread
                N = 4
                started = [_thread.allocate_lock() for _ in range(N)]
                go = [_thread.allocate_lock() for _ in range(N)]
                done = [_thread.allocate_lock() for _ in range(N)]
                for l in started + go + done:
                    l.acquire()
                out = [0] * N
                def work(k):
                    first = bytearray(99000 + k)  # the thread's malloc arena, made while the others wait
                    started[k].release()
                    go[k].acquire()
                    s = 0
                    for i in range(40):
                        s += len(bytearray(100000 + 1000 * k + i))
                    out[k] = s
                    done[k].release()
                for k in range(N):
                    _thread.start_new_thread(work, (k,))
                    started[k].acquire()
                for k in range(N):
                    go[k].release()
                for k in range(N):
                    done[k].acquire()
                print(out)
                """);
        Run run = compare(List.of(START,
                "p:rp_malloc libc:malloc size=%di:u64",
                "r:rp_mallocr libc:malloc rv=$retval:x64",
                "p:rp_eval " + real + ":PyEval_EvalCode",
                "r:rp_evalr " + real + ":PyEval_EvalCode rv=$retval:x64"),
                List.of("/usr/bin/env", "PYTHONHASHSEED=0", real.toString(), script.toString()),
                InlineRealProgramsTest::threadHeaps);
        assertEquals(5, run.threads().size(), "the main thread and four workers:\n" + run.view());
        for (int k = 0; k < 4; k++) {
            assertTrue(run.view().contains("rp_malloc: (") && run.view().contains("size=" + (100000 + 1000 * k + 39)),
                    "worker " + k + "'s last allocation:\n" + run.view());
        }
        assertTrue(run.count("rp_evalr:") >= 1, run.view());
    }

    /** The sqlite3 shell on an in-memory database: libsqlite3's prepare (its SQL, a string), step and finalize. */
    @Test
    void sqlite3() throws Exception {
        Path sqlite = program("/usr/bin/sqlite3", "sqlite3");
        String lib = "libsqlite3.so.0";
        Run run = compare(List.of(START,
                "p:rp_prepare " + lib + ":sqlite3_prepare_v2 sql=+0(%si):string",
                "r:rp_preparer " + lib + ":sqlite3_prepare_v2 rv=$retval:s32",
                "p:rp_step " + lib + ":sqlite3_step",
                "r:rp_stepr " + lib + ":sqlite3_step rv=$retval:s32",
                "r:rp_finalizer " + lib + ":sqlite3_finalize rv=$retval:s32"),
                List.of(sqlite.toString(), ":memory:", "create table t(a integer, b text);"
                        + " insert into t select value, 'row ' || value from generate_series(1, 50);"
                        + " select count(*), sum(a), max(b) from t where a % 7 = 3;"));
        assertTrue(run.view().contains("sql=\"select count(*), sum(a), max(b) from t where a % 7 = 3;\""), run.view());
        assertTrue(run.count("rp_stepr:") >= 3, run.view());
    }

    /** perl calling a sub 300 times: the interpreter's own entersub, and libc's getenv with the names it reads. */
    @Test
    void perl() throws Exception {
        Path perl = program("/usr/bin/perl", "perl").toRealPath();
        Run run = compare(List.of(START,
                "p:rp_entersub " + perl + ":Perl_pp_entersub",
                "r:rp_entersubr " + perl + ":Perl_pp_entersub rv=$retval:x64",
                "p:rp_getenv libc:getenv name=+0(%di):string"),
                List.of("/usr/bin/env", "PERL_HASH_SEED=0", perl.toString(), "-e",
                        "sub twice { return 2 * $_[0] } my $s = 0; $s += twice($_) for 1 .. 300; print \"$s\\n\";"));
        assertTrue(run.count("rp_entersubr:") >= 300, run.view());
    }

    /** git, stripped (no symbols of its own): libc's getenv, each name and what it found, in a fresh repository. */
    @Test
    void git() throws Exception {
        Path git = program("/usr/bin/git", "git");
        Path repo = tmp.resolve("repo");
        Files.createDirectories(repo);
        Process init = new ProcessBuilder(git.toString(), "init", "-q", repo.toString()).redirectErrorStream(true).start();
        assertTrue(init.waitFor(60, TimeUnit.SECONDS) && init.exitValue() == 0, "git init");
        Files.writeString(repo.resolve("a.txt"), "a\n");
        List<String> defs = List.of(START,
                "p:rp_getenv libc:getenv name=+0(%di):string",
                "r:rp_getenvr libc:getenv rv=$retval:x64");
        Run version = compare(defs, List.of(git.toString(), "--version"));
        assertTrue(version.view().contains("name=\"GIT_TRACE\""), version.view());
        Run status = compare(defs, List.of(git.toString(), "-C", repo.toString(), "status", "--porcelain"));
        assertTrue(status.count("rp_getenvr:") >= 10, status.view());
    }

    /** The comparable part of a run: each thread's events from its program's start, threads in a stable order. */
    private record Run(List<String> threads) {
        String view() {
            return String.join("\n---\n", threads);
        }

        long count(String event) {
            return view().lines().filter(l -> l.contains("|" + event)).count();
        }
    }

    /**
     * Runs {@code command} under the trap engine and under {@code --engine inline} and asserts what the
     * class says; returns the inline run's view.
     */
    private static Run compare(List<String> defs, List<String> command) throws Exception {
        return compare(defs, command, events -> events);
    }

    /**
     * A thread's malloc results in mmap'd memory as {@code heapN+OFFSET}: N numbers the 64 MiB-aligned
     * areas (glibc's heaps of a thread arena) in the order the thread uses them, OFFSET is within the area.
     */
    private static List<String> threadHeaps(List<String> events) {
        Map<Long, Integer> heaps = new HashMap<>();
        List<String> out = new ArrayList<>();
        Pattern rv = Pattern.compile("rv=0x(7f[0-9a-f]{10})$"); // in an mmap'd area
        for (String e : events) {
            Matcher m = rv.matcher(e);
            if (m.find()) {
                long v = Long.parseUnsignedLong(m.group(1), 16);
                int heap = heaps.computeIfAbsent(v >>> 26, k -> heaps.size());
                e = e.substring(0, m.start()) + "rv=heap" + heap + "+0x" + Long.toHexString(v & ((1L << 26) - 1));
            }
            out.add(e);
        }
        return out;
    }

    private static Run compare(List<String> defs, List<String> command,
            UnaryOperator<List<String>> normalize) throws Exception {
        BothEngines.Run trap = BothEngines.run("trap", defs, command);
        BothEngines.Run inline = BothEngines.run("inline", defs, command);
        assertFalse(inline.err().contains(" lost "), "the inline engine lost records: the comparison would not mean "
                + "anything (a probe too hot for the reader):\n" + inline.err());
        String fallbacks = String.join("\n", inline.err().lines().filter(l -> l.contains("runs on the trap engine")).toList());
        assertEquals("", fallbacks, "every probe runs inline");
        assertFalse(inline.err().lines().anyMatch(l -> l.startsWith("probe4j:")), inline.err());
        Run expected = view(trap, normalize);
        Run actual = view(inline, normalize);
        for (String d : defs) {
            String event = d.substring(2, d.indexOf(' ')) + ":";
            assertTrue(expected.count(event) > 0, "the program hits " + event + " (trap engine):\n" + expected.view());
        }
        assertEquals(expected.view(), actual.view(), inline.err());
        BothEngines.Run plain = BothEngines.untraced(command);
        assertEquals(plain.programOut(), inline.programOut(), "traced output equals untraced");
        assertEquals(plain.status(), inline.status(), "traced status equals untraced");
        assertEquals(plain.programOut(), trap.programOut(), "the trap engine's output equals untraced");
        return actual;
    }

    /**
     * Each thread's events after its last exec (the rp_start marker), without the task name: the inline
     * engine reads it from /proc when it decodes a record (see the README), which can be before or after
     * an exec of the thread's process.
     */
    private static Run view(BothEngines.Run r, UnaryOperator<List<String>> normalize) {
        List<String> threads = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : r.byThread().entrySet()) {
            List<String> events = e.getValue();
            int from = 0;
            for (int i = 0; i < events.size(); i++) {
                if (events.get(i).contains("|rp_start:")) {
                    from = i;
                }
            }
            threads.add(String.join("\n", normalize.apply(events.subList(from, events.size()).stream()
                    .map(l -> l.substring(l.indexOf('|'))).toList())));
        }
        threads.sort(null);
        return new Run(threads);
    }

    /** The program at {@code path}, installed from Debian when missing and this is root; else the test is skipped. */
    private static Path program(String path, String debianPackage) throws Exception {
        Path p = Path.of(path);
        if (!Files.isExecutable(p) && "root".equals(System.getProperty("user.name"))) {
            Process apt = new ProcessBuilder("apt-get", "install", "-y", "-qq", debianPackage)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            apt.waitFor(300, TimeUnit.SECONDS);
        }
        Skip.PLATFORM.unless(Files.isExecutable(p), path + " is missing and could not be installed (apt-get install "
                + debianPackage + ")");
        return p;
    }
}
