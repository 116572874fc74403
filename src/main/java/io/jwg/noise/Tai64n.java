package io.jwg.noise;

/**
 * TAI64N timestamps (12 bytes, big-endian seconds + 2^62 + 10, then nanoseconds) as WireGuard sends
 * them in initiations. Nanoseconds are rounded down to 2^24 ns (about 16 ms) like wireguard-go, so
 * the timestamp does not leak a precise clock.
 */
public final class Tai64n {
    public static final int LEN = 12;
    private static final long BASE = 0x400000000000000aL;
    private static final int WHITENER_MASK = 0x1000000 - 1;

    private Tai64n() {}

    public static byte[] of(long wallNanos) {
        long secs = Math.floorDiv(wallNanos, 1_000_000_000L);
        int nanos = (int) Math.floorMod(wallNanos, 1_000_000_000L) & ~WHITENER_MASK;
        byte[] out = new byte[LEN];
        long s = BASE + secs;
        for (int i = 0; i < 8; i++) out[i] = (byte) (s >>> (56 - 8 * i));
        for (int i = 0; i < 4; i++) out[8 + i] = (byte) (nanos >>> (24 - 8 * i));
        return out;
    }

    /** True when a is strictly later than b (both 12-byte TAI64N, compared as big-endian numbers). */
    public static boolean after(byte[] a, byte[] b) {
        if (b == null) return true;
        for (int i = 0; i < LEN; i++) {
            int x = a[i] & 0xff, y = b[i] & 0xff;
            if (x != y) return x > y;
        }
        return false;
    }
}
