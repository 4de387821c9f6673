package io.probe4j.filter;

/**
 * The record's {@code common_flags} and {@code common_preempt_count} bytes, read back from the five flag
 * characters every event carries ({@code DBZff}), the inverse of the kernel's {@code trace_print_lat_fmt}
 * (6.18). One bit does not survive printing: {@code Z} (NMI and hard irq) and {@code z} (NMI) do not say
 * whether the soft-irq bit is set. The kernel's uprobe hits are {@code DBZff} with every flag bit set
 * (filters on each bit say so), so {@code Z} and {@code z} read as soft irq too.
 */
final class TraceFlags {
    private static final int IRQS_OFF = 0x01;
    private static final int NEED_RESCHED_LAZY = 0x02;
    private static final int NEED_RESCHED = 0x04;
    private static final int HARDIRQ = 0x08;
    private static final int SOFTIRQ = 0x10;
    private static final int PREEMPT_RESCHED = 0x20;
    private static final int NMI = 0x40;
    private static final int BH_OFF = 0x80;

    private TraceFlags() {
    }

    /** {@code common_flags}. */
    static int flags(String f) {
        int irqs = switch (f.charAt(0)) {
            case 'D' -> IRQS_OFF | BH_OFF;
            case 'd' -> IRQS_OFF;
            case 'b' -> BH_OFF;
            default -> 0;
        };
        int resched = switch (f.charAt(1)) {
            case 'B' -> NEED_RESCHED | NEED_RESCHED_LAZY | PREEMPT_RESCHED;
            case 'N' -> NEED_RESCHED | PREEMPT_RESCHED;
            case 'L' -> NEED_RESCHED_LAZY | PREEMPT_RESCHED;
            case 'b' -> NEED_RESCHED | NEED_RESCHED_LAZY;
            case 'n' -> NEED_RESCHED;
            case 'p' -> PREEMPT_RESCHED;
            case 'l' -> NEED_RESCHED_LAZY;
            default -> 0;
        };
        int context = switch (f.charAt(2)) {
            case 'Z' -> NMI | HARDIRQ | SOFTIRQ;
            case 'z' -> NMI | SOFTIRQ;
            case 'H' -> HARDIRQ | SOFTIRQ;
            case 'h' -> HARDIRQ;
            case 's' -> SOFTIRQ;
            default -> 0;
        };
        return irqs | resched | context;
    }

    /** {@code common_preempt_count}: preemption depth in the low nibble, migrate-disable depth in the high one. */
    static int preemptCount(String f) {
        return nibble(f.charAt(3)) | nibble(f.charAt(4)) << 4;
    }

    private static int nibble(char c) {
        return c == '.' ? 0 : Character.digit(c, 16) & 0xf;
    }
}
