package io.probe4j.unwind;

/**
 * Call-frame information that cannot be read or evaluated: truncated or corrupt {@code .eh_frame}
 * data, or a construct this unwinder does not evaluate. The message says which and where; the
 * unwinder turns it into the reason its walk stopped.
 */
public final class CfiException extends RuntimeException {
    public CfiException(String message) {
        super(message);
    }
}
