package io.probe4j.cli;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict little JSON reader for the tests (RFC 8259: objects, arrays, strings with escapes, numbers,
 * true/false/null). Objects become LinkedHashMaps, numbers BigDecimals. Throws on anything else.
 */
final class MiniJson {
    private final String s;
    private int p;

    private MiniJson(String s) {
        this.s = s;
    }

    static Object parse(String text) {
        MiniJson j = new MiniJson(text);
        Object v = j.value();
        j.ws();
        if (j.p != text.length()) {
            throw new IllegalArgumentException("trailing text at " + j.p + ": " + text);
        }
        return v;
    }

    private Object value() {
        ws();
        char c = s.charAt(p);
        switch (c) {
            case '{' -> {
                p++;
                Map<String, Object> m = new LinkedHashMap<>();
                ws();
                if (s.charAt(p) == '}') {
                    p++;
                    return m;
                }
                do {
                    ws();
                    String k = string();
                    ws();
                    expect(':');
                    m.put(k, value());
                    ws();
                } while (s.charAt(p++) == ',');
                if (s.charAt(p - 1) != '}') {
                    throw new IllegalArgumentException("expected } at " + (p - 1));
                }
                return m;
            }
            case '[' -> {
                p++;
                List<Object> l = new ArrayList<>();
                ws();
                if (s.charAt(p) == ']') {
                    p++;
                    return l;
                }
                do {
                    l.add(value());
                    ws();
                } while (s.charAt(p++) == ',');
                if (s.charAt(p - 1) != ']') {
                    throw new IllegalArgumentException("expected ] at " + (p - 1));
                }
                return l;
            }
            case '"' -> {
                return string();
            }
            default -> {
                for (String w : new String[] {"true", "false", "null"}) {
                    if (s.startsWith(w, p)) {
                        p += w.length();
                        return w.equals("null") ? null : Boolean.valueOf(w);
                    }
                }
                int start = p;
                while (p < s.length() && "+-0123456789.eE".indexOf(s.charAt(p)) >= 0) {
                    p++;
                }
                return new BigDecimal(s.substring(start, p));
            }
        }
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = s.charAt(p++);
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                throw new IllegalArgumentException("raw control character in string at " + (p - 1));
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = s.charAt(p++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    b.append((char) Integer.parseInt(s.substring(p, p + 4), 16));
                    p += 4;
                }
                default -> throw new IllegalArgumentException("bad escape \\" + e);
            }
        }
    }

    private void expect(char c) {
        if (s.charAt(p) != c) {
            throw new IllegalArgumentException("expected " + c + " at " + p + " in " + s);
        }
        p++;
    }

    private void ws() {
        while (p < s.length() && " \t\r\n".indexOf(s.charAt(p)) >= 0) {
            p++;
        }
    }
}
