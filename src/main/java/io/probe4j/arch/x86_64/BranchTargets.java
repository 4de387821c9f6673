package io.probe4j.arch.x86_64;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Every place in a file's code that control can reach other than by falling through, as far as the
 * bytes show: the targets of direct jumps, calls and {@code loop}s, addresses of code taken with a
 * RIP-relative {@code lea} (computed gotos, hand-written tables), and the entries of the jump tables
 * a {@code switch} compiles to. A 5-byte jump patched over several instructions is only safe when
 * none of these lands strictly inside it.
 *
 * <p>The code is swept linearly, section by section, as {@code objdump -d} does (the decoder agrees
 * with objdump on whole libraries), so code outside any symbol ({@code .cold} parts of stripped
 * files) is covered; bytes that do not decode are stepped over one at a time.
 *
 * <p>Jump tables are found from their base, not from the jump: every RIP-relative address the code
 * takes that points outside the code is read as a table of 32-bit offsets from itself (GCC and
 * Clang's position-independent tables), and every {@code [disp32 + index*8]} operand as a table of
 * absolute addresses; entries are taken while they land on instruction boundaries. A table that is
 * not one yields nothing or a few stray targets, which only make planning more cautious. Indirect
 * jumps through a register or memory are recorded: a function that has one and into which no table
 * leads may jump anywhere in itself ({@link #unresolvedIndirectJump}).
 */
public final class BranchTargets {
    private static final int MAX_TABLE_ENTRIES = 4096;
    private static final long SHF_ALLOC = 2;

    /** Bytes of code or data at a link-time (or run-time) address. */
    public record Region(long address, byte[] bytes, boolean executable) {
        boolean contains(long a, int n) {
            return a >= address && a + n <= address + bytes.length;
        }
    }

    private final Sorted boundaries;
    private final Sorted targets;
    /** The branch (or jump table) of each target, in the targets' order: not sorted. */
    private final Sorted sources;
    private final Sorted tableTargets;
    private final Sorted indirectJumps;

    private BranchTargets(Sorted boundaries, Sorted targets, Sorted sources, Sorted tableTargets, Sorted indirectJumps) {
        this.boundaries = boundaries;
        this.targets = targets;
        this.sources = sources;
        this.tableTargets = tableTargets;
        this.indirectJumps = indirectJumps;
    }

    /** The loaded sections of {@code elf} at their link-time addresses: its code, and the data its jump tables may be in. */
    public static List<Region> regions(io.probe4j.elf.ElfFile elf) {
        List<Region> out = new java.util.ArrayList<>();
        for (io.probe4j.elf.SectionHeader s : elf.sections()) {
            if ((s.flags() & SHF_ALLOC) != 0 && s.hasFileBytes() && s.size() > 0 && s.addr() != 0) {
                out.add(new Region(s.addr(), elf.bytes(s.offset(), (int) s.size()),
                        (s.flags() & io.probe4j.elf.SectionHeader.SHF_EXECINSTR) != 0));
            }
        }
        return out;
    }

    /** Sweeps the executable regions of {@code image}; the others are read for jump tables. */
    public static BranchTargets scan(List<Region> image) {
        LongList bounds = new LongList();
        LongList found = new LongList();
        LongList from = new LongList();
        LongList indirect = new LongList();
        LongList pcRelTables = new LongList();
        LongList absTables = new LongList();
        for (Region r : image) {
            if (!r.executable()) {
                continue;
            }
            byte[] code = r.bytes();
            int at = 0;
            while (at < code.length) {
                Instruction insn;
                try {
                    insn = Decoder.decode(code, at, code.length, r.address() + at);
                } catch (UndecodableException e) {
                    at++;
                    continue;
                }
                bounds.add(insn.address());
                switch (insn.controlFlow()) {
                    case ControlFlow.Jump j -> found.add(j.target(), insn.address(), from);
                    case ControlFlow.ConditionalJump j -> found.add(j.target(), insn.address(), from);
                    case ControlFlow.Call c -> found.add(c.target(), insn.address(), from);
                    case ControlFlow.Loop l -> found.add(l.target(), insn.address(), from);
                    case ControlFlow.IndirectJump j when !insn.ripRelative() -> indirect.add(insn.address());
                    default -> {
                    }
                }
                if (insn.ripRelative()) {
                    long t = insn.ripTarget();
                    if (inCode(image, t)) {
                        found.add(t, insn.address(), from); // an address of code, kept somewhere
                    } else {
                        pcRelTables.add(t);
                    }
                } else if (insn.encoding() == Encoding.LEGACY && insn.hasModrm() && insn.mod() != 3
                        && insn.operand() instanceof Operand.Memory m && m.base() == null && m.index() != null
                        && m.scale() == 8) {
                    absTables.add(m.displacement());
                }
                at += insn.length();
            }
        }
        long[] b = bounds.sorted();
        LongList tables = new LongList();
        LongList tableSources = new LongList();
        for (long table : distinct(pcRelTables.sorted())) {
            readTable(image, b, table, 4, tables, tableSources);
        }
        for (long table : distinct(absTables.sorted())) {
            readTable(image, b, table, 8, tables, tableSources);
        }
        for (int i = 0; i < tables.n; i++) {
            found.add(tables.a[i], tableSources.a[i], from);
        }
        long lo = Long.MAX_VALUE, hi = Long.MIN_VALUE;
        for (Region r : image) {
            if (r.executable()) {
                lo = Math.min(lo, r.address());
                hi = Math.max(hi, r.address() + r.bytes().length);
            }
        }
        long[][] pairs = found.sortedPairs(from, lo, hi);
        return new BranchTargets(Sorted.of(b), Sorted.of(pairs[0]), Sorted.of(pairs[1]), Sorted.of(distinct(tables.sorted())),
                Sorted.of(indirect.sorted()));
    }

    private static long[] distinct(long[] sorted) {
        int m = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (m == 0 || sorted[m - 1] != sorted[i]) {
                sorted[m++] = sorted[i];
            }
        }
        return Arrays.copyOf(sorted, m);
    }

    private static boolean inCode(List<Region> image, long address) {
        for (Region r : image) {
            if (r.executable() && r.contains(address, 1)) {
                return true;
            }
        }
        return false;
    }

    /** Entries of a table at {@code table}, while they land on instruction boundaries. */
    private static void readTable(List<Region> image, long[] boundaries, long table, int entrySize, LongList found,
            LongList from) {
        for (Region r : image) {
            if (r.executable() || !r.contains(table, entrySize)) {
                continue;
            }
            ByteBuffer buf = ByteBuffer.wrap(r.bytes()).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < MAX_TABLE_ENTRIES && r.contains(table + (long) i * entrySize, entrySize); i++) {
                int off = (int) (table - r.address()) + i * entrySize;
                long target = entrySize == 4 ? table + buf.getInt(off) : buf.getLong(off);
                if (Arrays.binarySearch(boundaries, target) < 0) {
                    break;
                }
                found.add(target, table, from); // the table's address stands for the jump that reads it
            }
            return;
        }
    }

    /** Whether an instruction starts at {@code address}. */
    public boolean isBoundary(long address) {
        return boundaries.search(address) >= 0;
    }

    /** The lowest target in {@code (from, to)}, both ends excluded, or -1. */
    public long firstInside(long from, long to) {
        return targets.firstIn(from + 1, to);
    }

    /** Where a jump to {@code target} comes from: the branch, or the jump table, first found. */
    public long sourceOf(long target) {
        int i = targets.search(target);
        return i >= 0 ? sources.get(i) : -1;
    }

    /**
     * The first indirect jump through a register or memory in {@code [from, to)} (a function) when no
     * jump table leads into that range, so that where it goes is unknown (it may be a tail call, or a
     * table this scan does not read); -1 when there is none, or a table leads into the function.
     */
    public long unresolvedIndirectJump(long from, long to) {
        return tableTargets.firstIn(from, to) >= 0 ? -1 : indirectJumps.firstIn(from, to);
    }

    /** Number of distinct targets found. */
    public int size() {
        return targets.size();
    }

    /**
     * The scan as bytes ({@link #fromBytes} reads them back), for a cache on disk that spares a library's
     * next sweep and is read in place, mapped, without decoding: the lowest address as a little-endian
     * u64, the five arrays' lengths as u32s, then each array as u32 offsets from that address.
     * IllegalArgumentException when the addresses span 4 GiB or more (such a scan is not kept).
     */
    public byte[] toBytes() {
        Sorted[] all = {boundaries, targets, sources, tableTargets, indirectJumps};
        long base = Long.MAX_VALUE, top = Long.MIN_VALUE;
        int entries = 0;
        for (Sorted a : all) {
            for (int i = 0; i < a.size(); i++) {
                base = Math.min(base, a.get(i));
                top = Math.max(top, a.get(i));
            }
            entries += a.size();
        }
        if (entries == 0) {
            base = top = 0;
        }
        if (top - base >= 1L << 32) {
            throw new IllegalArgumentException("addresses spanning 0x" + Long.toHexString(top - base) + " bytes");
        }
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + 4 * entries).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(base);
        for (Sorted a : all) {
            out.putInt(a.size());
        }
        out.position(HEADER_BYTES);
        for (Sorted a : all) {
            for (int i = 0; i < a.size(); i++) {
                out.putInt((int) (a.get(i) - base));
            }
        }
        return out.array();
    }

    /** The base, five lengths, and padding to 8 bytes. */
    private static final int HEADER_BYTES = 8 + 5 * 4 + 4;

    /** A scan from {@link #toBytes()}'s bytes; IllegalArgumentException when they are not such bytes. */
    public static BranchTargets fromBytes(byte[] bytes) {
        return fromBytes(ByteBuffer.wrap(bytes));
    }

    /**
     * A scan over {@link #toBytes()}'s bytes in {@code bytes} (from its position to its limit), used in
     * place: a mapped file is read only where a look-up goes. IllegalArgumentException when they are not
     * such bytes.
     */
    public static BranchTargets fromBytes(ByteBuffer bytes) {
        ByteBuffer b = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < HEADER_BYTES) {
            throw new IllegalArgumentException("a branch scan of " + b.remaining() + " bytes");
        }
        long base = b.getLong(0);
        long entries = 0;
        int[] lengths = new int[5];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = b.getInt(8 + 4 * i);
            if (lengths[i] < 0) {
                throw new IllegalArgumentException("a branch scan's array of " + lengths[i] + " entries");
            }
            entries += lengths[i];
        }
        if (HEADER_BYTES + 4 * entries != b.remaining()) {
            throw new IllegalArgumentException("a branch scan of " + b.remaining() + " bytes for " + entries + " entries");
        }
        if (lengths[1] != lengths[2]) {
            throw new IllegalArgumentException("a branch scan whose targets and sources differ in number");
        }
        Sorted[] arrays = new Sorted[5];
        int at = HEADER_BYTES;
        for (int i = 0; i < arrays.length; i++) {
            arrays[i] = new Sorted(null, b.slice(at, 4 * lengths[i]).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer(), base);
            at += 4 * lengths[i];
        }
        return new BranchTargets(arrays[0], arrays[1], arrays[2], arrays[3], arrays[4]);
    }

    /**
     * An array of addresses: a scan's own, or offsets from a base in a cache file's bytes (a mapped file
     * is not decoded: libc's scan holds some 400,000 addresses). A look-up copies the offsets it needs
     * into an array the first time, in one bulk copy (a millisecond for libc): a binary search through
     * the buffer's accessors costs a cold JVM, which interprets them, some microseconds a step, and an
     * attach of a thousand probes makes tens of thousands of steps.
     */
    private static final class Sorted {
        private final long[] addresses;
        private final java.nio.IntBuffer mapped;
        private final long base;
        private volatile int[] offsets; // a racing first look-up copies twice, each whole

        private Sorted(long[] addresses, java.nio.IntBuffer mapped, long base) {
            this.addresses = addresses;
            this.mapped = mapped;
            this.base = base;
        }

        static Sorted of(long[] addresses) {
            return new Sorted(addresses, null, 0);
        }

        int size() {
            return addresses != null ? addresses.length : mapped.limit();
        }

        long get(int i) {
            return addresses != null ? addresses[i] : base + Integer.toUnsignedLong(offsets()[i]);
        }

        private int[] offsets() {
            if (offsets == null) {
                int[] copy = new int[mapped.limit()];
                mapped.get(0, copy);
                offsets = copy;
            }
            return offsets;
        }

        /** The lowest address in {@code [from, to)}, or -1. */
        long firstIn(long from, long to) {
            int i = search(from);
            if (i < 0) {
                i = -i - 1;
            }
            return i < size() && get(i) < to ? get(i) : -1;
        }

        /** As {@link Arrays#binarySearch(long[], long)}. */
        int search(long key) {
            if (addresses != null) {
                return Arrays.binarySearch(addresses, key);
            }
            int[] a = offsets();
            int lo = 0, hi = a.length - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                long v = base + Integer.toUnsignedLong(a[mid]);
                if (v < key) {
                    lo = mid + 1;
                } else if (v > key) {
                    hi = mid - 1;
                } else {
                    return mid;
                }
            }
            return -(lo + 1);
        }
    }

    /** A growable list of longs, kept apart from boxing for the million instructions of a library. */
    private static final class LongList {
        private long[] a = new long[1024];
        private int n;

        void add(long v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        void add(long target, long source, LongList sources) {
            add(target);
            sources.add(source);
        }

        long[] sorted() {
            long[] s = Arrays.copyOf(a, n);
            Arrays.sort(s);
            return s;
        }

        /**
         * This list (targets) restricted to {@code [lo, hi)}, sorted and deduplicated, with the first
         * source of each. Sorted as one key per entry, the offset from {@code lo} above the index.
         */
        long[][] sortedPairs(LongList sources, long lo, long hi) {
            if (hi - lo >= 1L << 39 || n >= 1 << 24) {
                throw new IllegalArgumentException("code spans too much to index: 0x" + Long.toHexString(hi - lo) + " bytes");
            }
            long[] keys = new long[n];
            int k = 0;
            for (int i = 0; i < n; i++) {
                if (a[i] >= lo && a[i] < hi) {
                    keys[k++] = (a[i] - lo) << 24 | i;
                }
            }
            keys = Arrays.copyOf(keys, k);
            Arrays.sort(keys);
            long[] t = new long[k];
            long[] s = new long[k];
            int m = 0;
            for (long key : keys) {
                long target = lo + (key >>> 24);
                if (m == 0 || t[m - 1] != target) {
                    t[m] = target;
                    s[m++] = sources.a[(int) (key & 0xffffff)];
                }
            }
            return new long[][] {Arrays.copyOf(t, m), Arrays.copyOf(s, m)};
        }
    }
}
