package io.probe4j.arch.x86_64;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GNU objdump's linear disassembly of a file, streamed and kept as parallel arrays: the oracle
 * the decoder is compared with. Per instruction: address, whether objdump called it {@code (bad)},
 * the RIP-relative target of its {@code # target} comment, and a relative branch's target.
 */
final class ObjdumpListing {
    static final long NONE = Long.MIN_VALUE;
    private static final Pattern LINE = Pattern.compile("^ *([0-9a-f]+):\t(.*)$");
    private static final Pattern RIP = Pattern.compile("\\(%[re]ip\\).*# (?:0x)?([0-9a-f]+)(?: <[^>]*>)?$");
    private static final Pattern BRANCH = Pattern.compile(
            "^(?:(?:bnd|notrack|data16|addr32|rex(?:\\.\\w+)?|ds|cs|ss|es|fs|gs|[a-z0-9]+\\{[^}]*\\}) +)*"
                    + "(j[a-z]+|call[wq]?|loop[a-z]*|xbegin[wq]?) +([0-9a-f]+)(?: <[^>]*>)?$");

    int count;
    long[] address = new long[1 << 16];
    boolean[] bad = new boolean[1 << 16];
    long[] ripTarget = new long[1 << 16];
    long[] branchTarget = new long[1 << 16];
    /** Index of the section each instruction belongs to, so a section's last line has no successor. */
    int[] section = new int[1 << 16];

    static ObjdumpListing of(Path file) throws IOException, InterruptedException {
        ObjdumpListing l = new ObjdumpListing();
        Process p = new ProcessBuilder(List.of("objdump", "-d", "-w", "--no-show-raw-insn", file.toString()))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8),
                1 << 16)) {
            int sec = 0;
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("Disassembly of section")) {
                    sec++;
                    continue;
                }
                Matcher m = LINE.matcher(line);
                if (!m.matches()) {
                    continue;
                }
                String text = m.group(2);
                int tab = text.indexOf('\t'); // without raw bytes there is none, but be lenient
                if (tab >= 0 && text.substring(0, tab).matches("[0-9a-f ]+")) {
                    text = text.substring(tab + 1);
                }
                l.add(Long.parseUnsignedLong(m.group(1), 16), text, sec);
            }
        }
        if (p.waitFor() != 0) {
            throw new IOException("objdump failed on " + file);
        }
        return l;
    }

    private void add(long addr, String text, int sec) {
        if (count == address.length) {
            int n = count * 2;
            address = Arrays.copyOf(address, n);
            bad = Arrays.copyOf(bad, n);
            ripTarget = Arrays.copyOf(ripTarget, n);
            branchTarget = Arrays.copyOf(branchTarget, n);
            section = Arrays.copyOf(section, n);
        }
        address[count] = addr;
        section[count] = sec;
        bad[count] = text.contains("(bad)");
        ripTarget[count] = NONE;
        branchTarget[count] = NONE;
        if (text.indexOf('#') >= 0 && text.contains("ip)")) {
            Matcher m = RIP.matcher(text);
            if (m.find()) {
                ripTarget[count] = Long.parseUnsignedLong(m.group(1), 16);
            }
        }
        char c0 = text.isEmpty() ? ' ' : text.charAt(0);
        if (c0 != 'm' && c0 != 'p' && c0 != 'a' && c0 != 's') { // cheap filter before the regex
            Matcher m = BRANCH.matcher(text.strip());
            if (m.matches()) {
                branchTarget[count] = Long.parseUnsignedLong(m.group(2), 16);
            }
        }
        count++;
    }

    /** Index of the first instruction at or after {@code addr}. */
    int indexAtOrAfter(long addr) {
        int lo = 0;
        int hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(address[mid], addr) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The address after instruction {@code i} according to objdump, or NONE at a section's end. */
    long nextAddress(int i) {
        return i + 1 < count && section[i + 1] == section[i] ? address[i + 1] : NONE;
    }
}
