package io.probe4j.engine.kernel;

import java.util.List;

/**
 * Finds the kernel's {@code error_log} entry for a refused definition. An entry is three lines:
 * <pre>
 * [  532.672367] trace_uprobe: error: String accepts only memory argument
 *   Command: r:grp/ev /tmp/t:0x114d s=$retval:string
 *                                     ^
 * </pre>
 * Other users write definitions too, so the entry is matched by its command text, latest first.
 */
final class ErrorLog {
    private ErrorLog() {
    }

    /**
     * The entry (message line without its timestamp, command line, caret line) for {@code command},
     * or null when the log has none.
     */
    static String entryFor(String log, String command) {
        String normalized = String.join(" ", command.trim().split("\\s+"));
        List<String> lines = log.lines().toList();
        for (int i = lines.size() - 2; i >= 1; i--) {
            String c = lines.get(i);
            if (c.startsWith("  Command: ") && c.substring("  Command: ".length()).equals(normalized)) {
                String message = lines.get(i - 1).replaceFirst("^\\[\\s*[0-9.]+\\]\\s*", "");
                String caret = i + 1 < lines.size() ? lines.get(i + 1) : "";
                return message + "\n" + c + "\n" + caret;
            }
        }
        return null;
    }
}
