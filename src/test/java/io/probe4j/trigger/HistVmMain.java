package io.probe4j.trigger;

import io.probe4j.cli.Main;
import io.probe4j.spec.Errno;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs inside the kprobe VM, whose kernel has hist triggers (see {@link HistVmTest}): reads a plan of uprobe
 * definitions, trigger writes and scenarios, and prints what the kernel does with them.
 * <ul>
 * <li>each case ({@code C}, one or more writes) is written to clean {@code trigger} files in an instance of its
 * own: each write's errno, the {@code error_log} afterwards, every event's {@code trigger} file;</li>
 * <li>each scenario ({@code S}, with its {@code F}ilters and {@code T}riggers) sets the same filters and
 * triggers in an oracle instance, enables the events (those an {@code enable_event} names excepted, as probe4j
 * does), and runs probe4j's own command line on the kernel engine with them around the fixture: both see the
 * same hits. Printed: the oracle's recorded lines and hist files, probe4j's output.</li>
 * </ul>
 * Plan lines (tab-separated): {@code D DEFINITION}, {@code C EVENT TRIGGER} (a case; {@code M EVENT TRIGGER} adds
 * a write to it), {@code S NAME FIXTURE_ARG OFF},
 * {@code F EVENT FILTER}, {@code T EVENT TRIGGER}. Events are of group {@code histo}.
 */
public final class HistVmMain {
    static final Path TRACEFS = Path.of("/sys/kernel/tracing");
    static final String GROUP = "histo";

    private record Scenario(String name, String arg, boolean off, List<String[]> filters, List<String[]> triggers) {
    }

    private HistVmMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> plan = Files.readAllLines(Path.of(args[0]), StandardCharsets.ISO_8859_1);
        String fixture = args[1];
        List<String> defs = new ArrayList<>();
        List<List<String[]>> cases = new ArrayList<>();
        List<Scenario> scenarios = new ArrayList<>();
        for (String l : plan) {
            String[] f = l.split("\t", l.startsWith("S") ? -1 : l.startsWith("D") ? 2 : 3); // a trigger may hold a tab
            switch (f[0]) {
                case "D" -> defs.add(f[1]);
                case "C" -> cases.add(new ArrayList<>(List.<String[]>of(new String[] {f[1], f[2]})));
                case "M" -> cases.getLast().add(new String[] {f[1], f[2]});
                case "S" -> scenarios.add(new Scenario(f[1], f[2], f[3].equals("1"), new ArrayList<>(), new ArrayList<>()));
                case "F" -> scenarios.getLast().filters().add(new String[] {f[1], f[2]});
                case "T" -> scenarios.getLast().triggers().add(new String[] {f[1], f[2]});
                default -> throw new IllegalArgumentException("plan line: " + l);
            }
        }
        System.out.println("@@ RELEASE " + Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip());
        for (String d : defs) {
            append(TRACEFS.resolve("uprobe_events"), d);
        }
        List<String> events = defs.stream().map(d -> d.substring(d.indexOf('/') + 1, d.indexOf(' '))).toList();
        cases(cases, events);
        for (Scenario s : scenarios) {
            scenario(s, events, defs, fixture);
        }
        for (String e : events) {
            append(TRACEFS.resolve("uprobe_events"), "-:" + GROUP + "/" + e);
        }
        System.out.println("@@ DONE");
    }

    private static void cases(List<List<String[]>> cases, List<String> events) throws IOException {
        Path inst = TRACEFS.resolve("instances/histo_parse");
        Files.createDirectory(inst);
        Path log = inst.resolve("error_log");
        for (int i = 0; i < cases.size(); i++) {
            System.out.println("@@ CASE " + i);
            for (String[] w : cases.get(i)) {
                Files.write(log, new byte[0]);
                String refused = write(inst.resolve("events/" + GROUP + "/" + w[0] + "/trigger"), w[1], true);
                System.out.println("W " + (refused == null ? "OK" : refused));
            }
            lines(log, "E ");
            for (String e : events) {
                Path trigger = inst.resolve("events/" + GROUP + "/" + e + "/trigger");
                lines(trigger, "T " + e + "\t");
            }
            for (String e : events) {
                // O_TRUNC clears hist triggers only: the others are removed one by one
                Path trigger = inst.resolve("events/" + GROUP + "/" + e + "/trigger");
                for (String l : Files.readAllLines(trigger, StandardCharsets.ISO_8859_1)) {
                    if (!l.startsWith("#") && !l.startsWith("hist:")) {
                        write(trigger, "!" + l, true);
                    }
                }
                new FileOutputStream(trigger.toFile()).close();
            }
        }
        Files.delete(inst);
    }

    private static void scenario(Scenario s, List<String> events, List<String> defs, String fixture) throws IOException {
        System.out.println("@@ SCENARIO " + s.name());
        long start = System.nanoTime();
        Path inst = TRACEFS.resolve("instances/histo_oracle");
        Files.createDirectory(inst);
        List<String> cli = new ArrayList<>(List.of("trace", "--engine", "kernel", "-o", "/tmp/histo-out.txt"));
        cli.addAll(defs);
        List<String> disabled = new ArrayList<>();
        for (String[] f : s.filters()) {
            write(inst.resolve("events/" + GROUP + "/" + f[0] + "/filter"), f[1], false);
            cli.addAll(List.of("--filter", f[0] + ": " + f[1]));
        }
        for (String[] t : s.triggers()) {
            String refused = write(inst.resolve("events/" + GROUP + "/" + t[0] + "/trigger"), t[1], true);
            if (refused != null) {
                System.out.println("ORACLE-REFUSED " + t[0] + " " + t[1] + ": " + refused);
            }
            cli.addAll(List.of("--trigger", t[0] + ": " + t[1]));
            if (t[1].startsWith("enable_event:" + GROUP + ":")) {
                disabled.add(t[1].split(":")[2].split(" ")[0]);
            }
        }
        if (s.off()) {
            write(inst.resolve("tracing_on"), "0", false);
            cli.add("--tracing-off");
        }
        for (String e : events) {
            if (!disabled.contains(e)) {
                write(inst.resolve("events/" + GROUP + "/" + e + "/enable"), "1", false);
            }
        }
        cli.addAll(List.of("--", fixture, s.arg()));
        int status = Main.run(cli.toArray(String[]::new));
        System.out.printf("@@ TIME %.1f s%n", (System.nanoTime() - start) / 1e9);
        write(inst.resolve("events/enable"), "0", false);
        System.out.println("X " + status);
        for (String l : Files.readAllLines(inst.resolve("trace"), StandardCharsets.ISO_8859_1)) {
            if (!l.startsWith("#")) {
                System.out.println("K " + l);
            }
        }
        for (String e : events) {
            for (String l : Files.readAllLines(inst.resolve("events/" + GROUP + "/" + e + "/hist"), StandardCharsets.ISO_8859_1)) {
                System.out.println("H " + e + "\t" + l);
            }
        }
        for (String l : Files.readAllLines(Path.of("/tmp/histo-out.txt"), StandardCharsets.ISO_8859_1)) {
            System.out.println("P " + l);
        }
        Files.delete(inst);
    }

    /** Writes {@code text} (appending: no O_TRUNC, which would clear a trigger file); the errno text if refused. */
    private static String write(Path file, String text, boolean append) {
        try (FileOutputStream out = new FileOutputStream(file.toFile(), append)) {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            return null;
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    private static void append(Path file, String text) throws IOException {
        String refused = write(file, text, true);
        if (refused != null) {
            throw new IOException(file + ": " + text + ": " + refused);
        }
    }

    private static void lines(Path file, String prefix) throws IOException {
        for (String l : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
            System.out.println(prefix + l);
        }
    }

    /** The errno a failed write reported (Java gives its strerror text). */
    static Errno errno(String text) {
        return text.equals("OK") ? null : Errno.fromDescription(text);
    }
}
