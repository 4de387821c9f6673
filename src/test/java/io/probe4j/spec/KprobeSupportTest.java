package io.probe4j.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.testing.Skip;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@link KprobeSupport#check()} on this machine's kernel, and in the kprobe VM. */
@Tag("kernel")
class KprobeSupportTest {
    @Test
    void theVerdictFollowsWhetherKprobeEventsExist() {
        Skip.unlessKernel();
        boolean present = Files.exists(Path.of("/sys/kernel/tracing/kprobe_events"));
        assertEquals(present, KprobeSupport.check().isEmpty());
    }

    @Test
    void aKernelWithoutKprobeEventsIsToldByItsConfig() throws IOException {
        Skip.unlessKernel();
        Skip.KERNEL_CONFIG.unless(!Files.exists(Path.of("/sys/kernel/tracing/kprobe_events")), "this kernel has kprobe events");
        Skip.KERNEL_CONFIG.unless(Files.exists(Path.of("/proc/config.gz")), "this kernel has no /proc/config.gz");
        String config;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(Path.of("/proc/config.gz")))) {
            config = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String message = KprobeSupport.check().orElseThrow();
        assertTrue(message.startsWith("this kernel has no kprobe events: CONFIG_KPROBE_EVENTS is not set"), message);
        assertEquals(!config.contains("\nCONFIG_KPROBES=y"), message.contains("nor is CONFIG_KPROBES"), message);
        assertTrue(message.endsWith("(kprobe_events is missing from /sys/kernel/tracing)"), message);
    }

    @Test
    @Tag("vm")
    void insideTheKprobeVmTheCheckPasses() throws Exception {
        Path classes = Path.of("target/classes").toAbsolutePath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(Path.of("scripts/kprobe-vm").toAbsolutePath().toString(),
                java + " -Xshare:auto -XX:TieredStopAtLevel=1 -cp " + classes + " io.probe4j.spec.KprobeSupport");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        Skip.VM.unless(rc != KprobeVm.UNAVAILABLE, "no kprobe VM: " + out.strip());
        assertEquals(0, rc, out);
        assertTrue(out.contains("kprobe events available"), out);
    }
}
