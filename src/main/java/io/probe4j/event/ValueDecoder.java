package io.probe4j.event;

import io.probe4j.spec.ArgType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Raw bytes (little-endian, as read from the traced process) to typed {@link Value}s, per
 * {@link ArgType}. The trap engine reads memory and hands the bytes here; the rules are the kernel's
 * ({@code trace_probe.c}): integers are cut to their size, bitfields shifted out of their container,
 * strings end at the first NUL.
 */
public final class ValueDecoder {
    /** The kernel's longest string ({@code MAX_STRING_SIZE}, PATH_MAX), terminating NUL included. */
    public static final int MAX_STRING_SIZE = 4096;

    private ValueDecoder() {
    }

    /** Bytes one value of {@code type} occupies in memory; for a string, the size of its pointer. */
    public static int size(ArgType type) {
        return switch (type) {
            case ArgType.Scalar s -> s.bits() / 8;
            case ArgType.CharType c -> 1;
            case ArgType.StringType s -> 8;
            case ArgType.Bitfield b -> b.containerBits() / 8;
            case ArgType.Array a -> size(a.element()) * a.count();
            case ArgType.Symbol sy -> 8;
            case ArgType.SymbolString ss -> 8;
        };
    }

    /**
     * Decodes {@code type} from {@code bytes} starting at {@code offset}. Not for strings (their bytes
     * are not inline: use {@link #string}).
     */
    public static Value decode(ArgType type, byte[] bytes, int offset) {
        return switch (type) {
            case ArgType.Array a -> {
                int step = size(a.element());
                List<Value> out = new ArrayList<>(a.count());
                for (int i = 0; i < a.count(); i++) {
                    out.add(decode(a.element(), bytes, offset + i * step));
                }
                yield new Value.Array(out);
            }
            case ArgType.StringType s -> throw new IllegalArgumentException("a string is not stored inline");
            default -> fromWord(type, littleEndian(bytes, offset, size(type)));
        };
    }

    /**
     * A value of a scalar, char or bitfield type from a machine word (a register, an immediate, a
     * stack word): the low bytes are kept, as the kernel stores a word into a smaller field.
     */
    public static Value fromWord(ArgType type, long word) {
        return switch (type) {
            case ArgType.Scalar s -> {
                long cut = s.bits() == 64 ? word : word & ((1L << s.bits()) - 1);
                yield switch (s.radix()) {
                    case UNSIGNED -> new Value.Unsigned(cut);
                    case HEX -> new Value.Hex(cut);
                    case SIGNED -> new Value.Signed(s.bits() == 64 ? word : (word << (64 - s.bits())) >> (64 - s.bits()));
                };
            }
            case ArgType.CharType c -> new Value.Char((byte) word);
            case ArgType.Bitfield b -> {
                // trace_probe.c: (container << (size - width - offset)) >> (size - width), unsigned.
                long container = b.containerBits() == 64 ? word : word & ((1L << b.containerBits()) - 1);
                long left = container << (64 - b.width() - b.offset());
                yield new Value.Bits(left >>> (64 - b.width()));
            }
            case ArgType.StringType s -> throw new IllegalArgumentException("a string has no word value");
            case ArgType.Array a -> throw new IllegalArgumentException("an array has no word value");
            case ArgType.Symbol sy -> throw new IllegalArgumentException("the symbol type is kprobes only");
            case ArgType.SymbolString ss -> throw new IllegalArgumentException("the symstr type is kprobes only");
        };
    }

    /** A string from the bytes read at its address: everything before the first NUL, at most 4095 bytes. */
    public static Value string(byte[] bytes) {
        int end = 0;
        int limit = Math.min(bytes.length, MAX_STRING_SIZE - 1);
        while (end < limit && bytes[end] != 0) {
            end++;
        }
        return new Value.Text(Arrays.copyOf(bytes, end));
    }

    /**
     * What the kernel records when the read for {@code type} faults: a string prints {@code (fault)},
     * numbers are left zero.
     */
    public static Value faulted(ArgType type) {
        return switch (type) {
            case ArgType.StringType s -> new Value.Fault();
            case ArgType.Array a -> {
                List<Value> out = new ArrayList<>(a.count());
                for (int i = 0; i < a.count(); i++) {
                    out.add(faulted(a.element()));
                }
                yield new Value.Array(out);
            }
            default -> fromWord(type, 0);
        };
    }

    /** The unsigned little-endian integer of {@code size} (1, 2, 4 or 8) bytes at {@code offset}. */
    static long littleEndian(byte[] bytes, int offset, int size) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        return switch (size) {
            case 1 -> b.get(offset) & 0xffL;
            case 2 -> b.getShort(offset) & 0xffffL;
            case 4 -> b.getInt(offset) & 0xffffffffL;
            case 8 -> b.getLong(offset);
            default -> throw new IllegalArgumentException("no integer of " + size + " bytes");
        };
    }
}
