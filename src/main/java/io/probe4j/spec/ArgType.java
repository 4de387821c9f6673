package io.probe4j.spec;

/** A fetch argument's type: how many bytes are read and how the value prints. */
public sealed interface ArgType {

    /** How an integer prints: unsigned decimal, signed decimal, or {@code 0x} hex. */
    enum Radix { UNSIGNED, SIGNED, HEX }

    /** {@code u8..u64}, {@code s8..s64}, {@code x8..x64}. */
    record Scalar(Radix radix, int bits) implements ArgType {
    }

    /** {@code char}: one byte printed as {@code 'c'}. */
    record CharType() implements ArgType {
    }

    /** {@code string} or {@code ustring}: a NUL-terminated string, read through the fetched pointer. */
    record StringType(boolean user) implements ArgType {
    }

    /**
     * {@code b<width>@<offset>/<container bits>}: a bitfield of an integer container, printed in
     * decimal.
     */
    record Bitfield(int width, int offset, int containerBits) implements ArgType {
    }

    /** {@code TYPE[N]}: N consecutive elements of a memory fetch, printed {@code {a,b,c}}. */
    record Array(ArgType element, int count) implements ArgType {
    }

    /** {@code symbol} (kprobes only): a 64-bit kernel address printed as {@code sym+off/size} ({@code %pS}). */
    record Symbol() implements ArgType {
    }

    /** {@code symstr} (kprobes only): a kernel address recorded as the text {@code sym+off/size}. */
    record SymbolString() implements ArgType {
    }
}
