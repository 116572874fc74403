package io.jwg.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * ChaCha20-Poly1305 (RFC 8439) with WireGuard's nonce: 32 zero bits followed by a 64-bit
 * little-endian counter. Backed by the JDK's provider, which on JDK 25 uses AVX intrinsics for both
 * ChaCha20 and Poly1305 (see docs/crypto.md for the measurements that chose it).
 *
 * <p>Cipher instances are not thread-safe, so each thread keeps its own; keys are passed per call
 * as a {@link SecretKey} built once per session with {@link #key(byte[])}.
 */
public final class ChaCha20Poly1305 {
    public static final int KEY_LEN = 32;
    public static final int TAG_LEN = 16;
    public static final int NONCE_LEN = 12;

    private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("ChaCha20-Poly1305");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no ChaCha20-Poly1305", e);
        }
    });

    private ChaCha20Poly1305() {}

    /** Wraps 32 key bytes for use with this class (the array is copied). */
    public static SecretKey key(byte[] key) {
        if (key.length != KEY_LEN) throw new IllegalArgumentException("ChaCha20-Poly1305 key must be 32 bytes");
        return new SecretKeySpec(key, "ChaCha20");
    }

    static byte[] nonce(long counter) {
        byte[] n = new byte[NONCE_LEN];
        for (int i = 0; i < 8; i++) n[4 + i] = (byte) (counter >>> (8 * i));
        return n;
    }

    private static Cipher init(int mode, SecretKey key, byte[] nonce, byte[] aad, int aadOff, int aadLen)
            throws GeneralSecurityException {
        Cipher c = CIPHER.get();
        c.init(mode, key, new IvParameterSpec(nonce));
        if (aad != null && aadLen > 0) c.updateAAD(aad, aadOff, aadLen);
        return c;
    }

    /**
     * Seals in[inOff, inOff+len) into out[outOff..], writing len + 16 bytes. In-place (same array and
     * offset) is allowed. Returns the number of bytes written.
     */
    public static int seal(SecretKey key, long counter, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        try {
            Cipher c = init(Cipher.ENCRYPT_MODE, key, nonce(counter), aad, 0, aad == null ? 0 : aad.length);
            return c.doFinal(in, inOff, len, out, outOff);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 seal failed", e);
        }
    }

    /**
     * Opens in[inOff, inOff+len) (ciphertext with its 16-byte tag) into out[outOff..]. Returns the
     * plaintext length, or -1 when authentication fails (nothing is thrown for a forged packet).
     */
    public static int open(SecretKey key, long counter, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        if (len < TAG_LEN) return -1;
        try {
            Cipher c = init(Cipher.DECRYPT_MODE, key, nonce(counter), aad, 0, aad == null ? 0 : aad.length);
            return c.doFinal(in, inOff, len, out, outOff);
        } catch (AEADBadTagException e) {
            return -1;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 open failed", e);
        }
    }

    /** Seals plaintext from {@code in} (position..limit) into {@code out} at its position. */
    public static int seal(SecretKey key, long counter, ByteBuffer in, ByteBuffer out) {
        try {
            Cipher c = init(Cipher.ENCRYPT_MODE, key, nonce(counter), null, 0, 0);
            return c.doFinal(in, out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 seal failed", e);
        }
    }

    /** Opens {@code in} (position..limit) into {@code out}; returns the plaintext length or -1 if forged. */
    public static int open(SecretKey key, long counter, ByteBuffer in, ByteBuffer out) {
        if (in.remaining() < TAG_LEN) return -1;
        try {
            Cipher c = init(Cipher.DECRYPT_MODE, key, nonce(counter), null, 0, 0);
            return c.doFinal(in, out);
        } catch (AEADBadTagException e) {
            return -1;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 open failed", e);
        }
    }

    /** Convenience for the handshake: AEAD(key, counter, plaintext, aad) as a new array. */
    public static byte[] seal(byte[] key, long counter, byte[] plaintext, byte[] aad) {
        byte[] out = new byte[plaintext.length + TAG_LEN];
        seal(key(key), counter, aad, plaintext, 0, plaintext.length, out, 0);
        return out;
    }

    /** Convenience for the handshake: the plaintext, or null when authentication fails. */
    public static byte[] open(byte[] key, long counter, byte[] ciphertext, byte[] aad) {
        if (ciphertext.length < TAG_LEN) return null;
        byte[] out = new byte[ciphertext.length - TAG_LEN];
        return open(key(key), counter, aad, ciphertext, 0, ciphertext.length, out, 0) < 0 ? null : out;
    }
}
