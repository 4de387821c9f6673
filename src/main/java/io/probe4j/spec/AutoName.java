package io.probe4j.spec;

/** The event name the kernel makes when a definition names none. */
public final class AutoName {
    private AutoName() {
    }

    /**
     * {@code p_<basename cut at the first '.', '-' or '_'>_0x<offset in lowercase hex>}, cut to 63
     * bytes (the kernel prints it into a 64-byte buffer). Always {@code p_}, also for return probes.
     * The kernel does not check this name against the naming rules.
     */
    public static String of(String path, long offset) {
        String base = path.substring(path.lastIndexOf('/') + 1);
        for (int i = 0; i < base.length(); i++) {
            char c = base.charAt(i);
            if (c == '.' || c == '-' || c == '_') {
                base = base.substring(0, i);
                break;
            }
        }
        String name = "p_" + base + "_0x" + Long.toHexString(offset);
        byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length > Names.MAX_EVENT_NAME_LEN - 1) {
            name = new String(bytes, 0, Names.MAX_EVENT_NAME_LEN - 1, java.nio.charset.StandardCharsets.UTF_8);
        }
        return name;
    }
}
