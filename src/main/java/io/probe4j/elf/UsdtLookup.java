package io.probe4j.elf;

import io.probe4j.error.UserException;
import java.util.Comparator;
import java.util.List;

/** Finding a USDT probe of a file by {@code PROVIDER:NAME}, with "did you mean" when it is not there. */
public final class UsdtLookup {
    private UsdtLookup() {
    }

    /**
     * The notes of {@code provider:name}, one per place (a probe written several times in the source, or
     * inlined into several callers, has several).
     *
     * @throws UserException naming the file and the closest probe names when there is none
     */
    public static List<SdtNote> find(ElfFile elf, String provider, String name) {
        List<SdtNote> all = elf.sdtNotes();
        List<SdtNote> found = all.stream().filter(n -> n.provider().equals(provider) && n.name().equals(name)).toList();
        if (!found.isEmpty()) {
            return found;
        }
        if (all.isEmpty()) {
            throw new UserException(elf.path() + ": no USDT probes (the file has no .note.stapsdt notes)");
        }
        String wanted = provider + ":" + name;
        int limit = Math.max(1, Math.min(4, wanted.length() / 3));
        record Scored(String probe, int distance) {
        }
        List<String> close = all.stream().map(SdtNote::qualifiedName).distinct()
                .map(q -> new Scored(q, EditDistance.levenshtein(wanted, q, limit)))
                .filter(s -> s.distance() <= limit)
                .sorted(Comparator.comparingInt(Scored::distance))
                .limit(5).map(Scored::probe).toList();
        StringBuilder msg = new StringBuilder(elf.path() + ": no USDT probe " + wanted);
        if (!close.isEmpty()) {
            msg.append("; did you mean ").append(String.join(", ", close)).append('?');
        }
        msg.append(" (probe4j list --usdt ").append(elf.path()).append(" lists its ")
                .append(all.stream().map(SdtNote::qualifiedName).distinct().count()).append(" probes)");
        throw new UserException(msg.toString());
    }
}
