package io.probe4j.arch.x86_64;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One argument of a USDT probe, as {@code <sys/sdt.h>} writes it into the probe's note for x86-64:
 * {@code SIZE@OPERAND}, the size in bytes negative for a signed value, the operand in AT&T syntax
 * exactly as gcc printed it for the {@code asm} ({@code -4@%edi}, {@code 8@-16(%rbp)}, {@code 4@$5},
 * {@code 8@counter(%rip)}, {@code -4@%fs:tls@tpoff}, {@code 4@(%rax,%rdx,4)}). Notes of the oldest
 * format give the operand alone; it is then read as an unsigned 8-byte value.
 *
 * @param size    the value's size in bytes
 * @param signed  whether the value is signed
 * @param operand where the value is
 * @param text    the argument as written in the note
 */
public record SdtArg(int size, boolean signed, Operand operand, String text) {

    /** Where an argument's value is. */
    public sealed interface Operand {
        /** A register, named as written without {@code %} ({@code edi}, {@code r13b}, {@code rax}). */
        record Register(String name) implements Operand {
        }

        /** A constant: {@code $5}, {@code $-3}, or the address of a symbol ({@code $counter}, {@code $counter+8}). */
        record Immediate(String symbol, long value) implements Operand {
        }

        /**
         * Memory at {@code segment:symbol+displacement(base,index,scale)}; absent parts are null (0 for the
         * displacement, 1 for the scale). Registers are named as written without {@code %}. A symbol
         * may carry a relocation operator ({@code tls@tpoff}, {@code x@GOTPCREL}).
         */
        record Memory(String segment, String symbol, long displacement, String base, String index, int scale)
                implements Operand {
        }
    }

    /** The arguments of a note's argument string, separated by blanks; none for an empty string. */
    public static List<SdtArg> parseAll(String spec) {
        List<SdtArg> out = new ArrayList<>();
        for (String word : spec.strip().split("\\s+")) {
            if (!word.isEmpty()) {
                out.add(parse(word));
            }
        }
        return out;
    }

    /**
     * One argument.
     *
     * @throws IllegalArgumentException saying what in {@code text} is not a USDT argument
     */
    public static SdtArg parse(String text) {
        int at = text.indexOf('@');
        int size = 8;
        boolean signed = false;
        String op = text;
        // "8@foo" has its size before the '@'; in "foo@tpoff" the '@' belongs to the operand
        if (at > 0 && text.substring(0, at).matches("-?\\d+")) {
            int n = Integer.parseInt(text, 0, at, 10);
            signed = n < 0;
            size = Math.abs(n);
            op = text.substring(at + 1);
            if (size != 1 && size != 2 && size != 4 && size != 8) {
                throw new IllegalArgumentException("'" + text + "': size " + size + " (only 1, 2, 4 and 8-byte integers are USDT arguments)");
            }
        }
        if (op.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "': no operand after the size");
        }
        return new SdtArg(size, signed, operand(op, text), text);
    }

    private static Operand operand(String op, String text) {
        if (op.startsWith("$")) {
            Displacement d = Displacement.parse(op.substring(1), text);
            return new Operand.Immediate(d.symbol(), d.value());
        }
        if (op.startsWith("%") && op.indexOf(':') < 0 && op.indexOf('(') < 0) {
            return new Operand.Register(register(op, text));
        }
        String segment = null;
        String rest = op;
        int colon = op.indexOf(':');
        if (op.startsWith("%") && colon > 0) {
            segment = register(op.substring(0, colon), text);
            rest = op.substring(colon + 1);
        }
        String base = null;
        String index = null;
        int scale = 1;
        int open = rest.indexOf('(');
        String disp = rest;
        if (open >= 0) {
            if (!rest.endsWith(")")) {
                throw new IllegalArgumentException("'" + text + "': memory operand without its closing ')'");
            }
            disp = rest.substring(0, open);
            String[] parts = rest.substring(open + 1, rest.length() - 1).split(",", -1);
            if (parts.length > 3) {
                throw new IllegalArgumentException("'" + text + "': more than base, index and scale in parentheses");
            }
            base = parts[0].isEmpty() ? null : register(parts[0], text);
            if (parts.length > 1) {
                index = parts[1].isEmpty() ? null : register(parts[1], text);
            }
            if (parts.length > 2) {
                scale = switch (parts[2]) {
                    case "1" -> 1;
                    case "2" -> 2;
                    case "4" -> 4;
                    case "8" -> 8;
                    default -> throw new IllegalArgumentException("'" + text + "': scale " + parts[2] + " (1, 2, 4 or 8)");
                };
            }
            if (base == null && index == null) {
                throw new IllegalArgumentException("'" + text + "': empty parentheses");
            }
        } else if (disp.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "': no address");
        }
        Displacement d = disp.isEmpty() ? new Displacement(null, 0) : Displacement.parse(disp, text);
        return new Operand.Memory(segment, d.symbol(), d.value(), base, index, scale);
    }

    private static String register(String r, String text) {
        if (!r.matches("%[a-z][a-z0-9]*")) {
            throw new IllegalArgumentException("'" + text + "': '" + r + "' is not a register");
        }
        return r.substring(1);
    }

    /** {@code 16}, {@code -0x1c}, {@code counter}, {@code counter+8}, {@code 8+counter}, {@code tls@tpoff}. */
    private record Displacement(String symbol, long value) {
        private static final String NUMBER = "[-+]?(?:0[xX][0-9a-fA-F]+|\\d+)";
        private static final String SYMBOL = "[A-Za-z_.$][A-Za-z0-9_.$@]*";
        private static final Pattern SYMBOL_FIRST =
                Pattern.compile("(" + SYMBOL + ")(" + NUMBER.replace("[-+]?", "[-+]") + ")?");
        private static final Pattern NUMBER_FIRST =
                Pattern.compile("(" + NUMBER + ")\\+(" + SYMBOL + ")");

        static Displacement parse(String s, String text) {
            try {
                if (s.matches(NUMBER)) {
                    return new Displacement(null, number(s));
                }
                var m = SYMBOL_FIRST.matcher(s);
                if (m.matches()) {
                    return new Displacement(m.group(1), m.group(2) == null ? 0 : number(m.group(2)));
                }
                m = NUMBER_FIRST.matcher(s);
                if (m.matches()) {
                    return new Displacement(m.group(2), number(m.group(1)));
                }
            } catch (NumberFormatException e) {
                // too large: reported below
            }
            throw new IllegalArgumentException("'" + text + "': '" + s + "' is not a number or symbol[+-number]");
        }

        private static long number(String s) {
            boolean negative = s.startsWith("-");
            String digits = s.startsWith("-") || s.startsWith("+") ? s.substring(1) : s;
            long v = digits.startsWith("0x") || digits.startsWith("0X") ? Long.parseUnsignedLong(digits.substring(2), 16)
                    : Long.parseLong(digits);
            return negative ? -v : v;
        }
    }
}
