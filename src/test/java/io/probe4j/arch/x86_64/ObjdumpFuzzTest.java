package io.probe4j.arch.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The decoder against objdump on structured random bytes: random legacy prefixes and REX, an
 * optional escape (0F, 0F 38, 0F 3A, VEX2, VEX3, EVEX, XOP), then random bytes. This reaches the
 * odd corners real binaries never show (moffs, enter, 3DNow!, group 3 immediates, 67 and 66 size
 * effects, EVEX maps 5 and 6, XOP). At every instruction objdump prints, our length and whether
 * the operand is RIP-relative must match.
 *
 * <p>Two divergences are deliberate and counted, not failed: objdump glues {@code fwait}
 * ({@code 9B}) to a following x87 instruction or prefix, while the CPU runs it as an instruction of
 * its own; and objdump decodes a VEX/EVEX/XOP instruction after a 66, F2, F3, LOCK or REX prefix,
 * which the CPU refuses (#UD) and so do we.
 */
class ObjdumpFuzzTest {
    private static final Pattern LINE = Pattern.compile("^ *([0-9a-f]+):\t([0-9a-f ]+)\t(.*)$");
    private static final int[] PREFIXES = {0x66, 0x67, 0xf2, 0xf3, 0x2e, 0x3e, 0x26, 0x64, 0x65, 0xf0, 0x48, 0x41, 0x4c,
        0x40};

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void randomInstructionsAgreeWithObjdump(long seed) throws Exception {
        byte[] code = generate(new Random(seed), 300_000);
        Path bin = Files.createTempFile("x86_fuzz", ".bin");
        List<long[]> addr = new ArrayList<>();
        List<String> text = new ArrayList<>();
        try {
            Files.write(bin, code);
            Process p = new ProcessBuilder("objdump", "-D", "-b", "binary", "-m", "i386:x86-64", "-w", bin.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    Matcher m = LINE.matcher(line);
                    if (m.matches()) {
                        addr.add(new long[] {Long.parseLong(m.group(1), 16)});
                        text.add(m.group(2).trim() + " | " + m.group(3));
                    }
                }
            }
            assertEquals(0, p.waitFor());
        } finally {
            Files.deleteIfExists(bin);
        }
        int agreed = 0;
        int bad = 0;
        int fwait = 0;
        int vexAfterPrefix = 0;
        List<String> disagreements = new ArrayList<>();
        for (int k = 0; k + 1 < addr.size(); k++) {
            long a = addr.get(k)[0];
            long len = addr.get(k + 1)[0] - a;
            String t = text.get(k);
            if (t.contains("(bad)")) {
                bad++;
                continue;
            }
            try {
                Instruction in = Decoder.decode(code, (int) a, code.length, a);
                boolean objdumpRip = t.contains("(%rip)") || t.contains("(%eip)");
                if (in.length() != len && fwaitGlued(code, a, len)) {
                    fwait++;
                } else if (in.length() != len || in.ripRelative() != objdumpRip) {
                    disagreements.add(String.format("ours %d %s rip=%s; objdump %d: %s", in.length(), in.hex(),
                            in.ripRelative(), len, t));
                } else {
                    agreed++;
                }
            } catch (UndecodableException e) {
                if (e.getMessage().contains("prefix before a")) {
                    vexAfterPrefix++;
                } else {
                    disagreements.add(e.getMessage() + "; objdump: " + t);
                }
            }
        }
        System.out.printf("seed %d: %d agree, %d objdump (bad), %d fwait glued by objdump,"
                + " %d vector after 66/F2/F3/LOCK/REX (#UD), %d disagreements%n", seed, agreed, bad, fwait,
                vexAfterPrefix, disagreements.size());
        assertTrue(agreed > 50_000);
        assertEquals(List.of(), disagreements.subList(0, Math.min(20, disagreements.size())));
    }

    /**
     * objdump treats 9B after prefixes as part of the next x87 instruction, and ends a prefix run
     * right before a 9B: either way a 9B follows only prefixes in or right after its line.
     */
    private static boolean fwaitGlued(byte[] code, long a, long len) {
        int i = (int) a;
        while (i < code.length && (Decoder.isLegacyPrefix(code[i] & 0xff) || (code[i] & 0xf0) == 0x40)) {
            i++;
        }
        return i < code.length && (code[i] & 0xff) == 0x9b && i <= a + len;
    }

    static byte[] generate(Random r, int n) {
        byte[] b = new byte[n];
        int i = 0;
        while (i < n - 20) {
            int np = r.nextInt(4);
            for (int k = 0; k < np; k++) {
                b[i++] = (byte) PREFIXES[r.nextInt(PREFIXES.length)];
            }
            switch (r.nextInt(12)) {
                case 0 -> b[i++] = 0x0f;
                case 1 -> { b[i++] = 0x0f; b[i++] = 0x38; }
                case 2 -> { b[i++] = 0x0f; b[i++] = 0x3a; }
                case 3 -> b[i++] = (byte) 0xc5;
                case 4 -> { b[i++] = (byte) 0xc4; b[i++] = (byte) (r.nextInt(8) << 5 | 1 + r.nextInt(3)); }
                case 5 -> {
                    b[i++] = 0x62;
                    b[i++] = (byte) (r.nextInt(16) << 4 | new int[] {1, 2, 3, 5, 6}[r.nextInt(5)]);
                    b[i++] = (byte) (r.nextInt(256) | 4);
                }
                case 6 -> { b[i++] = (byte) 0x8f; b[i++] = (byte) (r.nextInt(8) << 5 | 8 + r.nextInt(3)); }
                case 7 -> { b[i++] = 0x0f; b[i++] = 0x0f; }
                default -> {
                }
            }
            for (int k = 0; k < 12; k++) {
                b[i++] = (byte) r.nextInt(256);
            }
        }
        return b;
    }
}
