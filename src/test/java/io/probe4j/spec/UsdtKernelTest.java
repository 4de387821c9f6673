package io.probe4j.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.elf.ElfFile;
import io.probe4j.elf.SdtNote;
import io.probe4j.testing.Cli;
import io.probe4j.testing.Kernel;
import io.probe4j.testing.UsdtFixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every USDT probe of the JDK 17 HotSpot (517 probes at 531 places) and of the fixtures, as
 * {@code probe4j parse} writes it in the kernel's language, is accepted by the live {@code uprobe_events}
 * and read back exactly as probe4j prints it: fetch arguments, types, reference counters, and the places of
 * one probe appended to one event.
 */
@Timeout(600)
@Kernel
class UsdtKernelTest {
    @ParameterizedTest
    @ValueSource(strings = {"libjvm", "O0", "O2", "nopie", "lib"})
    void everyProbeIsAcceptedAndReadBackAsWritten(String which) throws Exception {
        Path file = switch (which) {
            case "libjvm" -> UsdtFixtures.requireLibjvm17();
            case "lib" -> UsdtFixtures.lib();
            default -> UsdtFixtures.demo(which);
        };
        String group = "usdtk_" + ProcessHandle.current().pid();
        Set<String> probes = new LinkedHashSet<>();
        for (SdtNote n : ElfFile.open(file).sdtNotes()) {
            probes.add(n.qualifiedName());
        }
        List<String> ours = new ArrayList<>();
        int refused = 0;
        try {
            int i = 0;
            for (String probe : probes) {
                Cli.Result r = Cli.run("parse", "p:" + group + "/e" + i++ + " " + file + ":" + probe);
                if (r.status() != 0) {
                    // only the forms the kernel's language cannot fetch (the fixture's TLS and indexed operands)
                    assertTrue(r.err().contains("cannot be fetched: it reads through the %fs segment")
                            || r.err().contains("cannot be fetched: it is indexed"), r.err());
                    refused++;
                    continue;
                }
                ours.addAll(r.out().lines().toList());
            }
            assertEquals(which.equals("O2") || which.equals("nopie") ? 3 : 0, refused, "refused probes (name, tls, indexed at -O2)");
            for (String line : ours) {
                KernelOracle.Outcome o = KernelOracle.write(line, line);
                assertNull(o.errno(), line + " -> " + o.log());
            }
            assertEquals(ours.stream().sorted().toList(), KernelOracle.listing(group).stream().sorted().toList());
            assertTrue(ours.size() >= probes.size() - refused, ours.size() + " definitions");
        } finally {
            KernelOracle.removeAll(group);
        }
        assertEquals(List.of(), KernelOracle.listing(group));
    }
}
