package io.jwg.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The ChaCha20 stream cipher (RFC 8439 section 2.4) with a 32-bit block counter and a 96-bit nonce,
 * in plain Java: the state lives in 16 local ints and the keystream is XORed four bytes at a time.
 * Stateless and thread-safe; used by {@link ChaCha20Poly1305}.
 */
final class ChaCha20 {
    private static final VarHandle LE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int C0 = 0x61707865, C1 = 0x3320646e, C2 = 0x79622d32, C3 = 0x6b206574;

    private ChaCha20() {}

    static int le32(byte[] b, int off) {
        return (int) LE32.get(b, off);
    }

    /** The key as eight little-endian words. */
    static int[] keyWords(byte[] key) {
        if (key.length != 32) throw new IllegalArgumentException("ChaCha20 key must be 32 bytes");
        int[] k = new int[8];
        for (int i = 0; i < 8; i++) k[i] = le32(key, 4 * i);
        return k;
    }

    /** Writes the keystream block for {@code counter} to out[off, off+64). */
    static void block(int[] k, int counter, int n0, int n1, int n2, byte[] out, int off) {
        xor(k, counter, n0, n1, n2, null, 0, out, off, 64);
    }

    /**
     * out[outOff, outOff+len) = in[inOff, inOff+len) XOR keystream, starting at block {@code counter}.
     * When {@code in} is null the keystream itself is written. in and out may be the same region.
     */
    static void xor(int[] k, int counter, int n0, int n1, int n2, byte[] in, int inOff, byte[] out, int outOff, int len) {
        if (in != null) Objects.checkFromIndexSize(inOff, len, in.length);
        Objects.checkFromIndexSize(outOff, len, out.length);
        final int k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3], k4 = k[4], k5 = k[5], k6 = k[6], k7 = k[7];
        while (len > 0) {
            int x0 = C0, x1 = C1, x2 = C2, x3 = C3;
            int x4 = k0, x5 = k1, x6 = k2, x7 = k3;
            int x8 = k4, x9 = k5, x10 = k6, x11 = k7;
            int x12 = counter, x13 = n0, x14 = n1, x15 = n2;
            for (int i = 0; i < 10; i++) {
                // column rounds
                x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 16);
                x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 12);
                x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 8);
                x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 7);
                x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 16);
                x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 12);
                x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 8);
                x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 7);
                x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 16);
                x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 12);
                x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 8);
                x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 7);
                x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 16);
                x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 12);
                x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 8);
                x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 7);
                // diagonal rounds
                x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 16);
                x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 12);
                x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 8);
                x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 7);
                x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 16);
                x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 12);
                x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 8);
                x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 7);
                x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 16);
                x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 12);
                x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 8);
                x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 7);
                x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 16);
                x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 12);
                x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 8);
                x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 7);
            }
            x0 += C0; x1 += C1; x2 += C2; x3 += C3;
            x4 += k0; x5 += k1; x6 += k2; x7 += k3;
            x8 += k4; x9 += k5; x10 += k6; x11 += k7;
            x12 += counter; x13 += n0; x14 += n1; x15 += n2;

            if (len >= 64) {
                if (in != null) {
                    x0 ^= le32(in, inOff); x1 ^= le32(in, inOff + 4); x2 ^= le32(in, inOff + 8); x3 ^= le32(in, inOff + 12);
                    x4 ^= le32(in, inOff + 16); x5 ^= le32(in, inOff + 20); x6 ^= le32(in, inOff + 24); x7 ^= le32(in, inOff + 28);
                    x8 ^= le32(in, inOff + 32); x9 ^= le32(in, inOff + 36); x10 ^= le32(in, inOff + 40); x11 ^= le32(in, inOff + 44);
                    x12 ^= le32(in, inOff + 48); x13 ^= le32(in, inOff + 52); x14 ^= le32(in, inOff + 56); x15 ^= le32(in, inOff + 60);
                    inOff += 64;
                }
                LE32.set(out, outOff, x0); LE32.set(out, outOff + 4, x1); LE32.set(out, outOff + 8, x2); LE32.set(out, outOff + 12, x3);
                LE32.set(out, outOff + 16, x4); LE32.set(out, outOff + 20, x5); LE32.set(out, outOff + 24, x6); LE32.set(out, outOff + 28, x7);
                LE32.set(out, outOff + 32, x8); LE32.set(out, outOff + 36, x9); LE32.set(out, outOff + 40, x10); LE32.set(out, outOff + 44, x11);
                LE32.set(out, outOff + 48, x12); LE32.set(out, outOff + 52, x13); LE32.set(out, outOff + 56, x14); LE32.set(out, outOff + 60, x15);
                outOff += 64;
                len -= 64;
                counter++;
            } else {
                byte[] ks = new byte[64];
                LE32.set(ks, 0, x0); LE32.set(ks, 4, x1); LE32.set(ks, 8, x2); LE32.set(ks, 12, x3);
                LE32.set(ks, 16, x4); LE32.set(ks, 20, x5); LE32.set(ks, 24, x6); LE32.set(ks, 28, x7);
                LE32.set(ks, 32, x8); LE32.set(ks, 36, x9); LE32.set(ks, 40, x10); LE32.set(ks, 44, x11);
                LE32.set(ks, 48, x12); LE32.set(ks, 52, x13); LE32.set(ks, 56, x14); LE32.set(ks, 60, x15);
                if (in != null) {
                    for (int i = 0; i < len; i++) out[outOff + i] = (byte) (in[inOff + i] ^ ks[i]);
                } else {
                    System.arraycopy(ks, 0, out, outOff, len);
                }
                java.util.Arrays.fill(ks, (byte) 0);
                len = 0;
            }
        }
    }
}
