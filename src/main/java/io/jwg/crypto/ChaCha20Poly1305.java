package io.jwg.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * ChaCha20-Poly1305 (RFC 8439) with WireGuard's nonce: 32 zero bits followed by a 64-bit
 * little-endian counter.
 *
 * <p>The keystream comes from the JDK's plain "ChaCha20" cipher (AVX2/AVX-512 intrinsic on x86) and
 * the authenticator is our own {@link Poly1305}. The JDK's combined "ChaCha20-Poly1305" cipher was
 * measured slower for both 64- and 1420-byte packets: every {@code Cipher.init} builds a new
 * Poly1305 object and a 1 KB key buffer (2.2 KB of garbage per packet), and without AVX-512 its
 * Poly1305 is plain Java over a generic field implementation. It also refuses an encryption init that
 * repeats the previous key and nonce, which made deterministic re-sealing throw. docs/crypto.md has
 * the numbers.
 *
 * <p>All methods are thread-safe (each thread keeps its own cipher and buffers) and allocate only
 * what the JDK's init does (about 200 bytes). Keys are passed per call as a {@link SecretKey} built
 * once per session with {@link #key(byte[])}. A key that reports {@link SecretKey#isDestroyed()} is
 * refused: seal throws IllegalStateException and open returns -1.
 */
public final class ChaCha20Poly1305 {
    public static final int KEY_LEN = 32;
    public static final int TAG_LEN = 16;
    public static final int NONCE_LEN = 12;

    private ChaCha20Poly1305() {}

    /**
     * Wraps 32 key bytes for use with this class (the array is copied). The result is a plain
     * SecretKeySpec, whose destroy() throws DestroyFailedException: a session key can still be in use
     * by a crypto worker when its keypair is dropped, and a wiped key must never seal (see
     * docs/crypto.md).
     */
    public static SecretKey key(byte[] key) {
        if (key.length != KEY_LEN) throw new IllegalArgumentException("ChaCha20-Poly1305 key must be 32 bytes");
        return new SecretKeySpec(key, "ChaCha20");
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
        return seal(usable(key), nonce(counter), aad, in, inOff, len, out, outOff);
    }

    /**
     * Opens in[inOff, inOff+len) (ciphertext with its 16-byte tag) into out[outOff..]. Returns the
     * plaintext length, or -1 when authentication fails (nothing is thrown for a forged packet, and
     * nothing is written to out). In-place (same array and offset) is allowed.
     */
    public static int open(SecretKey key, long counter, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        if (len < TAG_LEN || isDestroyed(key)) return -1;
        return open(key, nonce(counter), aad, in, inOff, len, out, outOff);
    }

    /** seal() with a caller-chosen 12-byte RFC 8439 nonce (tests use it for the RFC vectors). */
    static int sealRaw(SecretKey key, byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        if (nonce.length != NONCE_LEN) throw new IllegalArgumentException("nonce must be 12 bytes");
        return seal(usable(key), nonce, aad, in, inOff, len, out, outOff);
    }

    /** open() with a caller-chosen 12-byte RFC 8439 nonce (tests use it for the RFC vectors). */
    static int openRaw(SecretKey key, byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        if (nonce.length != NONCE_LEN) throw new IllegalArgumentException("nonce must be 12 bytes");
        if (len < TAG_LEN || isDestroyed(key)) return -1;
        return open(key, nonce, aad, in, inOff, len, out, outOff);
    }

    /**
     * Seals plaintext from {@code in} (position..limit) into {@code out} at its position. Direct
     * buffers are copied through a heap array (the JDK provider does the same internally).
     */
    public static int seal(SecretKey key, long counter, ByteBuffer in, ByteBuffer out) {
        int len = in.remaining();
        if (out.remaining() < len + TAG_LEN) throw new IllegalStateException("ChaCha20-Poly1305 seal: output buffer too small");
        SecretKey k = usable(key);
        byte[] buf = new byte[len + TAG_LEN];
        in.get(buf, 0, len);
        int n = seal(k, nonce(counter), null, buf, 0, len, buf, 0);
        out.put(buf, 0, n);
        return n;
    }

    /** Opens {@code in} (position..limit) into {@code out}; returns the plaintext length or -1 if forged. */
    public static int open(SecretKey key, long counter, ByteBuffer in, ByteBuffer out) {
        int len = in.remaining();
        if (len < TAG_LEN || isDestroyed(key)) return -1;
        if (out.remaining() < len - TAG_LEN) throw new IllegalStateException("ChaCha20-Poly1305 open: output buffer too small");
        byte[] buf = new byte[len];
        in.get(buf);
        int n = open(key, nonce(counter), null, buf, 0, len, buf, 0);
        if (n >= 0) out.put(buf, 0, n);
        Arrays.fill(buf, (byte) 0);
        return n;
    }

    /** Convenience for the handshake: AEAD(key, counter, plaintext, aad) as a new array. */
    public static byte[] seal(byte[] key, long counter, byte[] plaintext, byte[] aad) {
        byte[] out = new byte[plaintext.length + TAG_LEN];
        ChaChaKey k = new ChaChaKey(key);
        seal(k, nonce(counter), aad, plaintext, 0, plaintext.length, out, 0);
        k.destroy();
        return out;
    }

    /** Convenience for the handshake: the plaintext, or null when authentication fails. */
    public static byte[] open(byte[] key, long counter, byte[] ciphertext, byte[] aad) {
        if (ciphertext.length < TAG_LEN) return null;
        byte[] out = new byte[ciphertext.length - TAG_LEN];
        ChaChaKey k = new ChaChaKey(key);
        int n = open(k, nonce(counter), aad, ciphertext, 0, ciphertext.length, out, 0);
        k.destroy();
        return n < 0 ? null : out;
    }

    // ---- the construction (RFC 8439 section 2.8): JDK ChaCha20 keystream, our Poly1305

    /** Per-thread working set: the JDK stream cipher and reusable buffers, so a packet allocates little. */
    private static final class Engine {
        final Cipher stream;
        final Poly1305 mac = new Poly1305();
        final byte[] block0 = new byte[64];
        final byte[] zeros = new byte[64];
        final byte[] tag = new byte[TAG_LEN];

        Engine() {
            try {
                stream = Cipher.getInstance("ChaCha20");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK has no ChaCha20", e);
            }
        }

        /**
         * Keys the stream at block 0 and the MAC with the first 32 bytes of that block; the stream is
         * left at block 1. DECRYPT_MODE because the JDK refuses an ENCRYPT_MODE init that repeats the
         * previous key and nonce (ChaCha20 encryption and decryption are the same operation).
         */
        void start(SecretKey key, byte[] nonce) throws GeneralSecurityException {
            stream.init(Cipher.DECRYPT_MODE, key, new ChaCha20ParameterSpec(nonce, 0));
            stream.update(zeros, 0, 64, block0, 0);
            mac.init(block0, 0);
            Arrays.fill(block0, (byte) 0);
        }
    }

    private static final ThreadLocal<Engine> ENGINE = ThreadLocal.withInitial(Engine::new);

    private static int seal(SecretKey key, byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        Objects.checkFromIndexSize(inOff, len, in.length);
        Objects.checkFromIndexSize(outOff, len + TAG_LEN, out.length);
        Engine e = ENGINE.get();
        try {
            e.start(key, nonce);
            if (len > 0) e.stream.doFinal(in, inOff, len, out, outOff);
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("ChaCha20-Poly1305 seal failed", ex);
        }
        int aadLen = aad == null ? 0 : aad.length;
        Poly1305 mac = e.mac;
        if (aadLen > 0) mac.updatePadded(aad, 0, aadLen);
        mac.updatePadded(out, outOff, len);
        mac.updateLengths(aadLen, len);
        mac.finish(out, outOff + len);
        return len + TAG_LEN;
    }

    private static int open(SecretKey key, byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        int ctLen = len - TAG_LEN;
        Objects.checkFromIndexSize(inOff, len, in.length);
        Objects.checkFromIndexSize(outOff, ctLen, out.length);
        Engine e = ENGINE.get();
        try {
            e.start(key, nonce);
            int aadLen = aad == null ? 0 : aad.length;
            Poly1305 mac = e.mac;
            if (aadLen > 0) mac.updatePadded(aad, 0, aadLen);
            mac.updatePadded(in, inOff, ctLen);
            mac.updateLengths(aadLen, ctLen);
            mac.finish(e.tag, 0);
            // verify before decrypting: nothing unauthenticated is ever written to out
            boolean authentic = Bytes.constantTimeEquals(e.tag, 0, in, inOff + ctLen, TAG_LEN);
            Arrays.fill(e.tag, (byte) 0);
            if (!authentic) return -1;
            if (ctLen > 0) e.stream.doFinal(in, inOff, ctLen, out, outOff);
            return ctLen;
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("ChaCha20-Poly1305 open failed", ex);
        }
    }

    // ---- keys

    private static boolean isDestroyed(SecretKey key) {
        return key.isDestroyed();
    }

    private static SecretKey usable(SecretKey key) {
        if (isDestroyed(key)) throw new IllegalStateException("ChaCha20-Poly1305 key is destroyed");
        return key;
    }

    /**
     * A one-call key for the byte[] convenience methods (and XChaCha20Poly1305), wiped right after
     * use. Unlike SecretKeySpec (whose destroy() throws on JDK 25) it can be destroyed.
     */
    static final class ChaChaKey implements SecretKey {
        private final byte[] bytes;
        private volatile boolean destroyed;

        ChaChaKey(byte[] key) {
            if (key.length != KEY_LEN) throw new IllegalArgumentException("ChaCha20-Poly1305 key must be 32 bytes");
            this.bytes = key.clone();
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
            if (destroyed) throw new IllegalStateException("ChaCha20-Poly1305 key is destroyed");
            return bytes.clone();
        }

        @Override
        public void destroy() {
            destroyed = true;
            Arrays.fill(bytes, (byte) 0);
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
