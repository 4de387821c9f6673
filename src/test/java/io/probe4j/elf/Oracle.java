package io.probe4j.elf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The binutils and glibc tools that say what an ELF file holds: readelf, nm, objdump, ldconfig, ldd. */
final class Oracle {
    private Oracle() {
    }

    /** Runs a command and returns its standard output; fails the test when it does not exit 0. */
    static String run(Map<String, String> env, String... cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().putAll(env);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("oracle failed: " + String.join(" ", cmd) + "\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static String run(String... cmd) {
        return run(Map.of(), cmd);
    }

    /** One line of {@code readelf -sW}. */
    record Sym(String table, int index, long value, long size, String type, String bind, String vis, String ndx,
               String name) {
        /** The name without {@code @VERSION} / {@code @@VERSION}. */
        String baseName() {
            int at = name.indexOf('@');
            return at > 0 ? name.substring(0, at) : name;
        }
    }

    private static final Pattern TABLE = Pattern.compile("^Symbol table '([^']+)' contains");
    private static final Pattern SYM = Pattern.compile(
            "^\\s*(\\d+):\\s+([0-9a-f]+)\\s+(0x[0-9a-f]+|\\d+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(?:\\[[^]]*]\\s+)?(\\S+)\\s?(.*)$");

    /** {@code readelf -sW}: every symbol of every table, with the {@code " (n)"} version index readelf adds removed. */
    static List<Sym> symbols(Path file) {
        List<Sym> out = new ArrayList<>();
        String table = null;
        for (String line : run("readelf", "-sW", file.toString()).split("\n")) {
            Matcher t = TABLE.matcher(line);
            if (t.find()) {
                table = t.group(1);
                continue;
            }
            Matcher m = SYM.matcher(line);
            if (table != null && m.matches()) {
                String size = m.group(3);
                String name = m.group(8).replaceFirst(" \\(\\d+\\)$", "");
                out.add(new Sym(table, Integer.parseInt(m.group(1)), Long.parseUnsignedLong(m.group(2), 16),
                        size.startsWith("0x") ? Long.parseLong(size.substring(2), 16) : Long.parseLong(size),
                        m.group(4), m.group(5), m.group(6), m.group(7), name));
            }
        }
        return out;
    }

    /** One line of {@code readelf -lW}. */
    record Segment(String type, long offset, long vaddr, long paddr, long fileSize, long memSize, String flags,
                   long align) {
    }

    private static final Pattern SEGMENT = Pattern.compile(
            "^\\s+([A-Z_0-9+x]+)\\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) (.{3}) 0x([0-9a-f]+)$");

    static List<Segment> segments(Path file) {
        List<Segment> out = new ArrayList<>();
        for (String line : run("readelf", "-lW", file.toString()).split("\n")) {
            Matcher m = SEGMENT.matcher(line);
            if (m.matches()) {
                out.add(new Segment(m.group(1), hex(m.group(2)), hex(m.group(3)), hex(m.group(4)), hex(m.group(5)),
                        hex(m.group(6)), m.group(7).strip(), hex(m.group(8))));
            }
        }
        return out;
    }

    /** readelf's {@code Type:} line of the ELF header, e.g. {@code DYN (Position-Independent Executable file)}. */
    static String elfType(Path file) {
        for (String line : run("readelf", "-hW", file.toString()).split("\n")) {
            if (line.strip().startsWith("Type:")) {
                return line.substring(line.indexOf(':') + 1).strip();
            }
        }
        throw new AssertionError("readelf -h printed no Type");
    }

    /** The file offset of {@code vaddr}, computed from readelf's PT_LOAD lines. */
    static long fileOffset(List<Segment> segments, long vaddr) {
        for (Segment s : segments) {
            if (s.type().equals("LOAD") && vaddr >= s.vaddr() && vaddr < s.vaddr() + s.fileSize()) {
                return vaddr - s.vaddr() + s.offset();
            }
        }
        throw new AssertionError("no LOAD segment holds 0x" + Long.toHexString(vaddr));
    }

    /** The build id {@code readelf -n} prints, or null. */
    static String buildId(Path file) {
        for (String line : run("readelf", "-n", file.toString()).split("\n")) {
            int at = line.indexOf("Build ID:");
            if (at >= 0) {
                return line.substring(at + "Build ID:".length()).strip();
            }
        }
        return null;
    }

    /** The instructions {@code objdump -d} shows from {@code start} for {@code length} bytes: offset from start to bytes. */
    static Map<Long, byte[]> instructions(Path file, long start, long length) {
        Map<Long, byte[]> out = new HashMap<>();
        Pattern insn = Pattern.compile("^\\s*([0-9a-f]+):\\t((?:[0-9a-f]{2} )+)\\s*(\\t.*)?$");
        String dump = run("objdump", "-d", "-w", "--start-address=0x" + Long.toHexString(start),
                "--stop-address=0x" + Long.toHexString(start + length), file.toString());
        for (String line : dump.split("\n")) {
            Matcher m = insn.matcher(line);
            if (m.matches()) {
                String[] hexBytes = m.group(2).strip().split(" ");
                byte[] b = new byte[hexBytes.length];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) Integer.parseInt(hexBytes[i], 16);
                }
                out.put(hex(m.group(1)) - start, b);
            }
        }
        return out;
    }

    /** One USDT note as {@code readelf -n} prints it. */
    record Stapsdt(String provider, String name, long location, long base, long semaphore, String arguments) {
    }

    /** Every {@code NT_STAPSDT} note {@code readelf -nW} prints, in its order. */
    static List<Stapsdt> stapsdt(Path file) {
        List<Stapsdt> out = new ArrayList<>();
        String[] lines = run("readelf", "-nW", file.toString()).split("\n");
        Pattern where = Pattern.compile("^\\s*Location: 0x([0-9a-f]+), Base: 0x([0-9a-f]+), Semaphore: 0x([0-9a-f]+)$");
        for (int i = 0; i + 3 < lines.length; i++) {
            int p = lines[i].indexOf("Provider:");
            if (!lines[i].contains("NT_STAPSDT") || p < 0) {
                continue; // with -W readelf prints the provider on the note's own line
            }
            Matcher m = where.matcher(lines[i + 2]);
            if (!m.matches() || !lines[i + 3].strip().startsWith("Arguments:")) {
                throw new AssertionError("unexpected readelf -n layout at: " + lines[i + 2]);
            }
            out.add(new Stapsdt(value(lines[i].substring(p), "Provider:"), value(lines[i + 1], "Name:"), hex(m.group(1)),
                    hex(m.group(2)), hex(m.group(3)), value(lines[i + 3], "Arguments:")));
        }
        return out;
    }

    private static String value(String line, String key) {
        String t = line.strip();
        if (!t.startsWith(key)) {
            throw new AssertionError("expected " + key + " in: " + line);
        }
        return t.substring(key.length()).strip();
    }

    static long hex(String s) {
        return Long.parseUnsignedLong(s, 16);
    }
}
