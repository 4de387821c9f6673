package io.probe4j.arch.x86_64;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.elf.ElfFile;
import io.probe4j.elf.ElfSymbol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Prints decoded instructions per second over every function of the running JDK's libjvm (millions
 * of real instructions); a report, not a timed assertion. A benchmark: {@code mvn verify -Pbench}.
 */
@Tag("bench")
class DecoderThroughputTest {
    @Test
    void reportDecodeThroughputOverLibjvm() throws Exception {
        ElfFile elf = ElfFile.open(ObjdumpDifferentialTest.libjvm());
        List<byte[]> code = new ArrayList<>();
        List<Long> addr = new ArrayList<>();
        for (ElfSymbol s : elf.symbols().functions()) {
            if (s.size() > 0 && elf.fileOffsetOf(s.value()).isPresent()) {
                code.add(elf.functionBytes(s));
                addr.add(s.value());
            }
        }
        long total = 0;
        double best = 0;
        for (int pass = 0; pass < 4; pass++) { // the first pass warms the JIT up
            long n = 0;
            long sink = 0;
            long t0 = System.nanoTime();
            for (int f = 0; f < code.size(); f++) {
                byte[] c = code.get(f);
                long a = addr.get(f);
                for (int at = 0; at < c.length; ) {
                    try {
                        Instruction i = Decoder.decode(c, at, c.length, a + at);
                        at += i.length();
                        sink += i.opcode();
                    } catch (UndecodableException e) {
                        at++;
                    }
                    n++;
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            best = Math.max(best, n / seconds);
            total = n;
            assertTrue(sink != 0);
        }
        String line = String.format("decoder throughput: %.1f million instructions/s (best of 4 passes over %d"
                + " instructions of %d libjvm functions, one thread)%n", best / 1e6, total, code.size());
        System.out.print(line);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/x86-decoder-throughput.txt"), line);
        assertTrue(total > 1_000_000);
    }
}
