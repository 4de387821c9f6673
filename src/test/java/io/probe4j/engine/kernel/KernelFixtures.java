package io.probe4j.engine.kernel;

import io.probe4j.spec.ArgType;
import io.probe4j.spec.Fetch;
import io.probe4j.spec.FetchArg;
import io.probe4j.spec.ProbeDefinition;
import io.probe4j.spec.ProbeTarget;
import io.probe4j.testing.Fixtures;
import io.probe4j.testing.Skip;
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
public final class KernelFixtures {
    public static final Path TRACEFS = Path.of("/sys/kernel/tracing");

    private KernelFixtures() {
    }

    public static boolean kernelAvailable() {
        return Skip.kernelAvailable();
    }

    public static Path args() {
        return Fixtures.compile("kev_args.c");
    }

    public static Path loop() {
        return Fixtures.compile("kev_loop.c");
    }

    /** The symbol's virtual address (nm). */
    public static long vaddr(Path bin, String symbol) {
        for (String line : run("nm", bin.toString()).lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[2].equals(symbol)) {
                return Long.parseUnsignedLong(f[0], 16);
            }
        }
        throw new IllegalArgumentException(symbol + " not in " + bin);
    }

    /** The symbol's file offset, through the LOAD segment that maps it (readelf -lW). */
    public static long fileOffset(Path bin, String symbol) {
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

    /**
     * Probes on kev_args covering every type and fetch kind: registers cut to each size, char,
     * immediates, $comm, $stack, @+offset, dereferences (nested), strings, string arrays, arrays,
     * bitfields, $retval. With {@code captures}, each also records the registers it reads (r_di, r_si,
     * r_ax, r_sp) so a test can evaluate the same fetches itself.
     */
    static List<ResolvedProbe> everyType(Path pie, boolean captures) {
        long greeting = fileOffset(pie, "g_greeting");
        List<ResolvedProbe> list = List.of(
                probe(false, "add", pie, "add",
                arg("a", "%di:s32", reg("di"), s(32)), arg("b", "%si:s32", reg("si"), s(32)),
                arg("u8", "%si:u8", reg("si"), u(8)), arg("u16", "%si:u16", reg("si"), u(16)),
                arg("u32", "%si:u32", reg("si"), u(32)), arg("u64", "%si:u64", reg("si"), u(64)),
                arg("x8", "%si:x8", reg("si"), x(8)), arg("x16", "%si:x16", reg("si"), x(16)),
                arg("x32", "%si:x32", reg("si"), x(32)), arg("s8", "%si:s8", reg("si"), s(8)),
                arg("s16", "%si:s16", reg("si"), s(16)), arg("s64", "%si:s64", reg("si"), s(64)),
                arg("arg13", "%si", reg("si"), x(64)), arg("c", "%di:char", reg("di"), CHAR),
                arg("im", "\\-5", new Fetch.Immediate(-5), x(64)), arg("imu", "\\0x10:u8", new Fetch.Immediate(16), u(8)),
                arg("cm", "$comm", new Fetch.Comm(), STRING), arg("ims", "\\\"hi\"", new Fetch.ImmediateString("hi"), STRING),
                arg("st", "$stack", new Fetch.StackPointer(), x(64)), arg("st1", "$stack1:x32", new Fetch.StackEntry(1), x(32)),
                arg("fo", "@+0x" + Long.toHexString(greeting), new Fetch.FileMemory(greeting), x(64))),

        probe(true, "greet", pie, "greet",
                arg("s", "+0($retval):string", deref(0, new Fetch.ReturnValue()), STRING),
                arg("u", "+0($retval):ustring", deref(0, new Fetch.ReturnValue()), USTRING),
                arg("rv", "$retval", new Fetch.ReturnValue(), x(64)),
                arg("arr", "+0($retval):u8[3]", deref(0, new Fetch.ReturnValue()), array(u(8), 3)),
                arg("ch", "+0($retval):char[5]", deref(0, new Fetch.ReturnValue()), array(CHAR, 5)),
                arg("xa", "+0($retval):x16[2]", deref(0, new Fetch.ReturnValue()), array(x(16), 2)),
                arg("sa", "+1($retval):s8[2]", deref(1, new Fetch.ReturnValue()), array(s(8), 2))),
        probe(false, "inspect", pie, "inspect",
                arg("a", "+0(%di):b3@0/32", deref(0, reg("di")), bits(3, 0, 32)),
                arg("b", "+0(%di):b5@3/32", deref(0, reg("di")), bits(5, 3, 32)),
                arg("bb", "+0(%di):b5@3/8", deref(0, reg("di")), bits(5, 3, 8)),
                arg("c", "+4(%di):s32", deref(4, reg("di")), s(32)),
                arg("tag", "+8(%di):string", deref(8, reg("di")), STRING),
                arg("tc", "+8(%di):char[6]", deref(8, reg("di")), array(CHAR, 6)),
                arg("ps", "+16(%di):string[2]", deref(16, reg("di")), array(STRING, 2)),
                arg("deep", "+0(+16(%di)):string", deref(0, deref(16, reg("di"))), STRING),
                arg("sh", "+32(%di):u16[4]", deref(32, reg("di")), array(u(16), 4)),
                arg("q", "+0(%si):string", deref(0, reg("si")), STRING),
                arg("qa", "+0(%si):u8[2]", deref(0, reg("si")), array(u(8), 2))));
        if (!captures) {
            return list;
        }
        FetchArg di = arg("r_di", "%di", reg("di"), x(64));
        FetchArg si = arg("r_si", "%si", reg("si"), x(64));
        FetchArg sp = arg("r_sp", "$stack", new Fetch.StackPointer(), x(64));
        FetchArg ax = arg("r_ax", "$retval", new Fetch.ReturnValue(), x(64));
        List<ResolvedProbe> out = new java.util.ArrayList<>();
        for (ResolvedProbe p : list) {
            List<FetchArg> a = new java.util.ArrayList<>(p.definition().args());
            a.addAll(p.definition().isReturn() ? List.of(ax, sp) : List.of(di, si, sp));
            out.add(probe(p.definition().isReturn(), p.definition().event(), pie, p.definition().event(), a.toArray(FetchArg[]::new)));
        }
        return out;
    }

    /** tracefs objects whose name contains {@code needle}: instances and uprobe events. */
    public static List<String> tracefsObjectsNamed(String needle) throws IOException {
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
