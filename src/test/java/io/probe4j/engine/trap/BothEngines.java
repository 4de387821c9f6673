package io.probe4j.engine.trap;

import io.probe4j.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the same definitions and command through {@code probe4j trace --engine kernel} (the kernel's
 * uprobes: the oracle) and {@code --engine trap}, with address space randomisation off so that run-time
 * addresses agree, and gives both outputs as lines without timestamps and CPU, thread ids numbered by
 * first appearance.
 */
final class BothEngines {
    private static final Pattern LINE = Pattern.compile("^(.{16})-(\\d+) +\\[\\d{3}\\] (\\S{5}) +\\d+\\.\\d{6}: (.*)$");

    record Run(int status, String programOut, List<String> events, String err) {
        /** Events grouped by (numbered) thread, each thread's in order: for multi-threaded programs. */
        Map<String, List<String>> byThread() {
            Map<String, List<String>> m = new LinkedHashMap<>();
            for (String e : events) {
                String[] f = e.split("\\|", 3);
                m.computeIfAbsent(f[1], k -> new ArrayList<>()).add(f[0] + "|" + f[2]);
            }
            return m;
        }
    }

    private BothEngines() {
    }

    static Run run(String engine, List<String> definitions, List<String> command) throws IOException {
        Path out = Files.createTempFile("probe_both", ".out");
        try {
            List<String> args = new ArrayList<>(List.of("trace", "--engine", engine));
            args.addAll(definitions);
            args.addAll(List.of("--", "/bin/sh", "-c", "exec setarch -R \"$@\" >" + out, "sh"));
            args.addAll(command);
            Cli.Result r = Cli.run(args.toArray(String[]::new));
            return new Run(r.status(), Files.readString(out), normalize(r.out()), r.err());
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** The command run without any tracing: its standard output and status (the transparency oracle). */
    static Run untraced(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("probe_plain", ".out");
        try {
            List<String> args = new ArrayList<>(List.of("/bin/sh", "-c", "exec setarch -R \"$@\" >" + out, "sh"));
            args.addAll(command);
            Process p = new ProcessBuilder(args).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            int status = p.waitFor();
            return new Run(status, Files.readString(out), List.of(), "");
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** {@code comm|T<n>|flags|rest} for each event line; thread ids numbered in order of appearance. */
    static final List<String> flags = new java.util.concurrent.CopyOnWriteArrayList<>();

    static List<String> normalize(String output) {
        Map<String, Integer> tids = new HashMap<>();
        List<String> out = new ArrayList<>();
        for (String line : output.lines().toList()) {
            if (line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            int n = tids.computeIfAbsent(m.group(2), k -> tids.size());
            // the flags are compared apart: the kernel's vary with the path a hit takes (int3 or the
            // uretprobe system call of its own trampoline), the trap engine's are always the int3 path's
            out.add(m.group(1).strip() + "|T" + n + "|" + m.group(4));
            flags.add(m.group(3));
        }
        return out;
    }
}
