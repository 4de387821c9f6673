package io.probe4j.unwind;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code .eh_frame} section of one file: CIEs and FDEs, read on demand from a copy of the section
 * (a few hundred KiB even for libstdc++). CIEs are cached since every FDE names one.
 */
final class EhFrame {
    private static final long CIE_ID = 0;

    private final ByteCursor bytes;
    private final Map<Integer, Cie> cies = new HashMap<>();

    /**
     * @param section the section's bytes
     * @param vaddr   its link-time address (PC-relative pointers are relative to it)
     * @param what    names it in errors
     */
    EhFrame(byte[] section, long vaddr, String what) {
        this.bytes = new ByteCursor(section, vaddr, what);
    }

    long vaddr() {
        return bytes.baseVaddr();
    }

    String what() {
        return bytes.what();
    }

    int size() {
        return bytes.capacity();
    }

    /** The FDE at section offset {@code offset} (as {@code .eh_frame_hdr}'s table gives it). */
    synchronized Fde fdeAt(int offset) {
        ByteCursor c = bytes.slice(0, bytes.capacity()).seek(offset);
        Header h = header(c);
        if (h == null || h.id == CIE_ID) {
            throw new CfiException(String.format("%s: no FDE at offset 0x%x", bytes.what(), offset));
        }
        return fde(c, offset, h);
    }

    /** Every FDE, in section order (for files without {@code .eh_frame_hdr}). */
    synchronized List<Fde> allFdes() {
        List<Fde> out = new ArrayList<>();
        ByteCursor c = bytes.slice(0, bytes.capacity());
        while (c.position() + 4 <= c.capacity()) {
            int at = c.position();
            c.limit(c.capacity());
            Header h = header(c);
            if (h == null) {
                break; // the zero terminator
            }
            if (h.id != CIE_ID) {
                out.add(fde(c, at, h));
            }
            c.limit(c.capacity());
            c.seek(h.end);
        }
        return out;
    }

    /** An entry's length and id; null for the terminator. Leaves {@code c} after the id, limited to the entry. */
    private Header header(ByteCursor c) {
        long length = c.u32();
        if (length == 0) {
            return null;
        }
        if (length == 0xffffffffL) {
            length = c.u64();
        }
        int idField = c.position();
        if (length > c.capacity() - idField) {
            throw new CfiException(String.format("%s: an entry at 0x%x claims %d bytes, past the end of the section",
                    bytes.what(), bytes.baseVaddr() + idField - 4, length));
        }
        int end = (int) (idField + length);
        c.limit(end);
        long id = c.u32();
        return new Header(idField, id, end);
    }

    private record Header(int idField, long id, int end) {
    }

    private Fde fde(ByteCursor c, int offset, Header h) {
        int cieOffset = (int) (h.idField - h.id); // the id is the distance back to the CIE
        Cie cie = cie(cieOffset);
        long pcBegin = PointerEncoding.read(c, cie.fdeEncoding(), PointerEncoding.Bases.NONE);
        long pcRange = PointerEncoding.read(c, cie.fdeEncoding() & 0x0f, PointerEncoding.Bases.NONE);
        if (cie.augmentation().startsWith("z")) {
            long augLength = c.uleb128();
            c.skip(augLength); // the LSDA pointer: exception handling's business, not unwinding's
        }
        return new Fde(offset, cie, pcBegin, pcRange, c.position(), h.end);
    }

    private Cie cie(int offset) {
        Cie known = cies.get(offset);
        if (known != null) {
            return known;
        }
        if (offset < 0 || offset >= bytes.capacity()) {
            throw new CfiException(String.format("%s: an FDE points to a CIE at offset %d, outside the section", bytes.what(), offset));
        }
        ByteCursor c = bytes.slice(0, bytes.capacity()).seek(offset);
        Header h = header(c);
        if (h == null || h.id != CIE_ID) {
            throw new CfiException(String.format("%s: no CIE at offset 0x%x", bytes.what(), offset));
        }
        int version = c.u8();
        if (version != 1 && version != 3) {
            throw new CfiException(String.format("%s: CIE at offset 0x%x has version %d (1 or 3 expected)", bytes.what(), offset, version));
        }
        String aug = c.cString();
        if (aug.contains("eh")) {
            c.u64(); // GCC 2.x's eh_ptr
        }
        long codeAlign = c.uleb128();
        long dataAlign = c.sleb128();
        int raReg = version == 1 ? c.u8() : (int) c.uleb128();
        int fdeEnc = PointerEncoding.ABSPTR;
        int lsdaEnc = PointerEncoding.OMIT;
        boolean signal = false;
        if (aug.startsWith("z")) {
            long augLength = c.uleb128();
            int augEnd = (int) (c.position() + augLength);
            for (int i = 1; i < aug.length(); i++) {
                switch (aug.charAt(i)) {
                    case 'R' -> fdeEnc = c.u8();
                    case 'L' -> lsdaEnc = c.u8();
                    case 'P' -> PointerEncoding.read(c, c.u8(), PointerEncoding.Bases.NONE);
                    case 'S' -> signal = true;
                    case 'B', 'G' -> {
                        // AArch64 pointer authentication key B, memory tagging: nothing to read
                    }
                    default -> {
                        // An unknown letter: the length lets us skip the data it describes
                        i = aug.length();
                    }
                }
            }
            c.seek(augEnd);
        } else if (!aug.isEmpty() && !aug.equals("eh")) {
            throw new CfiException(String.format("%s: CIE at offset 0x%x has augmentation \"%s\", which cannot be skipped (no 'z')",
                    bytes.what(), offset, aug));
        }
        Cie cie = new Cie(offset, aug, codeAlign, dataAlign, raReg, fdeEnc, lsdaEnc, signal, c.position(), h.end);
        cies.put(offset, cie);
        return cie;
    }

    /** A cursor over {@code [from, to)} of the section, for the CFA program evaluator. */
    ByteCursor instructions(int from, int to) {
        return bytes.slice(from, to);
    }
}
