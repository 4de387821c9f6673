package io.probe4j.spec;

/** The type names a uprobe argument accepts ({@code find_fetch_type} with the user-space flag). */
final class Types {
    private Types() {
    }

    /**
     * The type named {@code name} for a kprobe argument, as Linux 6.1 knows them: the uprobe types less
     * {@code char} (added later), plus {@code symbol} and {@code symstr}.
     */
    static ArgType findKernel(String name) {
        if (name == null || name.startsWith("b")) {
            return find(name);
        }
        return switch (name) {
            case "symbol" -> new ArgType.Symbol();
            case "symstr" -> new ArgType.SymbolString();
            case "char" -> null;
            default -> find(name);
        };
    }

    /**
     * The type named {@code name} ({@code null}: the default {@code x64}), or null when the kernel
     * knows no such type. A {@code b...} name resolves to its container, {@code u8..u64}; the
     * bitfield itself is read later, as in the kernel.
     */
    static ArgType find(String name) {
        if (name == null) {
            return new ArgType.Scalar(ArgType.Radix.HEX, 64);
        }
        if (name.startsWith("b")) {
            int slash = name.indexOf('/');
            if (slash < 0) {
                return null;
            }
            KernelNumbers.Num bits = KernelNumbers.kstrtoull(name.substring(slash + 1), 0);
            if (!bits.ok()) {
                return null;
            }
            long b = bits.value();
            return b == 8 || b == 16 || b == 32 || b == 64 ? new ArgType.Scalar(ArgType.Radix.UNSIGNED, (int) b) : null;
        }
        return switch (name) {
            case "string" -> new ArgType.StringType(false);
            case "ustring" -> new ArgType.StringType(true);
            case "char" -> new ArgType.CharType();
            case "u8", "u16", "u32", "u64" -> new ArgType.Scalar(ArgType.Radix.UNSIGNED, bits(name));
            case "s8", "s16", "s32", "s64" -> new ArgType.Scalar(ArgType.Radix.SIGNED, bits(name));
            case "x8", "x16", "x32", "x64" -> new ArgType.Scalar(ArgType.Radix.HEX, bits(name));
            default -> null;   // includes symbol and symstr, which uprobes refuse
        };
    }

    private static int bits(String name) {
        return Integer.parseInt(name.substring(1));
    }

    /** Bytes one value takes in the event record (a string is a 4-byte data location). */
    static int size(ArgType t) {
        return switch (t) {
            case ArgType.Scalar s -> s.bits() / 8;
            case ArgType.CharType c -> 1;
            case ArgType.StringType s -> 4;
            case ArgType.Bitfield b -> b.containerBits() / 8;
            case ArgType.Array a -> size(a.element()) * a.count();
            case ArgType.Symbol s -> 8;
            case ArgType.SymbolString s -> 4;
        };
    }

    /**
     * The kernel's identity of a type when it compares a new probe with an existing event's: a
     * bitfield is its container type, and {@code x64} is not {@code u64}.
     */
    static String key(ArgType t) {
        return switch (t) {
            case ArgType.Scalar s -> switch (s.radix()) {
                case UNSIGNED -> "u";
                case SIGNED -> "s";
                case HEX -> "x";
            } + s.bits();
            case ArgType.CharType c -> "char";
            case ArgType.StringType s -> s.user() ? "ustring" : "string";
            case ArgType.Bitfield b -> "u" + b.containerBits();
            case ArgType.Array a -> key(a.element()) + "[" + a.count() + "]";
            case ArgType.Symbol s -> "symbol";
            case ArgType.SymbolString s -> "symstr";
        };
    }
}
