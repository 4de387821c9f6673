package io.probe4j.arch.x86_64;

/**
 * The multi-byte nops Intel recommends (SDM vol. 2B, "NOP"), 1 to 9 bytes: padding that decodes as
 * one instruction, so no branch can land in the middle of it.
 */
final class Nops {
    static final int LONGEST = 9;

    /** A nop's bytes and its text in objdump's syntax. */
    record Form(byte[] bytes, String text) {
    }

    private static final Form[] FORMS = {
        form("90", "nop"),
        form("6690", "xchg %ax,%ax"),
        form("0f1f00", "nopl (%rax)"),
        form("0f1f4000", "nopl 0x0(%rax)"),
        form("0f1f440000", "nopl 0x0(%rax,%rax,1)"),
        form("660f1f440000", "nopw 0x0(%rax,%rax,1)"),
        form("0f1f8000000000", "nopl 0x0(%rax)"),
        form("0f1f840000000000", "nopl 0x0(%rax,%rax,1)"),
        form("660f1f840000000000", "nopw 0x0(%rax,%rax,1)"),
    };

    private Nops() {
    }

    /** The nop of {@code length} bytes. */
    static Form of(int length) {
        if (length < 1 || length > LONGEST) {
            throw new IllegalArgumentException("no single nop of " + length + " bytes (1 to " + LONGEST + ")");
        }
        return FORMS[length - 1];
    }

    private static Form form(String hex, String text) {
        return new Form(java.util.HexFormat.of().parseHex(hex), text);
    }
}
