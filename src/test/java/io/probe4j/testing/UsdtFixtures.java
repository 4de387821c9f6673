package io.probe4j.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The USDT fixtures: {@code usdt_demo.c} with {@code usdt_plain.c} (probes with and without semaphores,
 * built at several optimisation levels, since gcc writes other argument forms at each) and the
 * {@code usdt_lib.c} library it loads; and the JDK 17 HotSpot's {@code libjvm.so}, whose probes nobody
 * here wrote.
 */
public final class UsdtFixtures {
    private static final Path SOURCES = Path.of("src/test/c").toAbsolutePath();

    private UsdtFixtures() {
    }

    /** {@code usdt_demo} built with {@code -O0}, {@code -O2}, or {@code -O2 -no-pie} ({@code "nopie"}). */
    public static Path demo(String build) {
        String[] flags = switch (build) {
            case "O0" -> new String[] {"-O0"};
            case "O2" -> new String[] {"-O2"};
            case "nopie" -> new String[] {"-O2", "-no-pie", "-fno-pie"};
            default -> throw new IllegalArgumentException(build);
        };
        String[] all = Stream.concat(Stream.of(flags), Stream.of(SOURCES.resolve("usdt_plain.c").toString(), "-ldl"))
                .toArray(String[]::new);
        return Fixtures.compileAs("usdt_demo_" + build, "usdt_demo.c", all);
    }

    /** The library {@code usdt_demo dlopen:LIB} loads. */
    public static Path lib() {
        return Fixtures.compileAs("usdt_lib.so", "usdt_lib.c", "-O2", "-shared", "-fPIC");
    }

    /** The JDK 17's {@code java}, if the machine has one. */
    public static Optional<Path> java17() {
        return jdk17().map(j -> j.resolve("bin/java"));
    }

    /** The JDK 17's HotSpot library, if the machine has one. */
    public static Optional<Path> libjvm17() {
        return jdk17().map(j -> j.resolve("lib/server/libjvm.so"));
    }

    /** The HotSpot library, or the test skipped naming what is missing. */
    public static Path requireLibjvm17() {
        Optional<Path> l = libjvm17();
        Skip.PLATFORM.unless(l.isPresent(), "no JDK 17 under /usr/lib/jvm (java-17*/lib/server/libjvm.so)");
        return l.get();
    }

    private static Optional<Path> jdk17() {
        try (Stream<Path> dirs = Files.list(Path.of("/usr/lib/jvm"))) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("java-17"))
                    .filter(d -> Files.isRegularFile(d.resolve("lib/server/libjvm.so")) && Files.isExecutable(d.resolve("bin/java")))
                    .sorted().findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
