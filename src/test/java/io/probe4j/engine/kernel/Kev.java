package io.probe4j.engine.kernel;

import io.probe4j.spec.ArgType;
import io.probe4j.spec.Fetch;
import io.probe4j.spec.FetchArg;
import io.probe4j.spec.ProbeDefinition;
import io.probe4j.spec.ProbeTarget;
import io.probe4j.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The kernel-engine tests' fixtures and definitions. Definitions are built as spec records (the
 * parser lives in io.probe4j.spec); file offsets of symbols come from nm and readelf, as a user
 * would find them.
 */
final class Kev {
    static final Path TRACEFS = Path.of("/sys/kernel/tracing");

    private Kev() {
    }

    static boolean kernelAvailable() {
        return Files.isWritable(TRACEFS.resolve("uprobe_events"));
    }

    static Path args() {
        return Fixtures.compile("kev_args.c");
    }

    static Path loop() {
        return Fixtures.compile("kev_loop.c");
    }

    /** The symbol's virtual address (nm). */
    static long vaddr(Path bin, String symbol) {
        for (String line : run("nm", bin.toString()).lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[2].equals(symbol)) {
                return Long.parseUnsignedLong(f[0], 16);
            }
        }
        throw new IllegalArgumentException(symbol + " not in " + bin);
    }

    /** The symbol's file offset, through the LOAD segment that maps it (readelf -lW). */
    static long fileOffset(Path bin, String symbol) {
        long v = vaddr(bin, symbol);
        for (String line : run("readelf", "-lW", bin.toString()).lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 5 && f[0].equals("LOAD")) {
                long off = Long.decode(f[1]);
                long va = Long.decode(f[2]);
                long filesz = Long.decode(f[4]);
                if (v >= va && v < va + filesz) {
                    return v - va + off;
                }
            }
        }
        throw new IllegalArgumentException(symbol + " is in no LOAD segment of " + bin);
    }

    static String run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static ResolvedProbe probe(boolean isReturn, String event, Path bin, String symbol, FetchArg... args) {
        long off = fileOffset(bin, symbol);
        ProbeDefinition d = new ProbeDefinition(isReturn, "kev", event,
                new ProbeTarget(bin.toString(), new ProbeTarget.Location.FileOffset(off), OptionalLong.empty()), List.of(args));
        return new ResolvedProbe(d, bin, off, OptionalLong.empty());
    }

    static FetchArg arg(String name, String text, Fetch fetch, ArgType type) {
        return new FetchArg(name, text, fetch, type);
    }

    static ArgType u(int bits) {
        return new ArgType.Scalar(ArgType.Radix.UNSIGNED, bits);
    }

    static ArgType s(int bits) {
        return new ArgType.Scalar(ArgType.Radix.SIGNED, bits);
    }

    static ArgType x(int bits) {
        return new ArgType.Scalar(ArgType.Radix.HEX, bits);
    }

    static final ArgType CHAR = new ArgType.CharType();
    static final ArgType STRING = new ArgType.StringType(false);
    static final ArgType USTRING = new ArgType.StringType(true);

    static ArgType bits(int width, int offset, int container) {
        return new ArgType.Bitfield(width, offset, container);
    }

    static ArgType array(ArgType element, int n) {
        return new ArgType.Array(element, n);
    }

    static Fetch reg(String name) {
        return new Fetch.Register(name);
    }

    static Fetch deref(long offset, Fetch base) {
        return new Fetch.Deref(offset, false, base);
    }

    /** tracefs objects whose name contains {@code needle}: instances and uprobe events. */
    static List<String> tracefsObjectsNamed(String needle) throws IOException {
        List<String> found = new java.util.ArrayList<>();
        try (var s = Files.list(TRACEFS.resolve("instances"))) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.contains(needle)).forEach(n -> found.add("instance " + n));
        }
        for (String l : Files.readAllLines(TRACEFS.resolve("uprobe_events"))) {
            if (l.contains(needle)) {
                found.add("event " + l);
            }
        }
        return found;
    }
}
