package io.probe4j.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The C fixture programs under {@code src/test/c/}, compiled with gcc into {@code target/fixtures/}
 * on first use (and again when the source is newer than the binary).
 */
public final class Fixtures {
    private static final Path SOURCES = Path.of("src/test/c").toAbsolutePath();
    private static final Path OUT = Path.of("target/fixtures").toAbsolutePath();

    private Fixtures() {
    }

    /** Compiles {@code src/test/c/<source>} with {@code -g -O1} plus {@code flags}; returns the binary. */
    public static Path compile(String source, String... flags) {
        return compileAs(source.replaceFirst("\\.(c|cc|cpp)$", ""), source, flags);
    }

    /** As {@link #compile}, naming the binary (for several builds of one source, e.g. PIE and non-PIE). */
    public static synchronized Path compileAs(String binaryName, String source, String... flags) {
        Path src = SOURCES.resolve(source);
        Path bin = OUT.resolve(binaryName);
        try {
            Files.createDirectories(OUT);
            if (Files.exists(bin) && Files.getLastModifiedTime(bin).compareTo(Files.getLastModifiedTime(src)) > 0) {
                return bin;
            }
            boolean cxx = source.endsWith(".cc") || source.endsWith(".cpp");
            List<String> cmd = new ArrayList<>(List.of(cxx ? "g++" : "gcc", "-g", "-O1", "-o", bin.toString(), src.toString()));
            cmd.addAll(List.of(flags));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("compiling " + source + " failed: " + cmd + "\n" + out);
            }
            return bin;
        } catch (IOException e) {
            throw new IllegalStateException("compiling " + source, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("compiling " + source, e);
        }
    }
}
