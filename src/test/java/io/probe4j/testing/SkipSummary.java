package io.probe4j.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The end of {@code ./run-tests}: reads what {@link SkipRecorder} wrote in every test JVM, prints how
 * many tests were skipped and why (per {@link Skip} reason), and fails (exit 1) when a skip cannot
 * be right: a kernel-backed test skipped although the run is root with tracefs mounted, or a test
 * skipped without a reason key. A green run then means the kernel comparisons ran.
 *
 * <p>Usage: {@code java -cp target/test-classes io.probe4j.testing.SkipSummary target/test-records}
 */
public final class SkipSummary {
    /** One skipped test ({@code Class.method}) and its skip message. */
    record Skipped(String test, String message) {
        Optional<Skip> reason() {
            return Skip.of(message);
        }
    }

    /** All tests of a run and the skipped ones among them. */
    record Run(int tests, List<Skipped> skipped) {
        /** As a record file: {@code tests N}, then {@code skip<TAB>test<TAB>message} per skipped test. */
        static List<String> lines(Run run) {
            List<String> lines = new ArrayList<>(List.of("tests " + run.tests()));
            run.skipped().forEach(s -> lines.add("skip\t" + s.test() + "\t" + firstLine(s.message()).replace('\t', ' ')));
            return lines;
        }

        static Run parse(List<String> lines) {
            int tests = 0;
            List<Skipped> skipped = new ArrayList<>();
            for (String line : lines) {
                if (line.startsWith("tests ")) {
                    tests += Integer.parseInt(line.substring(6));
                } else if (line.startsWith("skip\t")) {
                    String[] f = line.split("\t", 3);
                    skipped.add(new Skipped(f[1], f.length > 2 ? f[2] : ""));
                }
            }
            return new Run(tests, skipped);
        }
    }

    /** What the machine offers: whether the run is root, and whether tracefs is mounted. */
    record Machine(boolean root, boolean tracefs) {
        static Machine current() throws IOException {
            boolean root = Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .anyMatch(l -> l.matches("Uid:\\s+0\\s.*"));
            return new Machine(root, Files.exists(Skip.TRACEFS.resolve("uprobe_events")));
        }
    }

    private SkipSummary() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: SkipSummary RECORD_DIR");
            System.exit(2);
        }
        Run run = read(Path.of(args[0]));
        System.out.print(summary(run));
        List<String> problems = problems(run, Machine.current());
        problems.forEach(p -> System.out.println("FAILED: " + p));
        System.exit(problems.isEmpty() ? 0 : 1);
    }

    /** The records of every test JVM of the run, written into {@code dir} by {@link SkipRecorder}. */
    static Run read(Path dir) throws IOException {
        int tests = 0;
        List<Skipped> skipped = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            List<Path> records;
            try (Stream<Path> s = Files.list(dir)) {
                records = s.sorted().toList();
            }
            for (Path record : records) {
                Run run = Run.parse(Files.readAllLines(record));
                tests += run.tests();
                skipped.addAll(run.skipped());
            }
        }
        return new Run(tests, skipped);
    }

    /** Counts per reason, each with its distinct messages and the tests that gave them. */
    static String summary(Run run) {
        StringBuilder out = new StringBuilder(String.format("Skipped tests: %d of %d%n", run.skipped().size(), run.tests()));
        Map<String, Map<String, List<String>>> byReason = new TreeMap<>();
        for (Skipped s : run.skipped()) {
            String key = s.reason().map(Skip::key).orElse("no reason key");
            byReason.computeIfAbsent(key, k -> new LinkedHashMap<>())
                    .computeIfAbsent(firstLine(s.message()), k -> new ArrayList<>()).add(s.test());
        }
        byReason.forEach((key, messages) -> {
            int n = messages.values().stream().mapToInt(List::size).sum();
            out.append(String.format("  %-14s %3d%n", key, n));
            messages.forEach((message, tests) -> out.append(String.format("      %s%n        %s%n", message,
                    String.join(", ", tests))));
        });
        return out.toString();
    }

    /** Why the run must fail because of its skips; empty when every skip is explained and may happen here. */
    static List<String> problems(Run run, Machine machine) {
        List<String> problems = new ArrayList<>();
        List<String> kernel = run.skipped().stream().filter(s -> s.reason().equals(Optional.of(Skip.KERNEL)))
                .map(Skipped::test).toList();
        if (!kernel.isEmpty() && machine.root() && machine.tracefs()) {
            problems.add(String.format("%d kernel-backed test(s) skipped although this run is root with tracefs at %s: %s",
                    kernel.size(), Skip.TRACEFS, String.join(", ", kernel)));
        }
        List<String> unexplained = run.skipped().stream().filter(s -> s.reason().isEmpty())
                .map(s -> s.test() + " (" + firstLine(s.message()) + ")").toList();
        if (!unexplained.isEmpty()) {
            problems.add(String.format("%d test(s) skipped without a reason key ([kernel], [vm], ... from io.probe4j.testing.Skip): %s",
                    unexplained.size(), String.join("; ", unexplained)));
        }
        return problems;
    }

    /** The message's first line, without JUnit's "Assumption failed: ". */
    private static String firstLine(String message) {
        String line = message == null ? "" : message.strip().replaceFirst("^Assumption failed: ", "").lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
