package io.jwg.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * BLAKE2s as WireGuard uses it (RFC 7693): {@code HASH} (32-byte digest), {@code MAC} (keyed, 16-byte
 * output) and {@code HMAC} (RFC 2104 over BLAKE2s-256, block size 64).
 *
 * <p>Implemented here (sequential mode only, no salt/personalisation) instead of Bouncy Castle's
 * Blake2sDigest, which was measured about twice as slow for WireGuard's short inputs (see
 * docs/crypto.md). All methods are thread-safe.
 */
public final class Blake2s {
    public static final int HASH_LEN = 32;
    public static final int MAC_LEN = 16;
    private static final int BLOCK_LEN = 64;

    private Blake2s() {}

    /** HASH(in[0] || in[1] || ...), 32 bytes. */
    public static byte[] hash(byte[]... inputs) {
        State s = new State(HASH_LEN, null);
        for (byte[] in : inputs) s.update(in, 0, in.length);
        byte[] out = new byte[HASH_LEN];
        s.finish(out, 0);
        return out;
    }

    /** MAC(key, data[off, off+len)): keyed BLAKE2s with a 16-byte output, written to out[outOff..]. */
    public static void mac(byte[] key, byte[] data, int off, int len, byte[] out, int outOff) {
        Objects.checkFromIndexSize(outOff, MAC_LEN, out.length);
        State s = new State(MAC_LEN, key);
        s.update(data, off, len);
        s.finish(out, outOff);
    }

    /** MAC(key, data), 16 bytes. */
    public static byte[] mac(byte[] key, byte[] data) {
        byte[] out = new byte[MAC_LEN];
        mac(key, data, 0, data.length, out, 0);
        return out;
    }

    /** General BLAKE2s (RFC 7693): outLen in 1..32 bytes, optional key of 0..32 bytes (null = unkeyed). */
    static byte[] digest(int outLen, byte[] key, byte[] in) {
        State s = new State(outLen, key);
        s.update(in, 0, in.length);
        byte[] out = new byte[outLen];
        s.finish(out, 0);
        return out;
    }

    /** HMAC-BLAKE2s-256(key, in[0] || in[1] || ...). Keys longer than the block are hashed first. */
    public static byte[] hmac(byte[] key, byte[]... inputs) {
        byte[] pad = new byte[BLOCK_LEN];
        if (key.length > BLOCK_LEN) {
            State k = new State(HASH_LEN, null);
            k.update(key, 0, key.length);
            k.finish(pad, 0);
        } else {
            System.arraycopy(key, 0, pad, 0, key.length);
        }
        for (int i = 0; i < BLOCK_LEN; i++) pad[i] ^= 0x36;
        State inner = new State(HASH_LEN, null);
        inner.update(pad, 0, BLOCK_LEN);
        for (byte[] in : inputs) inner.update(in, 0, in.length);
        byte[] out = new byte[HASH_LEN];
        inner.finish(out, 0);
        for (int i = 0; i < BLOCK_LEN; i++) pad[i] ^= 0x36 ^ 0x5c;
        State outer = inner.reset(HASH_LEN, null);
        outer.update(pad, 0, BLOCK_LEN);
        outer.update(out, 0, HASH_LEN);
        outer.finish(out, 0);
        Bytes.wipe(pad);
        return out;
    }

    // ---- the algorithm (RFC 7693 section 3)

    private static final VarHandle LE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int IV0 = 0x6A09E667, IV1 = 0xBB67AE85, IV2 = 0x3C6EF372, IV3 = 0xA54FF53A;
    private static final int IV4 = 0x510E527F, IV5 = 0x9B05688C, IV6 = 0x1F83D9AB, IV7 = 0x5BE0CD19;
    private static final byte[] SIGMA = {
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
        11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4,
        7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8,
        9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13,
        2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9,
        12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11,
        13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10,
        6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5,
        10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0,
    };

    /** One BLAKE2s computation: chain value, a one-block buffer and the byte counter. */
    private static final class State {
        private final int[] h = new int[8];
        private final int[] m = new int[16];
        private final byte[] buf = new byte[BLOCK_LEN];
        private int bufLen;
        private long t;
        private int outLen;

        State(int outLen, byte[] key) {
            reset(outLen, key);
        }

        State reset(int outLen, byte[] key) {
            int keyLen = key == null ? 0 : key.length;
            if (outLen < 1 || outLen > 32) throw new IllegalArgumentException("BLAKE2s output must be 1..32 bytes");
            if (keyLen > 32) throw new IllegalArgumentException("BLAKE2s key must be at most 32 bytes");
            this.outLen = outLen;
            h[0] = IV0 ^ 0x01010000 ^ (keyLen << 8) ^ outLen;
            h[1] = IV1;
            h[2] = IV2;
            h[3] = IV3;
            h[4] = IV4;
            h[5] = IV5;
            h[6] = IV6;
            h[7] = IV7;
            t = 0;
            Arrays.fill(buf, (byte) 0);
            bufLen = 0;
            if (keyLen > 0) {
                System.arraycopy(key, 0, buf, 0, keyLen);
                bufLen = BLOCK_LEN; // the padded key is the first block
            }
            return this;
        }

        void update(byte[] in, int off, int len) {
            Objects.checkFromIndexSize(off, len, in.length);
            while (len > 0) {
                if (bufLen == BLOCK_LEN) { // a full buffer is compressed only once more input follows
                    t += BLOCK_LEN;
                    compress(buf, 0, false);
                    bufLen = 0;
                }
                if (bufLen == 0) {
                    while (len > BLOCK_LEN) { // whole blocks straight from the input, keeping the last
                        t += BLOCK_LEN;
                        compress(in, off, false);
                        off += BLOCK_LEN;
                        len -= BLOCK_LEN;
                    }
                }
                int n = Math.min(BLOCK_LEN - bufLen, len);
                System.arraycopy(in, off, buf, bufLen, n);
                bufLen += n;
                off += n;
                len -= n;
            }
        }

        void finish(byte[] out, int off) {
            t += bufLen;
            Arrays.fill(buf, bufLen, BLOCK_LEN, (byte) 0);
            compress(buf, 0, true);
            byte[] full = new byte[32];
            for (int i = 0; i < 8; i++) LE32.set(full, 4 * i, h[i]);
            System.arraycopy(full, 0, out, off, outLen);
            Arrays.fill(full, (byte) 0);
            Arrays.fill(h, 0);
            Arrays.fill(m, 0);
            Arrays.fill(buf, (byte) 0);
        }

        private void compress(byte[] block, int off, boolean last) {
            final int[] m = this.m;
            for (int i = 0; i < 16; i++) m[i] = (int) LE32.get(block, off + 4 * i);
            final int[] h = this.h;
            int v0 = h[0], v1 = h[1], v2 = h[2], v3 = h[3], v4 = h[4], v5 = h[5], v6 = h[6], v7 = h[7];
            int v8 = IV0, v9 = IV1, v10 = IV2, v11 = IV3;
            int v12 = IV4 ^ (int) t, v13 = IV5 ^ (int) (t >>> 32), v14 = last ? ~IV6 : IV6, v15 = IV7;
            for (int r = 0, s = 0; r < 10; r++, s += 16) {
                // columns
                v0 += v4 + m[SIGMA[s]]; v12 = Integer.rotateRight(v12 ^ v0, 16);
                v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 12);
                v0 += v4 + m[SIGMA[s + 1]]; v12 = Integer.rotateRight(v12 ^ v0, 8);
                v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 7);

                v1 += v5 + m[SIGMA[s + 2]]; v13 = Integer.rotateRight(v13 ^ v1, 16);
                v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 12);
                v1 += v5 + m[SIGMA[s + 3]]; v13 = Integer.rotateRight(v13 ^ v1, 8);
                v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 7);

                v2 += v6 + m[SIGMA[s + 4]]; v14 = Integer.rotateRight(v14 ^ v2, 16);
                v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 12);
                v2 += v6 + m[SIGMA[s + 5]]; v14 = Integer.rotateRight(v14 ^ v2, 8);
                v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 7);

                v3 += v7 + m[SIGMA[s + 6]]; v15 = Integer.rotateRight(v15 ^ v3, 16);
                v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 12);
                v3 += v7 + m[SIGMA[s + 7]]; v15 = Integer.rotateRight(v15 ^ v3, 8);
                v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 7);

                // diagonals
                v0 += v5 + m[SIGMA[s + 8]]; v15 = Integer.rotateRight(v15 ^ v0, 16);
                v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 12);
                v0 += v5 + m[SIGMA[s + 9]]; v15 = Integer.rotateRight(v15 ^ v0, 8);
                v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 7);

                v1 += v6 + m[SIGMA[s + 10]]; v12 = Integer.rotateRight(v12 ^ v1, 16);
                v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 12);
                v1 += v6 + m[SIGMA[s + 11]]; v12 = Integer.rotateRight(v12 ^ v1, 8);
                v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 7);

                v2 += v7 + m[SIGMA[s + 12]]; v13 = Integer.rotateRight(v13 ^ v2, 16);
                v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 12);
                v2 += v7 + m[SIGMA[s + 13]]; v13 = Integer.rotateRight(v13 ^ v2, 8);
                v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 7);

                v3 += v4 + m[SIGMA[s + 14]]; v14 = Integer.rotateRight(v14 ^ v3, 16);
                v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 12);
                v3 += v4 + m[SIGMA[s + 15]]; v14 = Integer.rotateRight(v14 ^ v3, 8);
                v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 7);
            }
            h[0] ^= v0 ^ v8;
            h[1] ^= v1 ^ v9;
            h[2] ^= v2 ^ v10;
            h[3] ^= v3 ^ v11;
            h[4] ^= v4 ^ v12;
            h[5] ^= v5 ^ v13;
            h[6] ^= v6 ^ v14;
            h[7] ^= v7 ^ v15;
        }
    }
}
