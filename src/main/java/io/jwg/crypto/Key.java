package io.jwg.crypto;

import java.util.Arrays;
import java.util.Base64;

/**
 * A 32-byte WireGuard key (private, public or pre-shared) in the base64 form wg prints. Immutable;
 * {@link #toString()} never shows the bytes. Private keys can be {@link #destroy() destroyed}.
 */
public final class Key {
    public static final int LEN = 32;
    private final byte[] bytes;

    private Key(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Parses wg's base64 (44 characters, one '=' pad). Throws IllegalArgumentException with a reason. */
    public static Key fromBase64(String text) {
        String s = text.strip();
        if (s.length() != 44 || s.charAt(43) != '=') throw new IllegalArgumentException("Key is not the correct length or format");
        byte[] b;
        try {
            b = Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Key is not valid base64");
        }
        if (b.length != LEN) throw new IllegalArgumentException("Key is not the correct length or format");
        // wg also rejects a last character whose two unused bits are not zero ("...LCp=" for "...LCo="),
        // which Java's decoder silently drops: only the canonical spelling of a key is accepted.
        if (!Base64.getEncoder().encodeToString(b).equals(s)) {
            Bytes.wipe(b);
            throw new IllegalArgumentException("Key is not the correct length or format");
        }
        return new Key(b);
    }

    public static Key of(byte[] raw) {
        if (raw.length != LEN) throw new IllegalArgumentException("key must be 32 bytes");
        return new Key(raw.clone());
    }

    public static Key generatePrivate() {
        return new Key(X25519.generatePrivateKey());
    }

    public static Key generatePreshared() {
        byte[] b = new byte[LEN];
        new java.security.SecureRandom().nextBytes(b);
        return new Key(b);
    }

    /** The public key of this private key. */
    public Key publicKey() {
        return new Key(X25519.publicKey(bytes));
    }

    /** A copy of the raw bytes (the caller owns and should wipe it if secret). */
    public byte[] bytes() {
        return bytes.clone();
    }

    public String toBase64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    public boolean isZero() {
        return Bytes.isZero(bytes);
    }

    /** Zeroes the key material. */
    public void destroy() {
        Bytes.wipe(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Key k && Bytes.constantTimeEquals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Never prints key material. */
    @Override
    public String toString() {
        return "Key(redacted)";
    }
}
