package io.probe4j.arch.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.probe4j.elf.ElfFile;
import io.probe4j.testing.Fixtures;
import io.probe4j.testing.Kernel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The kernel is the oracle for probe-ability: for each instruction of the {@code x86_probeable}
 * fixture, a uprobe is defined on its file offset and enabled while the fixture runs (the kernel
 * analyses the instruction when it installs the breakpoint in a mapping). Accept/refuse must
 * equal {@link Probeability}. Events live in a group of our own and are always removed; the
 * global {@code uprobe_events} is only ever appended to.
 */
@Kernel
class ProbeabilityKernelTest {
    static final Path TRACEFS = Path.of("/sys/kernel/tracing");

    @Test
    void kernelAcceptsAndRefusesExactlyWhatProbeabilitySays() throws Exception {
        Path bin = Fixtures.compile("x86_probeable.c");
        ElfFile elf = ElfFile.open(bin);
        byte[] file = Files.readAllBytes(bin);
        Map<String, Long> labels = new TreeMap<>();
        Process nm = new ProcessBuilder("nm", bin.toString()).start();
        for (String line : new String(nm.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[2].startsWith("x86pb_") && !f[2].equals("x86pb_all") && !f[2].equals("x86pb_end")) {
                labels.put(f[2].substring(6), Long.parseLong(f[0], 16));
            }
        }
        nm.waitFor();
        String group = "x86p4j_" + ProcessHandle.current().pid();
        Process target = new ProcessBuilder(bin.toString()).start();
        List<String> mismatches = new ArrayList<>();
        List<String> defined = new ArrayList<>();
        int accepted = 0;
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(target.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", r.readLine());
            for (var e : labels.entrySet()) {
                long off = elf.fileOffsetOf(e.getValue()).orElseThrow();
                Probeability ours = Probeability.of(file, (int) off, file.length, e.getValue());
                String event = group + "/" + e.getKey();
                append(TRACEFS.resolve("uprobe_events"), String.format("p:%s %s:0x%x%n", event, bin, off));
                defined.add(event);
                Path enable = TRACEFS.resolve("events").resolve(group).resolve(e.getKey()).resolve("enable");
                boolean kernel;
                try {
                    Files.writeString(enable, "1");
                    kernel = true;
                    Files.writeString(enable, "0");
                } catch (IOException refused) {
                    kernel = false;
                }
                accepted += kernel ? 1 : 0;
                if (kernel != ours.probeable()) {
                    mismatches.add(e.getKey() + ": kernel " + (kernel ? "accepts" : "refuses") + ", we say " + ours);
                }
            }
        } finally {
            target.destroy();
            target.waitFor();
            for (String event : defined) {
                try {
                    append(TRACEFS.resolve("uprobe_events"), "-:" + event + "\n");
                } catch (IOException ignored) {
                    // already gone
                }
            }
        }
        System.out.printf("%d instructions: kernel accepts %d, refuses %d; %d mismatches%n", labels.size(), accepted,
                labels.size() - accepted, mismatches.size());
        assertEquals(List.of(), mismatches);
        assertEquals(true, labels.size() > 80);
    }

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }
}
