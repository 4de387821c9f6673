package io.probe4j.spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The kprobe kernel as the oracle: boots {@code scripts/kprobe-vm} once, runs {@code kprobe-oracle.sh}
 * inside it over a file of cases, and reads back what the kernel did with each write.
 */
final class KprobeVm {
    /** Exit status of scripts/kprobe-vm when qemu or the kernel package cannot be had. */
    static final int UNAVAILABLE = 77;

    /** One write: errno (null: accepted) and the error_log entry's message and caret (null: none). */
    record Write(Errno errno, String message, int caret) {
    }

    /** One case: its writes, the listing afterwards, and whether removing its events worked. */
    record Case(List<Write> writes, List<String> listing, List<String> removalFailures) {
    }

    /** What the VM reported. */
    record Report(String release, KernelSymbols.Table symbols, Map<String, Long> addresses, Set<String> events,
                  List<Case> cases, double seconds) {
    }

    /** The VM could not be started (no qemu, no kernel package). */
    static final class Unavailable extends Exception {
        Unavailable(String why) {
            super(why);
        }
    }

    private KprobeVm() {
    }

    static Report run(List<String> cases, Set<String> symbols, Set<String> events) throws IOException, Unavailable,
            InterruptedException {
        Path dir = Path.of("target", "kprobe-oracle").toAbsolutePath();
        Files.createDirectories(dir);
        Path casesFile = dir.resolve("cases.txt");
        Path symbolsFile = dir.resolve("symbols.txt");
        Path out = dir.resolve("out.txt");
        Files.write(casesFile, cases, StandardCharsets.UTF_8);
        List<String> wanted = new ArrayList<>(symbols);
        events.forEach(e -> wanted.add("event:" + e));
        Files.write(symbolsFile, wanted, StandardCharsets.UTF_8);
        Path script = Path.of("src/test/resources/io/probe4j/spec/kprobe-oracle.sh").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder(Path.of("scripts/kprobe-vm").toAbsolutePath().toString(),
                "bash " + script + " " + casesFile + " " + symbolsFile);
        pb.environment().put("PROBE4J_VM_APPEND", "no_hash_pointers");   // addresses print as they are
        pb.redirectOutput(out.toFile());
        pb.redirectError(dir.resolve("vm-stderr.txt").toFile());
        long start = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("the kprobe VM did not finish in 240 s");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        String stderr = Files.readString(dir.resolve("vm-stderr.txt"));
        if (p.exitValue() == UNAVAILABLE) {
            throw new Unavailable(stderr.strip());
        }
        if (p.exitValue() != 0) {
            throw new IOException("scripts/kprobe-vm exited " + p.exitValue() + ": " + stderr);
        }
        return parse(Files.readAllLines(out, StandardCharsets.UTF_8), seconds);
    }

    static Report parse(List<String> lines, double seconds) {
        String release = null;
        int cpus = 1;
        List<KernelSymbols.Entry> entries = new ArrayList<>();
        Set<String> modules = new HashSet<>();
        Set<String> ftraced = new HashSet<>();
        Map<String, Long> addresses = new LinkedHashMap<>();
        Set<String> events = new HashSet<>();
        List<Case> cases = new ArrayList<>();
        List<Write> writes = null;
        List<String> listing = null;
        List<String> removals = null;
        List<String> log = new ArrayList<>();
        boolean done = false;
        for (String l : lines) {
            String tag = l.length() >= 2 ? l.substring(0, 2) : l;
            String rest = l.length() > 2 ? l.substring(2) : "";
            switch (tag) {
                case "K " -> release = rest;
                case "P " -> cpus = KernelSymbols.Table.countCpus(rest.trim());
                case "M " -> modules.add(rest.trim());
                case "S " -> {
                    String[] f = rest.split(" ");
                    int count = Integer.parseInt(f[1]);
                    String module = f[2].equals("-") ? null : f[2];
                    for (int i = 0; i < count; i++) {
                        long address = i == 0 ? Long.parseUnsignedLong(f[5], 16) : 0;
                        entries.add(new KernelSymbols.Entry(f[0], address, f[3].charAt(0), module));
                    }
                    if (f[4].equals("1")) {
                        ftraced.add(f[0]);
                    }
                    if (count > 0) {
                        addresses.put(f[0], Long.parseUnsignedLong(f[5], 16));
                    }
                }
                case "V " -> {
                    String[] f = rest.split(" ");
                    if (f[1].equals("1")) {
                        events.add(f[0]);
                    }
                }
                case "C " -> {
                    finishWrite(writes, log);
                    writes = new ArrayList<>();
                    listing = new ArrayList<>();
                    removals = new ArrayList<>();
                    cases.add(new Case(writes, listing, removals));
                }
                case "W " -> {
                    finishWrite(writes, log);
                    writes.add(new Write(rest.equals("OK") ? null : Errno.fromDescription(rest), null, -1));
                }
                case "E " -> log.add(rest);
                case "L " -> {
                    finishWrite(writes, log);
                    listing.add(rest);
                }
                case "X " -> {
                    finishWrite(writes, log);
                    if (!rest.endsWith(" OK")) {
                        removals.add(rest);
                    }
                }
                default -> {
                    if (l.startsWith("DONE ")) {
                        finishWrite(writes, log);
                        done = true;
                    }
                }
            }
        }
        if (!done) {
            throw new IllegalStateException("the oracle did not finish; last lines: "
                    + lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        }
        return new Report(release, new KernelSymbols.Table(entries, modules, ftraced, cpus), addresses, events, cases,
                seconds);
    }

    /** Attaches the collected error_log lines (timestamp + message, Command, caret) to the last write. */
    private static void finishWrite(List<Write> writes, List<String> log) {
        if (writes == null || writes.isEmpty() || log.isEmpty()) {
            log.clear();
            return;
        }
        String head = log.get(0);
        String marker = "] trace_kprobe: error: ";
        int at = head.indexOf(marker);
        if (at >= 0 && log.size() >= 3) {
            int caret = log.get(2).indexOf('^') - "  Command: ".length();
            Write w = writes.removeLast();
            writes.add(new Write(w.errno(), head.substring(at + marker.length()), caret));
        }
        log.clear();
    }

    /** {addr:SYM} and {addr+N:SYM} as the oracle script expands them. */
    static String expand(String line, Map<String, Long> addresses) {
        var m = java.util.regex.Pattern.compile("\\{addr(\\+([0-9]+))?:([^}]*)}").matcher(line);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            long a = addresses.getOrDefault(m.group(3), 0L) + (m.group(2) == null ? 0 : Long.parseLong(m.group(2)));
            m.appendReplacement(b, String.format("0x%016x", a));
        }
        m.appendTail(b);
        return b.toString();
    }
}
