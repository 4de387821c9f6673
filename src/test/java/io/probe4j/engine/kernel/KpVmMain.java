package io.probe4j.engine.kernel;

import io.probe4j.event.EventSink;
import io.probe4j.event.OutputFormat;
import io.probe4j.event.ProbeEvent;
import io.probe4j.event.ProfileTable;
import io.probe4j.event.StreamSink;
import io.probe4j.event.TraceText;
import io.probe4j.spec.KprobeDefinition;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Runs inside the kprobe VM (see {@code kp_vm.sh}): traces a command with the kernel engine's kprobes
 * and prints, in sections, what the user would see (text, JSON, profile), the raw trace_pipe lines
 * probe4j read with the line it printed for each, and the kernel's own listing and profile during the
 * session; then one system-wide session, to see that probe4j's own threads are left out.
 *
 * <pre>KpVmMain DEFINITIONS_FILE -- COMMAND ARGS</pre>
 * {@code GRP/} in the definitions becomes the user's group {@code kp/}.
 */
public final class KpVmMain {
    private KpVmMain() {
    }

    /** Hands each event to several sinks. */
    private record Tee(List<EventSink> sinks) implements EventSink {
        @Override
        public void accept(ProbeEvent e) {
            sinks.forEach(s -> s.accept(e));
        }

        @Override
        public void missed(String group, String event, long count) {
            sinks.forEach(s -> s.missed(group, event, count));
        }

        @Override
        public void flush() {
            sinks.forEach(EventSink::flush);
        }

        @Override
        public void close() {
            sinks.forEach(EventSink::close);
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> defs = Files.readAllLines(Path.of(args[0])).stream().filter(l -> !l.isBlank())
                .map(l -> l.replace("GRP/", "kp/")).toList();
        List<String> command = List.of(args).subList(2, args.length);
        long start = System.nanoTime();
        List<KprobeDefinition> kprobes = Kprobes.parse(defs);
        System.out.printf("@@ PARSED %d in %d ms%n", kprobes.size(), (System.nanoTime() - start) / 1_000_000);
        ProfileTable table = new ProfileTable();
        kprobes.forEach(k -> table.declareKprobe(k.group(), k.event()));
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        ByteArrayOutputStream profile = new ByteArrayOutputStream();
        Tee tee = new Tee(List.of(StreamSink.of(text, OutputFormat.TEXT, null), StreamSink.of(json, OutputFormat.JSON, null),
                StreamSink.of(profile, OutputFormat.PROFILE, table)));
        List<String> raw = new ArrayList<>();
        Base64.Encoder b64 = Base64.getEncoder();
        String listing;
        String kernelProfile;
        int status;
        start = System.nanoTime();
        try (KernelTracer t = KernelTracer.start(List.of(), kprobes, tee, System.err)) {
            t.onRawLine((line, e) -> raw.add(b64.encodeToString(line.getBytes(StandardCharsets.ISO_8859_1)) + " "
                    + b64.encodeToString(TraceText.line(e))));
            status = t.run(command);
            listing = Files.readString(KernelFixtures.TRACEFS.resolve("kprobe_events"));
            kernelProfile = Files.readString(KernelFixtures.TRACEFS.resolve("kprobe_profile"));
        }
        System.out.printf("@@ TRACED status %d in %d ms%n", status, (System.nanoTime() - start) / 1_000_000);
        section("TEXT", text.toString(StandardCharsets.ISO_8859_1));
        section("JSON", json.toString(StandardCharsets.UTF_8));
        section("PROFILE", profile.toString(StandardCharsets.UTF_8));
        section("RAW", String.join("\n", raw) + "\n");
        section("KERNEL-LISTING", listing);
        section("KERNEL-PROFILE", kernelProfile);
        try (var instances = Files.list(KernelFixtures.TRACEFS.resolve("instances"))) {
            section("BETWEEN", Files.readString(KernelFixtures.TRACEFS.resolve("kprobe_events"))
                    + String.join("\n", instances.map(p -> "instance " + p.getFileName()).toList()) + "\n");
        }
        systemWide(kprobes);
        System.out.println("@@ END");
    }

    /** One system-wide session while {@code cat} runs: none of the events may be the JVM's own. */
    private static void systemWide(List<KprobeDefinition> kprobes) throws IOException {
        CollectingSink sink = new CollectingSink();
        List<KprobeDefinition> reads = kprobes.stream().filter(k -> k.event().equals("kp_read")).toList();
        try (KernelTracer t = KernelTracer.start(List.of(), reads, sink, new PrintStream(System.err, true))) {
            t.run(List.of("/bin/cat", "/etc/hostname"), true);
        }
        long self = ProcessHandle.current().pid();
        long own = sink.events.stream().filter(e -> e.pid() == self).count();
        long cat = sink.events.stream().filter(e -> e.comm().equals("cat")).count();
        System.out.printf("@@ SYSTEM-WIDE events %d own %d cat %d%n", sink.events.size(), own, cat);
    }

    private static void section(String name, String body) {
        System.out.println("@@ " + name);
        System.out.print(body);
        System.out.println("@@ /" + name);
    }
}
