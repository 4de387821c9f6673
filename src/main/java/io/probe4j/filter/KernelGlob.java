package io.probe4j.filter;

/**
 * The kernel's {@code glob_match()} ({@code lib/glob.c}): {@code ?} any one byte, {@code *} any run,
 * {@code [a-z]} and {@code [!a-z]} one byte of a class (no {@code ^} negation; {@code ]} first is a
 * member; a class without its {@code ]} is a literal {@code [}), {@code \x} the byte x. The whole string
 * must match; only the last {@code *} is ever backtracked to, as in the kernel.
 */
final class KernelGlob {
    private KernelGlob() {
    }

    static boolean matches(byte[] pat, byte[] str) {
        int p = 0;
        int s = 0;
        int backPat = -1;
        int backStr = 0;
        while (true) {
            int c = CString.at(str, s++);
            int d = CString.at(pat, p++);
            boolean literal = true;
            switch (d) {
                case '?' -> {
                    if (c == 0) {
                        return false;
                    }
                    literal = false;
                }
                case '*' -> {
                    if (CString.at(pat, p) == 0) {
                        return true;
                    }
                    backPat = p;
                    backStr = --s;
                    literal = false;
                }
                case '[' -> {
                    int end = classEnd(pat, p);
                    if (end >= 0) {
                        if (inClass(pat, p, c)) {
                            p = end;
                            literal = false;
                        } else if (c == 0 || backPat < 0) {
                            return false;
                        } else {
                            p = backPat;
                            s = ++backStr;
                            continue;
                        }
                    }
                }
                case '\\' -> d = CString.at(pat, p++);
                default -> {
                }
            }
            if (!literal) {
                continue;
            }
            if (c == d) {
                if (d == 0) {
                    return true;
                }
                continue;
            }
            if (c == 0 || backPat < 0) {
                return false;
            }
            p = backPat;
            s = ++backStr;
        }
    }

    /**
     * Where the pattern goes on after the class opened before {@code p} ends (just past its {@code ]}), or -1
     * when the class is malformed (it hits the end of the pattern) and the {@code [} is a literal.
     */
    private static int classEnd(byte[] pat, int p) {
        int k = p + (CString.at(pat, p) == '!' ? 1 : 0);
        int a = CString.at(pat, k++);
        do {
            if (a == 0) {
                return -1;
            }
            if (CString.at(pat, k) == '-' && CString.at(pat, k + 1) != ']') {
                if (CString.at(pat, k + 1) == 0) {
                    return -1;
                }
                k += 2;
            }
            a = CString.at(pat, k++);
        } while (a != ']');
        return k;
    }

    private static boolean inClass(byte[] pat, int p, int c) {
        boolean inverted = CString.at(pat, p) == '!';
        int k = p + (inverted ? 1 : 0);
        boolean match = false;
        int a = CString.at(pat, k++);
        do {
            int b = a;
            if (CString.at(pat, k) == '-' && CString.at(pat, k + 1) != ']') {
                b = CString.at(pat, k + 1);
                k += 2;
            }
            match |= a <= c && c <= b;
            a = CString.at(pat, k++);
        } while (a != ']');
        return match != inverted;
    }
}
