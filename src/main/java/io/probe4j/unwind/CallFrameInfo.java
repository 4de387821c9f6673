package io.probe4j.unwind;

import io.probe4j.elf.ElfFile;
import io.probe4j.elf.ProgramHeader;
import io.probe4j.elf.SectionHeader;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The call-frame information of one ELF file: its {@code .eh_frame}, found through the
 * {@code PT_GNU_EH_FRAME} segment as the dynamic loader and libgcc find it (so stripped files without
 * section headers work), else through the {@code .eh_frame} section. Addresses are link-time ones.
 */
public final class CallFrameInfo {
    private final EhFrame ehFrame;
    private final EhFrameHdr hdr;
    private List<Fde> sorted;
    private static final int MAX_ROWS = 8192;
    private final Map<Long, UnwindRow> rows = new ConcurrentHashMap<>();

    private CallFrameInfo(EhFrame ehFrame, EhFrameHdr hdr) {
        this.ehFrame = ehFrame;
        this.hdr = hdr;
    }

    /** The file's call-frame information; empty when it has no {@code .eh_frame}. */
    static Optional<CallFrameInfo> of(ElfFile elf) {
        String file = elf.path().toString();
        Optional<ProgramHeader> seg = elf.programHeaders().stream()
                .filter(ph -> ph.type() == ProgramHeader.PT_GNU_EH_FRAME).findFirst();
        Optional<SectionHeader> ehSection = elf.section(".eh_frame").filter(SectionHeader::hasFileBytes);
        EhFrameHdr hdr = null;
        long ehVaddr;
        if (seg.isPresent() && seg.get().fileSize() > 0) {
            ProgramHeader ph = seg.get();
            hdr = new EhFrameHdr(elf.bytes(ph.offset(), (int) ph.fileSize()), ph.vaddr(), file + " .eh_frame_hdr");
            ehVaddr = hdr.ehFrameVaddr();
        } else if (ehSection.isPresent()) {
            ehVaddr = ehSection.get().addr();
        } else {
            return Optional.empty();
        }
        long ehOffset = elf.fileOffsetOf(ehVaddr).orElseThrow(() -> new CfiException(String.format(
                "%s: .eh_frame at 0x%x is not in any loaded segment", file, ehVaddr)));
        long size = ehSection.filter(s -> s.addr() == ehVaddr).map(SectionHeader::size)
                .orElseGet(() -> segmentRest(elf, ehOffset));
        byte[] bytes = elf.bytes(ehOffset, (int) Math.min(size, Integer.MAX_VALUE));
        return Optional.of(new CallFrameInfo(new EhFrame(bytes, ehVaddr, file + " .eh_frame"), hdr));
    }

    /** Without section headers, .eh_frame runs to its terminator, at the latest to its segment's end. */
    private static long segmentRest(ElfFile elf, long fileOffset) {
        ProgramHeader ph = elf.loadSegmentAt(fileOffset).orElseThrow();
        return ph.offset() + ph.fileSize() - fileOffset;
    }

    /** The FDE covering link-time address {@code vaddr}, if there is one. */
    public Optional<Fde> fdeFor(long vaddr) {
        if (hdr != null && hdr.hasTable()) {
            long fdeVaddr = hdr.fdeFor(vaddr);
            if (fdeVaddr < 0) {
                return Optional.empty();
            }
            long offset = fdeVaddr - ehFrame.vaddr();
            if (offset < 0 || offset >= ehFrame.size()) {
                throw new CfiException(String.format("%s: .eh_frame_hdr names an FDE at 0x%x, outside .eh_frame",
                        ehFrame.what(), fdeVaddr));
            }
            Fde fde = ehFrame.fdeAt((int) offset);
            return fde.covers(vaddr) ? Optional.of(fde) : Optional.empty();
        }
        List<Fde> all = sortedFdes();
        int lo = 0;
        int hi = all.size() - 1;
        Fde best = null;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(all.get(mid).pcBegin(), vaddr) <= 0) {
                best = all.get(mid);
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return best != null && best.covers(vaddr) ? Optional.of(best) : Optional.empty();
    }

    /**
     * The unwinding rules that hold at {@code vaddr} inside {@code fde}. Kept once computed: a traced
     * program hits its probes from the same few call sites, and running a CFA program is most of a walk's
     * cost. Rows are not changed after {@link CfaProgram#run}. At most {@value #MAX_ROWS} are kept (then
     * the memo starts over), about a megabyte per object.
     */
    UnwindRow rowAt(Fde fde, long vaddr) {
        UnwindRow row = rows.get(vaddr);
        if (row == null) {
            row = CfaProgram.run(ehFrame, fde, vaddr);
            if (rows.size() >= MAX_ROWS) {
                rows.clear();
            }
            rows.put(vaddr, row);
        }
        return row;
    }

    private synchronized List<Fde> sortedFdes() {
        if (sorted == null) {
            sorted = ehFrame.allFdes().stream().filter(f -> f.pcRange() > 0)
                    .sorted(Comparator.comparingLong(Fde::pcBegin)).toList();
        }
        return sorted;
    }
}
