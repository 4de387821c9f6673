package io.probe4j.unwind;

/**
 * The {@code DW_EH_PE_*} pointer encodings of {@code .eh_frame} and {@code .eh_frame_hdr} (LSB
 * "Linux Standard Base Core Specification", Exception Frames): a value format in the low nibble, an
 * application (what the value is relative to) in bits 4-6, and bit 7 for an indirect pointer.
 */
final class PointerEncoding {
    static final int OMIT = 0xff;
    static final int ABSPTR = 0x00;
    static final int ULEB128 = 0x01;
    static final int UDATA2 = 0x02;
    static final int UDATA4 = 0x03;
    static final int UDATA8 = 0x04;
    static final int SLEB128 = 0x09;
    static final int SDATA2 = 0x0a;
    static final int SDATA4 = 0x0b;
    static final int SDATA8 = 0x0c;
    static final int PCREL = 0x10;
    static final int TEXTREL = 0x20;
    static final int DATAREL = 0x30;
    static final int FUNCREL = 0x40;
    static final int ALIGNED = 0x50;
    static final int INDIRECT = 0x80;

    /**
     * What relative encodings are relative to.
     *
     * @param text the text segment's address ({@code textrel}; unused by x86-64 toolchains)
     * @param data the data base ({@code datarel}: the start of {@code .eh_frame_hdr} for its table)
     * @param func the function's start ({@code funcrel}, for LSDA pointers)
     */
    record Bases(long text, long data, long func) {
        static final Bases NONE = new Bases(0, 0, 0);
    }

    private PointerEncoding() {
    }

    /**
     * Reads one pointer. An indirect pointer is returned as the address of the word holding it: the
     * unwinder needs indirect pointers only to skip them (personality routines), never their target.
     */
    static long read(ByteCursor c, int encoding, Bases bases) {
        if (encoding == OMIT) {
            throw new CfiException(c.what() + ": an omitted pointer (DW_EH_PE_omit) where one is required at 0x"
                    + Long.toHexString(c.vaddr()));
        }
        long here = c.vaddr();
        int application = encoding & 0x70;
        if (application == ALIGNED) {
            int pad = (int) ((8 - (here & 7)) & 7);
            c.skip(pad);
            here = c.vaddr();
        }
        long value = switch (encoding & 0x0f) {
            case ABSPTR, UDATA8, SDATA8 -> c.u64();
            case ULEB128 -> c.uleb128();
            case UDATA2 -> c.u16();
            case UDATA4 -> c.u32();
            case SLEB128 -> c.sleb128();
            case SDATA2 -> (short) c.u16();
            case SDATA4 -> (int) c.u32();
            default -> throw new CfiException(String.format("%s: unknown pointer format 0x%x in encoding 0x%02x at 0x%x",
                    c.what(), encoding & 0x0f, encoding, here));
        };
        return switch (application) {
            case 0, ALIGNED -> value;
            case PCREL -> here + value;
            case TEXTREL -> bases.text() + value;
            case DATAREL -> bases.data() + value;
            case FUNCREL -> bases.func() + value;
            default -> throw new CfiException(String.format("%s: unknown pointer application 0x%x in encoding 0x%02x at 0x%x",
                    c.what(), application, encoding, here));
        };
    }

    /** Bytes a pointer of this encoding takes when its size is fixed; -1 for LEB128. */
    static int fixedSize(int encoding) {
        return switch (encoding & 0x0f) {
            case ABSPTR, UDATA8, SDATA8 -> 8;
            case UDATA4, SDATA4 -> 4;
            case UDATA2, SDATA2 -> 2;
            default -> -1;
        };
    }
}
