package io.probe4j.spec;

import java.util.OptionalLong;

/**
 * The probed place: {@code PATH:OFFSET[(REF_CTR_OFFSET)]}, or probe4j's extension
 * {@code PATH:SYMBOL[+OFF]}. {@code path} is the text as written (the extensions allow a bare program
 * or library name); {@code io.probe4j.elf} turns it into a real file and a file offset.
 *
 * @param path          the path text as written
 * @param location      a file offset, or a symbol plus offset (extension)
 * @param refCtrOffset  the file offset of the USDT semaphore (reference counter), if given
 */
public record ProbeTarget(String path, Location location, OptionalLong refCtrOffset) {

    /** Where in the file. */
    public sealed interface Location {
        /** A file offset, as the kernel takes it. */
        record FileOffset(long offset) implements Location {
        }

        /**
         * probe4j's extension: a symbol of the file plus a byte offset from its start; or a pattern
         * ({@code *}, {@code ?}, {@code [...]}, as {@code probe4j list} takes) naming every function that
         * matches it, each probed at its start.
         */
        record Symbol(String name, long offset) implements Location {
            /** Whether {@code name} is a pattern: it has a {@code *}, {@code ?} or {@code [} not escaped by {@code \}. */
            public boolean isPattern() {
                return isPattern(name);
            }

            static boolean isPattern(String name) {
                for (int i = 0; i < name.length(); i++) {
                    char c = name.charAt(i);
                    if (c == '\\') {
                        i++;
                    } else if (isPatternChar(c)) {
                        return true;
                    }
                }
                return false;
            }

            static boolean isPatternChar(char c) {
                return c == '*' || c == '?' || c == '[';
            }
        }
    }
}
