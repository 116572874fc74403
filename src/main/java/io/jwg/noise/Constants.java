package io.jwg.noise;

import java.nio.charset.StandardCharsets;

/** Every protocol constant in one place, named as in the WireGuard whitepaper (section 6). */
public final class Constants {
    private Constants() {}

    public static final byte[] CONSTRUCTION = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] IDENTIFIER = "WireGuard v1 zx2c4 Jason@zx2c4.com".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] LABEL_MAC1 = "mac1----".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] LABEL_COOKIE = "cookie--".getBytes(StandardCharsets.US_ASCII);

    public static final long REKEY_AFTER_MESSAGES = 1L << 60;
    /** 2^64 - 2^13 - 1, as an unsigned value; counters are compared with Long.compareUnsigned. */
    public static final long REJECT_AFTER_MESSAGES = -1L - (1L << 13);

    /**
     * Test-only: the system property {@code jwg.testing.timeScale} (e.g. 0.05) shrinks every timer
     * below so that live tests can watch several rekeys in minutes. Unset in production: 1.0.
     */
    public static final double TIME_SCALE = timeScale();
    private static final long S = 1_000_000_000L;
    public static final long REKEY_AFTER_TIME = scaled(120 * S);
    public static final long REJECT_AFTER_TIME = scaled(180 * S);
    public static final long REKEY_ATTEMPT_TIME = scaled(90 * S);
    public static final long REKEY_TIMEOUT = scaled(5 * S);
    public static final long KEEPALIVE_TIMEOUT = scaled(10 * S);
    public static final long COOKIE_REFRESH_TIME = scaled(120 * S);
    /** Upper bound of the random jitter added to REKEY_TIMEOUT (wireguard-go: 333 ms). */
    public static final long REKEY_TIMEOUT_JITTER_MAX = scaled(334_000_000L);

    private static double timeScale() {
        String v = System.getProperty("jwg.testing.timeScale");
        if (v == null) return 1.0;
        double d = Double.parseDouble(v);
        if (!(d > 0 && d <= 1)) throw new IllegalArgumentException("jwg.testing.timeScale must be in (0, 1]");
        return d;
    }

    private static long scaled(long nanos) {
        return TIME_SCALE == 1.0 ? nanos : (long) (nanos * TIME_SCALE);
    }
    /** Retransmissions before giving up: REKEY_ATTEMPT_TIME / REKEY_TIMEOUT. */
    public static final int MAX_HANDSHAKE_ATTEMPTS = 90 / 5;
    /** An initiation from the same peer sooner than this after the previous one is ignored (flood). */
    public static final long HANDSHAKE_INITIATION_RATE = S / 50;

    public static final int TYPE_INITIATION = 1;
    public static final int TYPE_RESPONSE = 2;
    public static final int TYPE_COOKIE_REPLY = 3;
    public static final int TYPE_TRANSPORT = 4;

    public static final int INITIATION_SIZE = 148;
    public static final int RESPONSE_SIZE = 92;
    public static final int COOKIE_REPLY_SIZE = 64;
    public static final int TRANSPORT_HEADER_SIZE = 16;
    public static final int TAG_SIZE = 16;
    /** Smallest transport message: header plus the tag of an empty (keepalive) payload. */
    public static final int TRANSPORT_MIN_SIZE = TRANSPORT_HEADER_SIZE + TAG_SIZE;
    /** Bytes a transport message adds to the inner packet, before padding. */
    public static final int TRANSPORT_OVERHEAD = TRANSPORT_HEADER_SIZE + TAG_SIZE;
    public static final int PADDING_MULTIPLE = 16;
}
