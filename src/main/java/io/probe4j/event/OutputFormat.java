package io.probe4j.event;

/** How events are written: ftrace text lines, JSON lines, or only the hit counts at the end. */
public enum OutputFormat {
    /** {@link TraceText}: the kernel's trace format, after the {@code # tracer: nop} header. */
    TEXT,
    /** {@link JsonLine}: one JSON object per line. */
    JSON,
    /** {@link ProfileTable}: the {@code uprobe_profile} layout, printed when tracing ends. */
    PROFILE
}
