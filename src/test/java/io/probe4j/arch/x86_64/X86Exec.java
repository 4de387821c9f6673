package io.probe4j.arch.x86_64;

import io.probe4j.testing.Fixtures;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/** Drives the {@code x86_exec} C harness: maps pages, writes code, calls and single-steps it. */
final class X86Exec implements AutoCloseable {
    static final HexFormat HEX = HexFormat.of();
    final Path binary;
    private final Process process;
    private final PrintWriter in;
    private final BufferedReader out;
    final Map<String, Long> symbols = new HashMap<>();
    long stack;
    long stackSize;
    long fsBase;

    /** A register set in {@link Gpr} order plus flags, and the instruction pointer after a step. */
    record State(long ip, long[] gpr, long flags, long steps, long fsBase) implements Registers {
        public long get(Gpr r) {
            return gpr[r.ordinal()];
        }

        public long gsBase() {
            return 0; // user space on x86-64 Linux leaves %gs unused
        }
    }

    X86Exec() throws IOException {
        binary = Fixtures.compile("x86_exec.c");
        process = new ProcessBuilder(binary.toString()).redirectErrorStream(true).start();
        in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        in.println("info");
        String line;
        while (!(line = read()).equals("end")) {
            String[] f = line.split(" ");
            if (f[0].equals("fsbase")) {
                fsBase = Long.parseUnsignedLong(f[1], 16);
            } else if (f[0].equals("stack")) {
                stack = Long.parseUnsignedLong(f[1], 16);
                stackSize = Long.parseLong(f[2], 16);
            } else {
                symbols.put(f[1], Long.parseUnsignedLong(f[2], 16));
            }
        }
    }

    private String read() throws IOException {
        String line = out.readLine();
        if (line == null) {
            throw new IOException("x86_exec died (exit " + waitExit() + ")");
        }
        if (line.startsWith("error")) {
            throw new IOException("x86_exec: " + line);
        }
        return line;
    }

    private int waitExit() {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    String command(String cmd) throws IOException {
        in.println(cmd);
        return read();
    }

    void map(long address, long length) throws IOException {
        command(String.format("map %x %x", address, length));
    }

    void poke(long address, byte[] bytes) throws IOException {
        command(String.format("poke %x %s", address, HEX.formatHex(bytes)));
    }

    void poke64(long address, long value) throws IOException {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (value >> (8 * i));
        }
        poke(address, b);
    }

    byte[] peek(long address, int length) throws IOException {
        return HEX.parseHex(command(String.format("peek %x %x", address, length)));
    }

    long peek64(long address) throws IOException {
        byte[] b = peek(address, 8);
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (b[i] & 0xff);
        }
        return v;
    }

    long call(long address, long arg) throws IOException {
        return Long.parseLong(command(String.format("call %x %d", address, arg)).substring(4));
    }

    double callDouble(long address, double arg) throws IOException {
        return Double.parseDouble(command(String.format("calld %x %s", address, Double.toString(arg))).substring(4));
    }

    /** Runs from {@code ip} with these registers until {@code stop} is reached or {@code max} instructions ran. */
    State step(long ip, long stop, int max, long[] gpr, long flags) throws IOException {
        StringBuilder sb = new StringBuilder(String.format("step %x %x %d", ip, stop, max));
        for (long g : gpr) {
            sb.append(' ').append(Long.toHexString(g));
        }
        sb.append(' ').append(Long.toHexString(flags));
        String[] f = command(sb.toString()).split(" ");
        long[] regs = new long[16];
        for (int i = 0; i < 16; i++) {
            regs[i] = Long.parseUnsignedLong(f[2 + i], 16);
        }
        return new State(Long.parseUnsignedLong(f[1], 16), regs, Long.parseUnsignedLong(f[18], 16),
                Long.parseLong(f[19]), fsBase);
    }

    @Override
    public void close() {
        in.close();
        process.destroy();
        waitExit();
    }
}
