package io.probe4j.engine.inline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Little-endian numbers in byte arrays (records and recordings), without a ByteBuffer per read. */
final class Bytes {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private Bytes() {
    }

    static long getLong(byte[] b, int at) {
        return (long) LONG.get(b, at);
    }

    static int getInt(byte[] b, int at) {
        return (int) INT.get(b, at);
    }

    static void putLong(byte[] b, int at, long v) {
        LONG.set(b, at, v);
    }

    static void putInt(byte[] b, int at, int v) {
        INT.set(b, at, v);
    }
}
