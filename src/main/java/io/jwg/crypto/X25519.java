package io.jwg.crypto;

import java.security.SecureRandom;

/**
 * Curve25519 Diffie-Hellman (RFC 7748) on raw 32-byte keys: shared secrets with our own
 * 64-bit-limb ladder ({@link X25519Ladder}, about twice as fast as Bouncy Castle's), public keys
 * with Bouncy Castle's fixed-base multiplication (precomputed tables, faster than any ladder).
 */
public final class X25519 {
    public static final int KEY_LEN = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

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
        org.bouncycastle.math.ec.rfc7748.X25519.generatePublicKey(privateKey, 0, pub, 0);
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
        X25519Ladder.scalarMult(privateKey, 0, publicKey, 0, out, 0);
        if (Bytes.isZero(out)) throw new WeakKeyException();
        return out;
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
