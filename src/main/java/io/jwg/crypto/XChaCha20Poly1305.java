package io.jwg.crypto;

import javax.crypto.SecretKey;

/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha): HChaCha20 derives a subkey from the key and the first
 * 16 nonce bytes; ChaCha20-Poly1305 then runs with nonce = 4 zero bytes || the last 8 nonce bytes.
 * WireGuard uses it only for cookie replies, so it favours clarity over speed.
 */
public final class XChaCha20Poly1305 {
    public static final int NONCE_LEN = 24;

    private XChaCha20Poly1305() {}

    public static byte[] seal(byte[] key, byte[] nonce24, byte[] plaintext, byte[] aad) {
        long counter = counterOf(nonce24);
        byte[] sub = HChaCha20.derive(key, nonce24);
        SecretKey k = new ChaCha20Poly1305.ChaChaKey(sub);
        Bytes.wipe(sub);
        try {
            byte[] out = new byte[plaintext.length + ChaCha20Poly1305.TAG_LEN];
            ChaCha20Poly1305.seal(k, counter, aad, plaintext, 0, plaintext.length, out, 0);
            return out;
        } finally {
            destroy(k);
        }
    }

    /** The plaintext, or null when authentication fails. */
    public static byte[] open(byte[] key, byte[] nonce24, byte[] ciphertext, byte[] aad) {
        long counter = counterOf(nonce24);
        if (ciphertext.length < ChaCha20Poly1305.TAG_LEN) return null;
        byte[] sub = HChaCha20.derive(key, nonce24);
        SecretKey k = new ChaCha20Poly1305.ChaChaKey(sub);
        Bytes.wipe(sub);
        try {
            byte[] out = new byte[ciphertext.length - ChaCha20Poly1305.TAG_LEN];
            int n = ChaCha20Poly1305.open(k, counter, aad, ciphertext, 0, ciphertext.length, out, 0);
            return n < 0 ? null : out;
        } finally {
            destroy(k);
        }
    }

    private static void destroy(SecretKey k) {
        try {
            k.destroy();
        } catch (javax.security.auth.DestroyFailedException e) {
            // ChaChaKey supports destroy(); nothing else is passed here
        }
    }

    /** nonce[16..24) read little-endian, which ChaCha20Poly1305.nonce() writes back after 4 zero bytes. */
    private static long counterOf(byte[] nonce24) {
        if (nonce24.length != NONCE_LEN) throw new IllegalArgumentException("XChaCha20 nonce must be 24 bytes");
        long c = 0;
        for (int i = 7; i >= 0; i--) c = (c << 8) | (nonce24[16 + i] & 0xff);
        return c;
    }
}
