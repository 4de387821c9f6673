package io.probe4j.event;

import java.util.Arrays;
import java.util.List;

/**
 * One fetched argument value, typed the way the kernel prints it. {@link TraceText} prints each case
 * exactly as {@code trace_probe.c} does; {@link JsonLine} gives each a JSON type.
 */
public sealed interface Value {

    /** {@code u8..u64}: printed as unsigned decimal. {@code value} is already cut to the type's size. */
    record Unsigned(long value) implements Value {
    }

    /** {@code s8..s64}: printed as signed decimal; {@code value} is sign-extended from the type's size. */
    record Signed(long value) implements Value {
    }

    /** {@code x8..x64}: printed as {@code 0x} and lowercase hex without padding. */
    record Hex(long value) implements Value {
    }

    /** {@code char}: one byte printed raw between single quotes (a NUL byte stays a NUL byte). */
    record Char(byte value) implements Value {
    }

    /**
     * {@code string}/{@code ustring}: the bytes read, without the terminating NUL, in no particular
     * encoding (the kernel prints them raw, so do we).
     */
    record Text(byte[] bytes) implements Value {
        public Text {
            bytes = bytes.clone();
        }

        /** The bytes (a copy). */
        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Text t && Arrays.equals(bytes, t.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Text[" + new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1) + "]";
        }

        /** Bytes shared, not copied: for the formatters of this package. */
        byte[] raw() {
            return bytes;
        }
    }

    /** A string whose read faulted; the kernel prints {@code (fault)}, without quotes. */
    record Fault() implements Value {
    }

    /** {@code b<width>@<offset>/<container>}: the extracted bits, printed as unsigned decimal. */
    record Bits(long value) implements Value {
    }

    /**
     * {@code symbol} (kprobes only): a kernel address as the kernel symbolizes it ({@code %pS}):
     * {@code vfs_read+0x1/0x310}, with {@code " [module]"} for module code, or {@code 0x...} when no symbol
     * covers it. Printed as is, without quotes.
     */
    record KernelSymbol(String text) implements Value {
    }

    /** {@code TYPE[N]}: the elements, printed {@code {a,b,c}}. */
    record Array(List<Value> elements) implements Value {
        public Array {
            elements = List.copyOf(elements);
        }
    }
}
