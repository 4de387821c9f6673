package io.probe4j.arch.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.probe4j.elf.ElfFile;
import io.probe4j.elf.ElfSymbol;
import io.probe4j.elf.ObjectFinder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The decoder against GNU objdump over whole real binaries. Two checks per file:
 * <ul>
 * <li>sweep: at every instruction objdump lists, our length must reach objdump's next
 * instruction, and RIP-relative and branch targets must equal objdump's;</li>
 * <li>functions: walking every function symbol from its start with our lengths alone must land
 * on exactly objdump's boundaries.</li>
 * </ul>
 * Bytes objdump calls {@code (bad)} are counted as undecodable and skipped (both walks resume at
 * objdump's next line). Function symbols and file offsets come from {@code io.probe4j.elf}. The
 * binaries are whatever this machine has ({@link #files()}); what is required is an amount of code.
 */
@Tag("integration")
class ObjdumpDifferentialTest {
    /** Programs looked up in {@code $PATH}: large, varied, compiled by different toolchains; those missing are left out. */
    static final List<String> PROGRAMS = List.of("python3", "perl", "bash", "ip", "make", "gdb", "perf", "tar", "ssh",
            "cmake");
    /** How much code must be compared, whatever the machine has (the libjvm alone is 4 million instructions). */
    static final long MIN_INSTRUCTIONS = 2_000_000;
    static final long MIN_FUNCTION_INSTRUCTIONS = 500_000;

    /** The libjvm of the JDK running this test. */
    static Path libjvm() {
        return Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
    }

    /**
     * What this machine has: libc and libstdc++ as the loader finds them, the running JDK's libjvm and
     * the {@link #PROGRAMS} found in {@code $PATH}, each ELF file once (python3 is a link to python3.X).
     */
    static List<Path> files() throws IOException {
        ObjectFinder finder = ObjectFinder.system();
        List<Path> candidates = new ArrayList<>();
        finder.findLibrary("libc.so.6").ifPresent(candidates::add);
        finder.findLibrary("libstdc++.so.6").ifPresent(candidates::add);
        candidates.add(libjvm());
        PROGRAMS.forEach(p -> finder.findProgram(p).ifPresent(candidates::add));
        Set<Path> files = new LinkedHashSet<>();
        for (Path c : candidates) {
            if (Files.isRegularFile(c) && isElf(c)) {
                files.add(c.toRealPath());
            }
        }
        return List.copyOf(files);
    }

    private static boolean isElf(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(4), new byte[] {0x7f, 'E', 'L', 'F'});
        }
    }

    /** Per-file tallies. */
    static final class Tally {
        final Path file;
        long instructions;
        long functions;
        long functionInstructions;
        long ripRelative;
        long branches;
        long objdumpBad;
        long weAlsoRefused;
        long disagreements;
        final List<String> examples = new ArrayList<>();

        Tally(Path file) {
            this.file = file;
        }

        void disagree(String what) {
            disagreements++;
            if (examples.size() < 15) {
                examples.add(file.getFileName() + ": " + what);
            }
        }
    }

    @Test
    void decoderAgreesWithObjdumpOnRealBinaries() throws Exception {
        long t0 = System.nanoTime();
        List<Tally> tallies = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Tally>> futures = new ArrayList<>();
            for (Path f : files()) {
                futures.add(pool.submit(() -> compare(f)));
            }
            for (Future<Tally> fu : futures) {
                tallies.add(fu.get());
            }
        } finally {
            pool.shutdownNow();
        }
        long insns = 0, funcs = 0, finsns = 0, bad = 0, refused = 0, dis = 0, rip = 0, br = 0;
        StringBuilder report = new StringBuilder();
        List<String> examples = new ArrayList<>();
        for (Tally t : tallies) {
            report.append(String.format("%-60s %9d insns %7d functions (%9d insns) %7d rip-rel %7d branches"
                    + " %5d objdump (bad) (%d also refused by us) %d disagreements%n", t.file, t.instructions,
                    t.functions, t.functionInstructions, t.ripRelative, t.branches, t.objdumpBad, t.weAlsoRefused,
                    t.disagreements));
            insns += t.instructions;
            funcs += t.functions;
            finsns += t.functionInstructions;
            bad += t.objdumpBad;
            refused += t.weAlsoRefused;
            dis += t.disagreements;
            rip += t.ripRelative;
            br += t.branches;
            examples.addAll(t.examples);
        }
        report.append(String.format("TOTAL %d files: %d instructions swept, %d functions walked (%d instructions),"
                + " %d RIP-relative targets and %d branch targets compared, %d objdump (bad) (%d also refused by us),"
                + " %d disagreements, %.1f s%n", tallies.size(), insns, funcs, finsns, rip, br, bad, refused, dis,
                (System.nanoTime() - t0) / 1e9));
        System.out.print(report);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/x86-objdump-differential.txt"), report + String.join("\n", examples));
        assertTrue(insns >= MIN_INSTRUCTIONS && finsns >= MIN_FUNCTION_INSTRUCTIONS, String.format(
                "too little code on this machine to compare: %d instructions swept (at least %d needed), %d walked from"
                + " function symbols (at least %d)", insns, MIN_INSTRUCTIONS, finsns, MIN_FUNCTION_INSTRUCTIONS));
        assertEquals(0, dis, () -> "disagreements with objdump:\n" + String.join("\n", examples));
    }

    static Tally compare(Path file) throws IOException, InterruptedException {
        Tally t = new Tally(file);
        ElfFile elf = ElfFile.open(file);
        byte[] bytes = Files.readAllBytes(file);
        TreeSet<List<Long>> functions = new TreeSet<>(Comparator.comparing((List<Long> f) -> f.get(0))
                .thenComparing(f -> f.get(1)));
        for (ElfSymbol s : elf.symbols().functions()) {
            if (s.size() > 0) {
                functions.add(List.of(s.value(), s.size()));
            }
        }
        ObjdumpListing l = ObjdumpListing.of(file);
        // sweep: every line objdump printed
        for (int i = 0; i < l.count; i++) {
            long a = l.address[i];
            int off = (int) elf.fileOffsetOf(a).orElse(-1);
            if (l.bad[i]) {
                t.objdumpBad++;
                if (off >= 0 && !Probeability.of(bytes, off, bytes.length, a).probeable()) {
                    t.weAlsoRefused++;
                }
                continue;
            }
            if (off < 0) {
                continue; // not backed by the file (cannot happen for code, but be safe)
            }
            Instruction insn;
            try {
                insn = Decoder.decode(bytes, off, bytes.length, a);
            } catch (UndecodableException e) {
                t.disagree(String.format("0x%x objdump decodes, we do not: %s", a, e.getMessage()));
                continue;
            }
            t.instructions++;
            long next = l.nextAddress(i);
            if (next != ObjdumpListing.NONE && next - a <= Decoder.MAX_LENGTH && next - a != insn.length()) {
                t.disagree(String.format("0x%x length %d, objdump %d: %s", a, insn.length(), next - a, insn.hex()));
            }
            long rip = insn.ripRelative() ? insn.ripTarget() : ObjdumpListing.NONE;
            if (rip != l.ripTarget[i]) {
                t.disagree(String.format("0x%x rip target %s, objdump %s: %s", a, hex(rip), hex(l.ripTarget[i]),
                        insn.hex()));
            } else if (rip != ObjdumpListing.NONE) {
                t.ripRelative++;
            }
            if (l.branchTarget[i] != ObjdumpListing.NONE) {
                long ours = switch (insn.controlFlow()) {
                    case ControlFlow.Jump j -> j.target();
                    case ControlFlow.ConditionalJump j -> j.target();
                    case ControlFlow.Call c -> c.target();
                    case ControlFlow.Loop lp -> lp.target();
                    default -> insn.next() + insn.immediate(); // xbegin
                };
                if (ours != l.branchTarget[i]) {
                    t.disagree(String.format("0x%x branch target %s, objdump %s: %s", a, hex(ours),
                            hex(l.branchTarget[i]), insn.hex()));
                } else {
                    t.branches++;
                }
            }
        }
        // functions: walk from each symbol with our lengths only
        for (List<Long> fn : functions) {
            long start = fn.get(0);
            long a = start;
            long end = start + fn.get(1);
            int idx = l.indexAtOrAfter(a);
            if (idx >= l.count || l.address[idx] != a) {
                continue; // a FUNC symbol outside the disassembled sections (e.g. in .init_array): none here
            }
            t.functions++;
            while (a < end) {
                if (idx >= l.count || l.address[idx] != a) {
                    t.disagree(String.format("function 0x%x: we reach 0x%x, objdump has no boundary there",
                            start, a));
                    break;
                }
                if (l.bad[idx]) {
                    a = l.nextAddress(idx);
                    idx++;
                    if (a == ObjdumpListing.NONE) {
                        break;
                    }
                    continue;
                }
                int off = (int) elf.fileOffsetOf(a).orElse(-1);
                try {
                    a += Decoder.decode(bytes, off, bytes.length, a).length();
                } catch (UndecodableException e) {
                    break; // already counted by the sweep
                }
                t.functionInstructions++;
                idx++;
            }
        }
        return t;
    }

    private static String hex(long v) {
        return v == ObjdumpListing.NONE ? "none" : "0x" + Long.toHexString(v);
    }
}
