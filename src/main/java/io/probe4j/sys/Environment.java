package io.probe4j.sys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A process environment as the kernel passes it to {@code execve}: {@code NAME=value} entries in
 * their order, as bytes. {@link System#getenv()} is a map, which loses the order, and a
 * {@code String} cannot carry bytes that are not UTF-8; a traced program must get exactly the
 * environment it would get untraced, so launches take this type.
 */
public final class Environment {
    private final List<byte[]> entries;

    private Environment(List<byte[]> entries) {
        this.entries = entries;
    }

    /**
     * The environment this process was started with, byte for byte and in order
     * ({@code /proc/self/environ}). The JVM does not change its environment after start.
     */
    public static Environment inherited() {
        byte[] block;
        try {
            block = Files.readAllBytes(Path.of("/proc/self/environ"));
        } catch (IOException e) {
            throw new UncheckedIOException("reading /proc/self/environ", e);
        }
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < block.length; i++) {
            if (block[i] == 0) {
                out.add(Arrays.copyOfRange(block, start, i));
                start = i + 1;
            }
        }
        if (start < block.length) {
            out.add(Arrays.copyOfRange(block, start, block.length));
        }
        return new Environment(List.copyOf(out));
    }

    /** An environment made of {@code vars} (in the map's iteration order), UTF-8 encoded. */
    public static Environment of(Map<String, String> vars) {
        List<byte[]> out = new ArrayList<>(vars.size());
        vars.forEach((k, v) -> out.add((k + "=" + v).getBytes(StandardCharsets.UTF_8)));
        return new Environment(List.copyOf(out));
    }

    /** The value of the first entry named {@code name} (the one {@code getenv} finds), decoded as UTF-8. */
    public Optional<String> get(String name) {
        byte[] prefix = (name + "=").getBytes(StandardCharsets.UTF_8);
        for (byte[] e : entries) {
            if (e.length >= prefix.length && Arrays.equals(e, 0, prefix.length, prefix, 0, prefix.length)) {
                return Optional.of(new String(e, prefix.length, e.length - prefix.length, StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    /** The number of entries. */
    public int size() {
        return entries.size();
    }

    /** Entry {@code i} as its raw bytes (a copy), without the terminating NUL. */
    public byte[] entry(int i) {
        return entries.get(i).clone();
    }
}
