package io.probe4j.elf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads {@code .symtab} and {@code .dynsym}, naming {@code .dynsym} versions from the GNU version sections. */
final class SymbolReader {
    private static final int SYM_SIZE = 24;
    private static final int VERSYM_HIDDEN = 0x8000;

    private SymbolReader() {
    }

    static List<ElfSymbol> read(ElfBytes b, List<SectionHeader> sections, String file) {
        List<ElfSymbol> out = new ArrayList<>();
        for (SectionHeader s : sections) {
            if (s.type() == SectionHeader.SHT_SYMTAB) {
                readTable(b, sections, s, ElfSymbol.Table.SYMTAB, out);
            } else if (s.type() == SectionHeader.SHT_DYNSYM) {
                readTable(b, sections, s, ElfSymbol.Table.DYNSYM, out);
            }
        }
        return out;
    }

    private static void readTable(ElfBytes b, List<SectionHeader> sections, SectionHeader table,
                                  ElfSymbol.Table kind, List<ElfSymbol> out) {
        b.require(table.offset(), table.size(), "symbol table " + table.name());
        byte[] strings = stringTable(b, sections, table.link(), table.name());
        Versions versions = kind == ElfSymbol.Table.DYNSYM ? Versions.of(b, sections, table) : Versions.NONE;
        byte[] t = b.bytes(table.offset(), (int) table.size());
        int count = t.length / SYM_SIZE;
        for (int i = 0; i < count; i++) {
            int p = i * SYM_SIZE;
            String raw = ElfBytes.cString(strings, b.u32(t, p));
            int info = b.u8(t, p + 4);
            int other = b.u8(t, p + 5);
            int shndx = b.u16(t, p + 6);
            long value = b.u64(t, p + 8);
            long size = b.u64(t, p + 16);
            String name = raw;
            String version = "";
            boolean dflt = false;
            int at = raw.indexOf('@');
            if (at > 0) {
                // .symtab spells versions into the name: memcpy@@GLIBC_2.14, memcpy@GLIBC_2.2.5
                name = raw.substring(0, at);
                dflt = raw.startsWith("@@", at);
                version = raw.substring(at + (dflt ? 2 : 1));
            } else if (versions != Versions.NONE) {
                int vs = versions.versym(b, i);
                int idx = vs & 0x7fff;
                if (idx >= 2) {
                    String v = shndx != ElfSymbol.SHN_UNDEF ? versions.defined.get(idx) : versions.needed.get(idx);
                    if (v == null) {
                        v = versions.needed.getOrDefault(idx, versions.defined.get(idx));
                    }
                    if (v != null) {
                        version = v;
                        dflt = shndx != ElfSymbol.SHN_UNDEF && (vs & VERSYM_HIDDEN) == 0;
                    }
                }
            }
            out.add(new ElfSymbol(kind, i, name, version, dflt, value, size, info & 0xf, info >>> 4, other & 0x3,
                    shndx));
        }
    }

    private static byte[] stringTable(ElfBytes b, List<SectionHeader> sections, long index, String user) {
        if (index <= 0 || index >= sections.size()) {
            return new byte[0];
        }
        SectionHeader s = sections.get((int) index);
        b.require(s.offset(), s.size(), "string table " + s.name() + " of " + user);
        return b.bytes(s.offset(), (int) s.size());
    }

    /** {@code .gnu.version} (one u16 per .dynsym entry) and the names behind its indexes. */
    private record Versions(long versymOffset, long versymCount, Map<Integer, String> defined,
                            Map<Integer, String> needed) {
        static final Versions NONE = new Versions(0, 0, Map.of(), Map.of());

        int versym(ElfBytes b, int symbol) {
            return symbol < versymCount ? b.u16(versymOffset + 2L * symbol) : 0;
        }

        static Versions of(ElfBytes b, List<SectionHeader> sections, SectionHeader dynsym) {
            SectionHeader versym = null;
            Map<Integer, String> defined = new HashMap<>();
            Map<Integer, String> needed = new HashMap<>();
            for (SectionHeader s : sections) {
                if (s.type() == SectionHeader.SHT_GNU_VERSYM && s.link() == dynsym.index()) {
                    versym = s;
                } else if (s.type() == SectionHeader.SHT_GNU_VERDEF) {
                    readVerdef(b, s, stringTable(b, sections, s.link(), s.name()), defined);
                } else if (s.type() == SectionHeader.SHT_GNU_VERNEED) {
                    readVerneed(b, s, stringTable(b, sections, s.link(), s.name()), needed);
                }
            }
            if (versym == null) {
                return NONE;
            }
            b.require(versym.offset(), versym.size(), "version table " + versym.name());
            return new Versions(versym.offset(), versym.size() / 2, defined, needed);
        }

        // Elf64_Verdef {u16 version, flags, ndx, cnt; u32 hash, aux, next}; Elf64_Verdaux {u32 name, next}
        private static void readVerdef(ElfBytes b, SectionHeader s, byte[] strings, Map<Integer, String> out) {
            b.require(s.offset(), s.size(), "version definitions " + s.name());
            long p = s.offset();
            long end = s.offset() + s.size();
            for (long n = 0; n < s.info() && p + 20 <= end; n++) {
                int ndx = b.u16(p + 4);
                long aux = p + b.u32(p + 12);
                if (aux + 8 <= end) {
                    out.put(ndx, ElfBytes.cString(strings, b.u32(aux)));
                }
                long next = b.u32(p + 16);
                if (next == 0) {
                    break;
                }
                p += next;
            }
        }

        // Elf64_Verneed {u16 version, cnt; u32 file, aux, next}; Elf64_Vernaux {u32 hash; u16 flags, other; u32 name, next}
        private static void readVerneed(ElfBytes b, SectionHeader s, byte[] strings, Map<Integer, String> out) {
            b.require(s.offset(), s.size(), "version requirements " + s.name());
            long p = s.offset();
            long end = s.offset() + s.size();
            for (long n = 0; n < s.info() && p + 16 <= end; n++) {
                int cnt = b.u16(p + 2);
                long a = p + b.u32(p + 8);
                for (int j = 0; j < cnt && a + 16 <= end; j++) {
                    out.put(b.u16(a + 6), ElfBytes.cString(strings, b.u32(a + 8)));
                    long next = b.u32(a + 12);
                    if (next == 0) {
                        break;
                    }
                    a += next;
                }
                long next = b.u32(p + 12);
                if (next == 0) {
                    break;
                }
                p += next;
            }
        }
    }
}
