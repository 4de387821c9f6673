package io.probe4j.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.probe4j.error.UserException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Glob patterns behave like bash's {@code [[ name == pattern ]]}. */
class GlobTest {
    private static final List<String> NAMES = List.of("strlen", "strnlen", "str", "memcpy", "__memcpy_chk", "s",
            "", "a]b", "a-b", "x*y", "_ZNSt6thread4joinEv", "strcasecmp_l", "wcslen", "st?len", "abcabcabd");
    private static final List<String> PATTERNS = List.of("str*", "*len", "s?r*", "[a-m]*", "[!a-m]*", "[^_]*",
            "*_chk", "*", "?", "", "str", "a[]]b", "a[-]b", "a[a-c-]b", "x\\*y", "st\\?len", "*cpy*", "*abd",
            "*a*b*d", "_Z*join*");

    @Test
    void matchesLikeBash() {
        StringBuilder script = new StringBuilder("shopt -u extglob nocasematch\n");
        for (String p : PATTERNS) {
            for (String n : NAMES) {
                script.append(String.format("[[ '%s' == %s ]] && echo 1 || echo 0%n", n, bashQuotePattern(p)));
            }
        }
        String[] expected = Oracle.run("bash", "-c", script.toString()).split("\n");
        List<String> actual = new ArrayList<>();
        for (String p : PATTERNS) {
            Glob g = Glob.of(p);
            for (String n : NAMES) {
                actual.add(g.matches(n) ? "1" : "0");
            }
        }
        int i = 0;
        for (String p : PATTERNS) {
            for (String n : NAMES) {
                assertEquals(expected[i], actual.get(i), "'" + n + "' against pattern '" + p + "'");
                i++;
            }
        }
    }

    /** An unquoted bash pattern; an empty pattern must be written as '' to exist. */
    private static String bashQuotePattern(String p) {
        return p.isEmpty() ? "''" : p;
    }

    @Test
    void unclosedBracketIsAUserError() {
        UserException e = assertThrows(UserException.class, () -> Glob.of("str[a-"));
        assertEquals("bad pattern str[a-: '[' at position 4 is never closed by ']'", e.getMessage());
    }
}
