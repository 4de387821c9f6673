package io.probe4j.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.testing.Skip;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The kernel engine's kprobes on a real kprobe kernel, in one boot of {@code scripts/kprobe-vm}
 * ({@code kp_vm.sh}): the shell defines the definitions of {@code kp_vm_defs.txt} in a group and an
 * instance of its own and records every hit; meanwhile {@link KpVmMain} traces {@code cat /etc/hostname}
 * with probe4j (text, JSON and profile at once), then once system-wide; then the shell lists what is
 * left in tracefs. The kernel is the oracle for every line probe4j prints.
 */
@Tag("vm")
class KprobeEngineVmTest {
    private static final Pattern TRACE_LINE = Pattern.compile("^(.{16})-(\\d+)(\\s+\\[\\d{3}\\] .{5}\\s+)\\d+\\.\\d{6}: (\\w+): \\((.*?)\\)(?= |$)(.*)$");
    private static final String STACKED_RETURN = "[unknown/kretprobe'd]";

    private static Map<String, List<String>> sections;
    private static List<String> text;
    private static double seconds;

    @BeforeAll
    static void bootTheKprobeKernelOnce() throws Exception {
        Path defs = Path.of("src/test/resources/io/probe4j/engine/kernel/kp_vm_defs.txt").toAbsolutePath();
        Path script = Path.of("src/test/resources/io/probe4j/engine/kernel/kp_vm.sh").toAbsolutePath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = Path.of("target/classes").toAbsolutePath() + ":" + Path.of("target/test-classes").toAbsolutePath();
        Path out = Path.of("target/kp-vm-out.txt").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder(Path.of("scripts/kprobe-vm").toAbsolutePath().toString(),
                "bash " + script + " " + java + " " + cp + " " + defs);
        pb.redirectErrorStream(true).redirectOutput(out.toFile());
        long start = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("the kprobe VM did not finish in 180 s; see " + out);
        }
        seconds = (System.nanoTime() - start) / 1e9;
        String all = Files.readString(out, StandardCharsets.ISO_8859_1);
        Skip.VM.unless(p.exitValue() != VM_UNAVAILABLE, "no kprobe VM: " + all.strip());
        assertEquals(0, p.exitValue(), all);
        sections = parse(all.lines().toList());
        assertTrue(sections.containsKey("AFTER-INSTANCES"), "the script did not finish:\n" + all);
        text = sections.get("TEXT").stream().filter(l -> !l.startsWith("#")).toList();
        System.out.printf("kprobe engine VM test: %d events, %.1f s (boot included)%n", text.size(), seconds);
    }

    /** Exit status of scripts/kprobe-vm when the VM cannot be had (automake's "skipped"). */
    private static final int VM_UNAVAILABLE = 77;

    private static Map<String, List<String>> parse(List<String> lines) {
        Map<String, List<String>> out = new HashMap<>();
        List<String> current = null;
        for (String l : lines) {
            if (l.startsWith("@@ /")) {
                current = null;
            } else if (l.startsWith("@@ ")) {
                String[] f = l.substring(3).split(" ", 2);
                current = new ArrayList<>();
                out.put(f[0], current);
                if (f.length > 1) {
                    current.add(f[1]);
                    current = null;
                }
            } else if (current != null) {
                current.add(l);
            }
        }
        return out;
    }

    private static Matcher matched(String line) {
        Matcher m = TRACE_LINE.matcher(line);
        assertTrue(m.matches(), "not a kprobe trace line: " + line);
        return m;
    }

    private static String withoutFlags(String cpuAndFlags) {
        return cpuAndFlags.replaceFirst("\\] .{5}", "] ");
    }

    @Test
    void probe4jsLinesAreTheKernelsOwnLinesForTheSameHits() {
        Set<String> tids = new HashSet<>();
        text.forEach(l -> tids.add(matched(l).group(2)));
        List<String> kernel = sections.get("ORACLE").stream().filter(l -> tids.contains(matched(l).group(2))).toList();
        assertTrue(text.size() > 20 && kernel.size() >= text.size(), text.size() + " probe4j lines, " + kernel.size() + " kernel lines");
        // The kernel's instance was enabled before probe4j's and also saw the gated command's shell start:
        // probe4j's lines are the last ones of the same task.
        List<String> tail = kernel.subList(kernel.size() - text.size(), kernel.size());
        int stacked = 0;
        for (int i = 0; i < text.size(); i++) {
            Matcher k = matched(tail.get(i));
            Matcher p = matched(text.get(i));
            String kSite = k.group(5);
            String pSite = p.group(5);
            if (kSite.startsWith(STACKED_RETURN + " <- ")) {
                // Two kretprobes on one function: the one registered first returns into the other's
                // trampoline, which the kernel prints as [unknown/kretprobe'd]. The function must agree.
                stacked++;
                kSite = kSite.substring(STACKED_RETURN.length());
                pSite = pSite.substring(pSite.indexOf(" <- "));
            }
            // Timestamps differ (two probes, two records), and so may the flags: each buffer samples
            // need-resched and friends when it records. The comm column is looked up when a line is
            // printed, and the kernel printed probe4j's lines while the task was still the gate's shell.
            // (Flags are checked byte for byte against what probe4j read, in the next test.)
            assertEquals(k.group(2) + withoutFlags(k.group(3)) + k.group(4) + ": (" + kSite + ")" + k.group(6),
                    p.group(2) + withoutFlags(p.group(3)) + p.group(4) + ": (" + pSite + ")" + p.group(6), "line " + i);
        }
        assertTrue(stacked > 0 && stacked < text.size() / 2, stacked + " return lines");
    }

    @Test
    void everyLineIsByteForByteTheLineTheKernelGaveProbe4j() {
        List<String> raw = sections.get("RAW").stream().filter(l -> !l.isEmpty()).toList();
        assertEquals(text.size(), raw.size());
        for (int i = 0; i < raw.size(); i++) {
            String[] f = raw.get(i).split(" ");
            byte[] kernelLine = Base64.getDecoder().decode(f[0]);
            byte[] printed = Base64.getDecoder().decode(f[1]);
            String k = KernelOutputTest.asRecorded(new String(kernelLine, StandardCharsets.ISO_8859_1));
            assertArrayEquals(k.getBytes(StandardCharsets.ISO_8859_1), printed, "kernel: " + k);
            assertEquals(text.get(i), new String(printed, StandardCharsets.ISO_8859_1), "the text output is what was printed");
        }
    }

    @Test
    void everyProbeKindWasHitWithSymbolsOfModulesToo() {
        Set<String> events = new HashSet<>();
        text.forEach(l -> events.add(matched(l).group(4)));
        assertEquals(Set.of("kp_open", "kp_read", "kp_readret", "kp_ovl", "kp_ovlret"), events);
        assertTrue(text.stream().anyMatch(l -> l.contains("kp_ovl: (ovl_read_iter+0x0/") && l.contains(" [overlay]) ")));
        assertTrue(text.stream().anyMatch(l -> l.matches(".* fop=\\S+ \\[overlay\\]$")), "a symbol value in a module");
        assertTrue(text.stream().anyMatch(l -> l.contains("name=\"/etc/hostname\"")));
        assertTrue(text.stream().anyMatch(l -> l.contains("kp_readret: (") && l.contains(" <- ksys_read) ret=3")),
                "cat read the 3 bytes of /etc/hostname");
    }

    @Test
    void jsonCarriesTheKernelsSiteTextForEachEvent() {
        List<String> json = sections.get("JSON");
        assertEquals(text.size(), json.size());
        for (int i = 0; i < text.size(); i++) {
            Matcher m = matched(text.get(i));
            String site = m.group(5);
            int arrow = site.indexOf(" <- ");
            String expected = arrow < 0 ? "\"probe\":\"entry\",\"ip\":\"" + site + "\""
                    : "\"probe\":\"return\",\"func\":\"" + site.substring(arrow + 4) + "\",\"ret_ip\":\"" + site.substring(0, arrow) + "\"";
            assertTrue(json.get(i).contains(expected) && json.get(i).contains("\"event\":\"" + m.group(4) + "\""),
                    json.get(i) + "\n  for " + text.get(i));
        }
    }

    @Test
    void theProfileHasTheKprobeProfileLayoutWithTheKernelsMissedCounts() {
        List<String> listing = sections.get("KERNEL-LISTING");
        List<String> kernel = sections.get("KERNEL-PROFILE");
        List<String> ours = sections.get("PROFILE");
        List<String> kernelOurs = new ArrayList<>();
        for (int i = 0; i < listing.size(); i++) {
            if (listing.get(i).contains(":probe4j_")) {
                kernelOurs.add(kernel.get(i));
            }
        }
        assertEquals(5, ours.size());
        assertEquals(kernelOurs.size(), ours.size());
        for (int i = 0; i < ours.size(); i++) {
            String o = ours.get(i);
            String k = kernelOurs.get(i);
            assertEquals(k.length(), o.length(), "\n" + k + "\n" + o);
            assertEquals(k.substring(0, 46), o.substring(0, 46), "name column");
            assertEquals(k.substring(k.length() - 16), o.substring(o.length() - 16), "missed column: the kernel's count");
            String event = o.trim().split("\\s+")[0];
            long hits = text.stream().filter(l -> matched(l).group(4).equals(event)).count();
            assertEquals(String.format("%16d", hits), o.substring(46, 62), "hits column right-aligned: " + o);
            assertTrue(hits <= Long.parseLong(k.trim().split("\\s+")[1]), "the kernel counts every process's hits");
        }
    }

    @Test
    void maxActiveIsKeptAndTheDefaultOneIsTheKernels() {
        List<String> listing = sections.get("KERNEL-LISTING");
        assertTrue(listing.stream().anyMatch(l -> l.matches("r4:probe4j_\\d+/kp_ovlret overlay:ovl_read_iter arg1=\\$retval __probe4j_comm=\\$comm")), listing.toString());
        String oracleDefault = listing.stream().filter(l -> l.contains("kp_oracle/kp_readret")).findFirst().orElseThrow();
        String ours = listing.stream().filter(l -> l.matches("r\\d*:probe4j_\\d+/kp_readret .*")).findFirst().orElseThrow();
        assertEquals(oracleDefault.substring(0, oracleDefault.indexOf(':')), ours.substring(0, ours.indexOf(':')));
    }

    @Test
    void nothingOfProbe4jIsLeftInTracefs() {
        assertTrue(sections.get("BETWEEN").stream().noneMatch(l -> l.contains("probe4j")), sections.get("BETWEEN").toString());
        assertEquals(List.of(), sections.get("AFTER-KPROBE-EVENTS"), "the oracle's events were removed by the script, ours by probe4j");
        assertEquals(List.of(), sections.get("AFTER-INSTANCES"));
    }

    @Test
    void systemWideTracingLeavesProbe4jsOwnThreadsOut() {
        String[] f = sections.get("SYSTEM-WIDE").getFirst().split(" ");
        assertEquals("0", f[3], "events of probe4j's own reads of trace_pipe: " + String.join(" ", f));
        assertTrue(Long.parseLong(f[5]) > 0, "cat's reads were traced: " + String.join(" ", f));
    }
}
