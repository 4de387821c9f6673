package io.probe4j.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.testing.Skip;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every kprobe definition of {@code kprobe-cases.txt} and of the kernel selftest
 * {@code kprobe_syntax_errors.tc} is written to {@code kprobe_events} of a real kernel with kprobe
 * events (Debian's 6.1, in the VM of {@code scripts/kprobe-vm}, booted once) and given to probe4j's
 * kprobe parser with that kernel's symbol facts; the outcome must be the same: accepted or not, errno,
 * error_log message and caret, and the listing afterwards. A case may hold several writes joined by
 * {@code " ;; "}; {addr:SYM} stands for a symbol's address in the VM's kernel.
 */
@Tag("vm")
class KprobeDifferentialTest {
    private static List<String> handwritten;
    private static List<String> selftest;   // with '^' where the selftest expects the caret
    private static KprobeVm.Report report;

    @BeforeAll
    static void bootTheKprobeKernelOnce() throws Exception {
        handwritten = resource("kprobe-cases.txt");
        handwritten.add("p vfs_read" + " %ax".repeat(128));
        handwritten.add("p vfs_read" + " %ax".repeat(129));   // 6.1 ignores arguments past the 128th
        selftest = resource("kprobe-selftest.txt");
        List<String> all = new ArrayList<>(handwritten);
        selftest.forEach(s -> all.add(s.replace("^", "")));
        Set<String> symbols = new LinkedHashSet<>();
        for (String c : all) {
            for (String line : c.split(" ;; ")) {
                symbolsOf(line, symbols);
            }
        }
        try {
            report = KprobeVm.run(all, symbols, Set.of("sched/sched_switch"));
        } catch (KprobeVm.Unavailable e) {
            Skip.VM.abort("no kprobe VM: " + e.getMessage());
        }
        System.out.printf("kprobe VM: kernel %s, %d cases, %.1f s (boot included)%n", report.release(),
                report.cases().size(), report.seconds());
    }

    @Test
    void handwrittenKprobeDefinitionsMatchTheKernel() {
        assertTrue(handwritten.size() >= 200, "at least 200 cases, have " + handwritten.size());
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < handwritten.size(); i++) {
            compare(handwritten.get(i), report.cases().get(i), mismatches);
        }
        assertEquals(List.of(), mismatches);
    }

    @Test
    void selftestSyntaxErrorsMatchTheKernelAndTheSelftestCarets() {
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < selftest.size(); i++) {
            String marked = selftest.get(i);
            KprobeVm.Case kernel = report.cases().get(handwritten.size() + i);
            compare(marked.replace("^", ""), kernel, mismatches);
            KprobeVm.Write w = kernel.writes().getFirst();
            if (w.caret() != marked.indexOf('^')) {
                mismatches.add(marked + "\n   kernel caret " + w.caret() + " (" + w.message() + ")");
            }
        }
        assertEquals(List.of(), mismatches);
    }

    @Test
    void everyEventTheCasesMadeWasRemovedAgain() {
        for (KprobeVm.Case c : report.cases()) {
            assertEquals(List.of(), c.removalFailures());
        }
    }

    private static void compare(String c, KprobeVm.Case kernel, List<String> mismatches) {
        DefinitionSet ours = new DefinitionSet(Parser.kprobe(report.symbols()))
                .withForeignEvents((g, e) -> report.events().contains(g + "/" + e));
        String[] lines = c.split(" ;; ");
        for (int i = 0; i < lines.length; i++) {
            String line = KprobeVm.expand(lines[i], report.addresses());
            String actual;
            try {
                ours.apply(line);
                actual = "accepted";
            } catch (SpecException e) {
                actual = e.errno() + e.error().map(k -> " " + k.message() + " @" + e.caret()).orElse(" (no log)");
                if (e.error().isPresent() && !e.subsystem().equals(SpecException.KPROBE)) {
                    actual += " [logged as " + e.subsystem() + "]";
                }
            }
            KprobeVm.Write w = kernel.writes().get(i);
            String expected = w.errno() == null ? "accepted"
                    : w.errno() + (w.message() == null ? " (no log)" : " " + w.message() + " @" + w.caret());
            if (!expected.equals(actual)) {
                mismatches.add(abbreviate(line) + "\n   kernel:  " + expected + "\n   probe4j: " + actual);
                return;
            }
        }
        if (!kernel.listing().equals(ours.listing())) {
            mismatches.add(abbreviate(c) + "\n   kernel lists:  " + kernel.listing() + "\n   probe4j lists: " + ours.listing());
        }
    }

    /** The kernel symbols a definition names: the probed one and those of @SYM arguments. */
    private static void symbolsOf(String line, Set<String> out) {
        List<String> words = Parser.split(line.contains("#") ? line.substring(0, line.indexOf('#')) : line);
        if (words.size() < 2 || words.getFirst().startsWith("-")) {
            return;
        }
        String place = words.get(1).replaceFirst("%.*", "").replaceFirst("[+-].*", "");
        out.add(place.substring(place.indexOf(':') + 1));
        for (String w : words.subList(2, words.size())) {
            int at = w.indexOf('@');
            if (at >= 0 && at + 1 < w.length() && !Character.isDigit(w.charAt(at + 1)) && w.charAt(at + 1) != '+') {
                String sym = w.substring(at + 1).replaceFirst("[+\\-:)].*", "");
                if (!sym.isEmpty()) {
                    out.add(sym);
                }
            }
        }
        out.removeIf(s -> s.isEmpty() || s.contains("{") || s.contains(" "));
    }

    private static List<String> resource(String name) throws IOException {
        try (InputStream in = KprobeDifferentialTest.class.getResourceAsStream(name)) {
            List<String> lines = new ArrayList<>();
            for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!l.startsWith("# ")) {
                    lines.add(l);
                }
            }
            return lines;
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
