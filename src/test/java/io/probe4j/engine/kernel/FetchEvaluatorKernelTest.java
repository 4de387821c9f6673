package io.probe4j.engine.kernel;

import static io.probe4j.engine.kernel.KernelFixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.event.FetchEvaluator;
import io.probe4j.event.ProbeEvent;
import io.probe4j.event.TraceText;
import io.probe4j.event.Value;
import io.probe4j.spec.Fetch;
import io.probe4j.spec.FetchArg;
import io.probe4j.testing.Kernel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The fetch evaluator (what the trap engine runs at each hit) against the kernel: for each kernel hit,
 * the registers the kernel recorded plus the process's memory give probe4j's own evaluation of every
 * argument, which must print exactly as the kernel's value. $stackN is left out: the stack words of a
 * returned call are gone by the time the test reads memory.
 */
@Kernel
class FetchEvaluatorKernelTest {

    @Test
    void evaluatingTheDefinitionGivesTheKernelsValues() throws Exception {
        Path pie = args();
        List<ResolvedProbe> probes = everyType(pie, true);
        CollectingSink sink = new CollectingSink();
        try (KernelTracer t = KernelTracer.start(probes, sink, System.err)) {
            CompletableFuture<Integer> run = CompletableFuture.supplyAsync(
                    () -> t.run(List.of("/bin/sh", "-c", "exec >/dev/null 2>&1; exec \"$0\" 3 0 wait", pie.toString())));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (sink.events.size() < 9 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            int compared = 0;
            try {
                assertEquals(9, sink.events.size());
                for (ProbeEvent e : List.copyOf(sink.events)) {
                    compared += compareArguments(e, probes, pie);
                }
            } finally {
                ProcessHandle.of(sink.events.getFirst().pid()).ifPresent(ProcessHandle::destroy);
            }
            assertEquals(143, run.get(20, TimeUnit.SECONDS), "SIGTERM ended the fixture");
            assertTrue(compared > 60, "compared " + compared + " values");
        }
    }

    private static int compareArguments(ProbeEvent e, List<ResolvedProbe> probes, Path pie) {
        ResolvedProbe probe = probes.stream().filter(p -> p.definition().event().equals(e.event())).findFirst().orElseThrow();
        List<FetchArg> defs = probe.definition().args();
        long probeAddress = switch (e.site()) {
            case ProbeEvent.Site.Entry en -> en.probeAddress();
            case ProbeEvent.Site.Return r -> r.functionAddress();
            default -> throw new AssertionError("uprobes have address sites: " + e.site());
        };
        Map<String, Long> regs = new HashMap<>();
        for (ProbeEvent.Arg a : e.args()) {
            if (a.name().startsWith("r_")) {
                regs.put(a.name().substring(2), ((Value.Hex) a.value()).value());
            }
        }
        ProcMemContext ctx = new ProcMemContext(e.pid(), probeAddress, probe.offset(), regs);
        int n = 0;
        for (int i = 0; i < defs.size(); i++) {
            FetchArg def = defs.get(i);
            if (def.fetch() instanceof Fetch.StackEntry) {
                continue;
            }
            String kernel = new String(TraceText.value(e.args().get(i).value()), StandardCharsets.ISO_8859_1);
            String ours = new String(TraceText.value(FetchEvaluator.evaluate(def, ctx)), StandardCharsets.ISO_8859_1);
            assertEquals(kernel, ours, e.event() + " " + def.name() + "=" + def.text());
            n++;
        }
        return n;
    }
}
