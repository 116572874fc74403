package io.jwg.crypto;

import java.security.SecureRandom;

/**
 * Curve25519 Diffie-Hellman (RFC 7748) on raw 32-byte keys: the system's libsodium when it is
 * installed ({@link SodiumX25519}, about 3x faster, which is what a server answering many handshakes
 * spends most of its CPU on), else Bouncy Castle's rfc7748.X25519. {@code -Djwg.x25519=bc} forces
 * Bouncy Castle. Both clamp the scalar on their own copy and are constant-time.
 */
public final class X25519 {
    public static final int KEY_LEN = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** libsodium, or null for Bouncy Castle. */
    private static final SodiumX25519 SODIUM =
            "bc".equals(System.getProperty("jwg.x25519")) ? null : SodiumX25519.load().orElse(null);

    private X25519() {}

    /** A new random private key, clamped as {@code wg genkey} clamps it. */
    public static byte[] generatePrivateKey() {
        byte[] k = new byte[KEY_LEN];
        RANDOM.nextBytes(k);
        clamp(k);
        return k;
    }

    /** Applies the RFC 7748 clamping in place (what wg does to every private key it prints). */
    public static void clamp(byte[] k) {
        k[0] &= (byte) 248;
        k[31] &= 127;
        k[31] |= 64;
    }

    /** The public key for a private key (the private key is clamped internally, not modified). */
    public static byte[] publicKey(byte[] privateKey) {
        checkLength(privateKey);
        byte[] pub = new byte[KEY_LEN];
        if (SODIUM != null) SODIUM.scalarMultBase(privateKey, pub);
        else org.bouncycastle.math.ec.rfc7748.X25519.generatePublicKey(privateKey, 0, pub, 0);
        return pub;
    }

    /**
     * DH(private, public). Throws {@link WeakKeyException} when the result is all zeros (a low-order
     * public key), which WireGuard must reject.
     */
    public static byte[] sharedSecret(byte[] privateKey, byte[] publicKey) throws WeakKeyException {
        checkLength(privateKey);
        checkLength(publicKey);
        byte[] out = new byte[KEY_LEN];
        boolean nonZero;
        if (SODIUM != null) {
            nonZero = SODIUM.scalarMult(privateKey, publicKey, out);
        } else {
            org.bouncycastle.math.ec.rfc7748.X25519.scalarMult(privateKey, 0, publicKey, 0, out, 0);
            nonZero = !Bytes.isZero(out);
        }
        if (!nonZero) {
            Bytes.wipe(out);
            throw new WeakKeyException();
        }
        return out;
    }

    /** Which implementation computes X25519 in this JVM: "libsodium" or "bouncycastle". */
    public static String implementation() {
        return SODIUM != null ? "libsodium" : "bouncycastle";
    }

    private static void checkLength(byte[] key) {
        if (key.length != KEY_LEN) throw new IllegalArgumentException("X25519 keys are 32 bytes");
    }

    /** The Diffie-Hellman result was all zeros. */
    public static final class WeakKeyException extends Exception {
        public WeakKeyException() {
            super("X25519 produced an all-zero shared secret (low-order public key)");
        }
    }
}
