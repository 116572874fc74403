package io.jwg.crypto;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.SecretKey;

/**
 * ChaCha20-Poly1305 (RFC 8439) with WireGuard's nonce: 32 zero bits followed by a 64-bit
 * little-endian counter.
 *
 * <p>Implemented here in plain Java ({@link ChaCha20}, {@link Poly1305}) rather than through the
 * JDK's {@code Cipher}: per packet the JCE path re-runs {@code Cipher.init} (about 2.2 KB of garbage
 * and two keystream computations before any data), and on CPUs without AVX-512 the JDK's Poly1305 is
 * not intrinsified, so it ends up slower for both 64- and 1420-byte packets. It also refuses to seal
 * twice with the key and nonce of the previous call on that thread, which made deterministic uses
 * throw. docs/crypto.md has the measurements.
 *
 * <p>All methods are thread-safe and allocate only a few small temporaries. Keys are passed per call
 * as a {@link SecretKey} built once per session with {@link #key(byte[])}; such keys support
 * {@link SecretKey#destroy()}, after which seal throws and open fails.
 */
public final class ChaCha20Poly1305 {
    public static final int KEY_LEN = 32;
    public static final int TAG_LEN = 16;
    public static final int NONCE_LEN = 12;

    private ChaCha20Poly1305() {}

    /** Wraps 32 key bytes for use with this class (the array is copied). */
    public static SecretKey key(byte[] key) {
        if (key.length != KEY_LEN) throw new IllegalArgumentException("ChaCha20-Poly1305 key must be 32 bytes");
        return new ChaChaKey(ChaCha20.keyWords(key));
    }

    static byte[] nonce(long counter) {
        byte[] n = new byte[NONCE_LEN];
        for (int i = 0; i < 8; i++) n[4 + i] = (byte) (counter >>> (8 * i));
        return n;
    }

    /**
     * Seals in[inOff, inOff+len) into out[outOff..], writing len + 16 bytes. In-place (same array and
     * offset) is allowed. Returns the number of bytes written.
     */
    public static int seal(SecretKey key, long counter, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        return seal(words(key), 0, (int) counter, (int) (counter >>> 32), aad, in, inOff, len, out, outOff);
    }

    /**
     * Opens in[inOff, inOff+len) (ciphertext with its 16-byte tag) into out[outOff..]. Returns the
     * plaintext length, or -1 when authentication fails (nothing is thrown for a forged packet, and
     * nothing is written). In-place (same array and offset) is allowed.
     */
    public static int open(SecretKey key, long counter, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        if (len < TAG_LEN) return -1;
        int[] k = wordsOrNull(key);
        if (k == null) return -1;
        return open(k, 0, (int) counter, (int) (counter >>> 32), aad, in, inOff, len, out, outOff);
    }

    /** seal() with a caller-chosen 12-byte RFC 8439 nonce (tests use it for the RFC vectors). */
    static int sealRaw(SecretKey key, byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        if (nonce.length != NONCE_LEN) throw new IllegalArgumentException("nonce must be 12 bytes");
        return seal(words(key), ChaCha20.le32(nonce, 0), ChaCha20.le32(nonce, 4), ChaCha20.le32(nonce, 8),
                aad, in, inOff, len, out, outOff);
    }

    /** open() with a caller-chosen 12-byte RFC 8439 nonce (tests use it for the RFC vectors). */
    static int openRaw(SecretKey key, byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        if (nonce.length != NONCE_LEN) throw new IllegalArgumentException("nonce must be 12 bytes");
        if (len < TAG_LEN) return -1;
        int[] k = wordsOrNull(key);
        if (k == null) return -1;
        return open(k, ChaCha20.le32(nonce, 0), ChaCha20.le32(nonce, 4), ChaCha20.le32(nonce, 8),
                aad, in, inOff, len, out, outOff);
    }

    /** Seals plaintext from {@code in} (position..limit) into {@code out} at its position. */
    public static int seal(SecretKey key, long counter, ByteBuffer in, ByteBuffer out) {
        int len = in.remaining();
        if (out.remaining() < len + TAG_LEN) throw new IllegalStateException("ChaCha20-Poly1305 seal: output buffer too small");
        int[] k = words(key);
        byte[] buf = new byte[len + TAG_LEN];
        in.get(buf, 0, len);
        int n = seal(k, 0, (int) counter, (int) (counter >>> 32), null, buf, 0, len, buf, 0);
        out.put(buf, 0, n);
        return n;
    }

    /** Opens {@code in} (position..limit) into {@code out}; returns the plaintext length or -1 if forged. */
    public static int open(SecretKey key, long counter, ByteBuffer in, ByteBuffer out) {
        int len = in.remaining();
        if (len < TAG_LEN) return -1;
        if (out.remaining() < len - TAG_LEN) throw new IllegalStateException("ChaCha20-Poly1305 open: output buffer too small");
        int[] k = wordsOrNull(key);
        if (k == null) return -1;
        byte[] buf = new byte[len];
        in.get(buf);
        int n = open(k, 0, (int) counter, (int) (counter >>> 32), null, buf, 0, len, buf, 0);
        if (n >= 0) out.put(buf, 0, n);
        Arrays.fill(buf, (byte) 0);
        return n;
    }

    /** Convenience for the handshake: AEAD(key, counter, plaintext, aad) as a new array. */
    public static byte[] seal(byte[] key, long counter, byte[] plaintext, byte[] aad) {
        byte[] out = new byte[plaintext.length + TAG_LEN];
        int[] k = keyWords(key);
        seal(k, 0, (int) counter, (int) (counter >>> 32), aad, plaintext, 0, plaintext.length, out, 0);
        Arrays.fill(k, 0);
        return out;
    }

    /** Convenience for the handshake: the plaintext, or null when authentication fails. */
    public static byte[] open(byte[] key, long counter, byte[] ciphertext, byte[] aad) {
        if (ciphertext.length < TAG_LEN) return null;
        byte[] out = new byte[ciphertext.length - TAG_LEN];
        int[] k = keyWords(key);
        int n = open(k, 0, (int) counter, (int) (counter >>> 32), aad, ciphertext, 0, ciphertext.length, out, 0);
        Arrays.fill(k, 0);
        return n < 0 ? null : out;
    }

    // ---- the construction (RFC 8439 section 2.8)

    private static int seal(int[] k, int n0, int n1, int n2, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        Objects.checkFromIndexSize(inOff, len, in.length);
        Objects.checkFromIndexSize(outOff, len + TAG_LEN, out.length);
        Poly1305 mac = oneTimeMac(k, n0, n1, n2);
        ChaCha20.xor(k, 1, n0, n1, n2, in, inOff, out, outOff, len);
        int aadLen = aad == null ? 0 : aad.length;
        if (aadLen > 0) mac.updatePadded(aad, 0, aadLen);
        mac.updatePadded(out, outOff, len);
        mac.updateLengths(aadLen, len);
        mac.finish(out, outOff + len);
        return len + TAG_LEN;
    }

    private static int open(int[] k, int n0, int n1, int n2, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        int ctLen = len - TAG_LEN;
        Objects.checkFromIndexSize(inOff, len, in.length);
        Objects.checkFromIndexSize(outOff, ctLen, out.length);
        Poly1305 mac = oneTimeMac(k, n0, n1, n2);
        int aadLen = aad == null ? 0 : aad.length;
        if (aadLen > 0) mac.updatePadded(aad, 0, aadLen);
        mac.updatePadded(in, inOff, ctLen);
        mac.updateLengths(aadLen, ctLen);
        byte[] tag = new byte[TAG_LEN];
        mac.finish(tag, 0);
        // verify before decrypting: nothing unauthenticated is ever written to out
        if (!Bytes.constantTimeEquals(tag, 0, in, inOff + ctLen, TAG_LEN)) return -1;
        ChaCha20.xor(k, 1, n0, n1, n2, in, inOff, out, outOff, ctLen);
        return ctLen;
    }

    /** Poly1305 keyed with the first 32 bytes of keystream block 0. */
    private static Poly1305 oneTimeMac(int[] k, int n0, int n1, int n2) {
        byte[] block0 = new byte[64];
        ChaCha20.block(k, 0, n0, n1, n2, block0, 0);
        Poly1305 mac = new Poly1305();
        mac.init(block0, 0);
        Arrays.fill(block0, (byte) 0);
        return mac;
    }

    // ---- keys

    private static int[] keyWords(byte[] key) {
        if (key.length != KEY_LEN) throw new IllegalArgumentException("ChaCha20-Poly1305 key must be 32 bytes");
        return ChaCha20.keyWords(key);
    }

    /** The key's words; throws for a destroyed or unusable key. */
    private static int[] words(SecretKey key) {
        int[] k = wordsOrNull(key);
        if (k == null) throw new IllegalStateException("ChaCha20-Poly1305 key is destroyed or not a 32-byte raw key");
        return k;
    }

    private static int[] wordsOrNull(SecretKey key) {
        if (key instanceof ChaChaKey c) return c.destroyed ? null : c.words;
        if (key == null || !"RAW".equalsIgnoreCase(key.getFormat())) return null;
        byte[] raw = key.getEncoded();
        if (raw == null || raw.length != KEY_LEN) return null;
        int[] k = ChaCha20.keyWords(raw);
        Arrays.fill(raw, (byte) 0);
        return k;
    }

    /** The session key: its words are decoded once, not per packet. destroy() wipes them. */
    private static final class ChaChaKey implements SecretKey {
        private final int[] words;
        private volatile boolean destroyed;

        ChaChaKey(int[] words) {
            this.words = words;
        }

        @Override
        public String getAlgorithm() {
            return "ChaCha20";
        }

        @Override
        public String getFormat() {
            return "RAW";
        }

        @Override
        public byte[] getEncoded() {
            if (destroyed) throw new IllegalStateException("key destroyed");
            byte[] b = new byte[KEY_LEN];
            for (int i = 0; i < 8; i++) {
                int w = words[i];
                b[4 * i] = (byte) w;
                b[4 * i + 1] = (byte) (w >>> 8);
                b[4 * i + 2] = (byte) (w >>> 16);
                b[4 * i + 3] = (byte) (w >>> 24);
            }
            return b;
        }

        @Override
        public void destroy() {
            destroyed = true;
            Arrays.fill(words, 0);
        }

        @Override
        public boolean isDestroyed() {
            return destroyed;
        }

        @Override
        public String toString() {
            return "ChaCha20Poly1305.key(redacted)";
        }
    }
}
