package io.jwg.crypto;

import java.security.MessageDigest;
import java.util.Arrays;

/** Small byte-array helpers that matter for security: wiping and constant-time comparison. */
public final class Bytes {
    private Bytes() {}

    /** Overwrites a secret with zeros. */
    public static void wipe(byte[] secret) {
        if (secret != null) Arrays.fill(secret, (byte) 0);
    }

    /** Constant-time equality (MessageDigest.isEqual is constant-time in length-equal inputs). */
    public static boolean constantTimeEquals(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    /** Constant-time equality of a[aOff, aOff+len) and b[bOff, bOff+len). */
    public static boolean constantTimeEquals(byte[] a, int aOff, byte[] b, int bOff, int len) {
        int diff = 0;
        for (int i = 0; i < len; i++) diff |= a[aOff + i] ^ b[bOff + i];
        return diff == 0;
    }

    /** True when every byte is zero, examined in constant time. */
    public static boolean isZero(byte[] a) {
        int acc = 0;
        for (byte b : a) acc |= b;
        return acc == 0;
    }
}
