package io.probe4j.spec;

import io.probe4j.error.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.UnaryOperator;

/**
 * The events a sequence of lines defines, applied in order the way {@code uprobe_events} applies
 * writes: a second probe under an existing event name is appended to that event when it has the same
 * kind and the same argument names and types (and refused otherwise: {@code EEXIST}); the exact same
 * probe twice is refused; {@code -:} removes every matching event or fails with {@code ENOENT}.
 * The listing is in the kernel's order (creation order). With a {@linkplain Parser#kprobe kprobe parser}
 * it is the same for {@code kprobe_events} (see {@link KprobeEvents}).
 */
public final class DefinitionSet {
    private final Parser parser;
    private final UnaryOperator<ProbeDefinition> resolver;
    private final List<ProbeDefinition> probes = new ArrayList<>();
    /** The probes by GROUP/EVENT and by file offset: a wildcard adds thousands, each checked against the rest. */
    private final Map<String, List<ProbeDefinition>> byName = new HashMap<>();
    private final Map<Long, List<ProbeDefinition>> byOffset = new HashMap<>();
    private final KprobeEvents kprobes;
    private BiPredicate<String, String> foreignEvents = (group, event) -> false;

    /**
     * @param resolver turns a definition that {@linkplain ProbeDefinition#needsResolution() needs
     *                 resolution} into one with a real path and file offset (the elf package's job)
     */
    public DefinitionSet(Parser parser, UnaryOperator<ProbeDefinition> resolver) {
        this.parser = parser;
        this.resolver = resolver;
        this.kprobes = new KprobeEvents(parser.symbols());
    }

    /** For the kernel's language only: nothing needs resolution. */
    public DefinitionSet(Parser parser) {
        this(parser, d -> {
            throw new UserException("cannot resolve " + d.target().path() + " here: symbols and bare names need the elf package");
        });
    }

    /**
     * Events of other kinds that already exist (e.g. {@code sched/sched_switch}); a uprobe may not
     * take their group/name ({@code Given group/event name is already used by another event}).
     */
    public DefinitionSet withForeignEvents(BiPredicate<String, String> exists) {
        this.foreignEvents = exists;
        return this;
    }

    /**
     * Parses and applies one line; empty for a blank line or comment.
     *
     * @return the definition as applied (a probe with its target resolved)
     * @throws SpecException when the kernel would refuse the line; the set is unchanged then
     */
    public Optional<Definition> apply(String line) {
        Parser.Line l = parser.parse(line);
        if (l == null) {
            return Optional.empty();
        }
        return Optional.of(switch (l.definition()) {
            case ProbeDefinition p -> add(p.needsResolution() ? resolver.apply(p) : p, l);
            case KprobeDefinition k -> kprobes.add(k, l, foreignEvents);
            case RemoveDefinition r -> remove(r, l);
        });
    }

    /** The kprobes in the kernel's listing order. */
    public List<KprobeDefinition> kprobes() {
        return kprobes.probes();
    }

    /** The probes in the kernel's listing order. */
    public List<ProbeDefinition> probes() {
        return List.copyOf(probes);
    }

    /** What reading {@code uprobe_events} (or, for a kprobe parser, {@code kprobe_events}) would show. */
    public List<String> listing() {
        if (parser.mode() == Parser.Mode.KPROBE) {
            return kprobes.listing();
        }
        return probes.stream().map(NormalForm::of).toList();
    }

    private ProbeDefinition add(ProbeDefinition d, Parser.Line line) {
        Object file = fileKey(d.target().path());
        long offset = offset(d);
        long ref = d.target().refCtrOffset().orElse(0);
        for (ProbeDefinition p : byOffset.getOrDefault(offset, List.of())) {
            if (fileKey(p.target().path()).equals(file) && p.target().refCtrOffset().orElse(0) != ref) {
                throw SpecException.silent("another probe on this place has a different reference counter offset",
                        line.command(), Errno.EINVAL);
            }
        }
        // the kernel looks at the events of this name only: the index finds them without a scan
        EventAppend.check(byName.getOrDefault(key(d), List.of()), d, (s, n) -> offset(s) == offset
                && fileKey(s.target().path()).equals(file) && EventAppend.sameArgTexts(s, n), SpecException.UPROBE,
                line.words(), foreignEvents);
        probes.add(d);
        byName.computeIfAbsent(key(d), k -> new ArrayList<>()).add(d);
        byOffset.computeIfAbsent(offset, k -> new ArrayList<>()).add(d);
        return d;
    }

    private static String key(ProbeDefinition d) {
        return d.group() + "/" + d.event();
    }

    private RemoveDefinition remove(RemoveDefinition r, Parser.Line line) {
        if (parser.mode() == Parser.Mode.KPROBE) {
            if (!kprobes.remove(r)) {
                throw SpecException.silent("no such event", line.command(), Errno.ENOENT);
            }
            return r;
        }
        List<ProbeDefinition> gone = probes.stream().filter(p -> matches(r, p)).toList();
        if (gone.isEmpty()) {
            throw SpecException.silent("no such event", line.command(), Errno.ENOENT);
        }
        probes.removeAll(gone);
        for (ProbeDefinition p : gone) {
            byName.get(key(p)).remove(p);
            byOffset.get(offset(p)).remove(p);
        }
        return r;
    }

    /** {@code trace_uprobe_match}: the place is {@code PATH:0x%016x[(0xREF)]}, as the normal form shows it. */
    private static boolean matches(RemoveDefinition r, ProbeDefinition p) {
        String place = p.target().path() + ":" + String.format("0x%016x", offset(p));
        long ref = p.target().refCtrOffset().orElse(0);
        if (ref != 0) {
            place += "(0x" + Long.toHexString(ref) + ")";
        }
        return r.matches(p.group(), p.event(), place, p.args());
    }

    private static long offset(ProbeDefinition d) {
        return ((ProbeTarget.Location.FileOffset) d.target().location()).offset();
    }

    /** The file's identity (device and inode), as the kernel compares probes by inode. */
    private static Object fileKey(String path) {
        try {
            Object key = Files.readAttributes(Path.of(path), BasicFileAttributes.class).fileKey();
            return Objects.requireNonNullElse(key, path);
        } catch (IOException | RuntimeException e) {
            return path;
        }
    }
}
