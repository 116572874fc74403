package io.jwg.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Poly1305 (RFC 8439 section 2.5) with five 26-bit limbs in longs, after poly1305-donna-32: every
 * product fits in 64 bits, so a block is 25 multiplications and no branches; long inputs go two
 * blocks per step with r^2. Used by {@link ChaCha20Poly1305}; not thread-safe (one instance per
 * computation, reused per thread by the AEAD).
 *
 * <p>Only what the AEAD needs is offered: whole 16-byte blocks, a final block zero-padded to 16
 * bytes (still counted as a full block, as the AEAD construction pads), and the tag.
 */
final class Poly1305 {
    static final int KEY_LEN = 32;
    static final int TAG_LEN = 16;
    private static final VarHandle LE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long M26 = 0x3ffffff;

    private long r0, r1, r2, r3, r4, s1, s2, s3, s4;
    private long u0, u1, u2, u3, u4, t1, t2, t3, t4; // r^2 and 5 * r^2, for two blocks per step
    private long h0, h1, h2, h3, h4;
    private long pad0, pad1, pad2, pad3;
    private final byte[] tail = new byte[16];

    private static long le64(byte[] b, int off) {
        return (long) LE64.get(b, off);
    }

    private static long u32(byte[] b, int off) {
        return (int) LE32.get(b, off) & 0xffffffffL;
    }

    /** Starts a MAC with the one-time key key[off, off+32) (r is clamped here). */
    void init(byte[] key, int off) {
        r0 = u32(key, off) & 0x3ffffff;
        r1 = (u32(key, off + 3) >>> 2) & 0x3ffff03;
        r2 = (u32(key, off + 6) >>> 4) & 0x3ffc0ff;
        r3 = (u32(key, off + 9) >>> 6) & 0x3f03fff;
        r4 = (u32(key, off + 12) >>> 8) & 0x00fffff;
        s1 = r1 * 5;
        s2 = r2 * 5;
        s3 = r3 * 5;
        s4 = r4 * 5;
        // r^2 mod p, carried to 26-bit limbs (u1 may exceed 2^26 slightly, as h1 does below)
        long d0 = r0 * r0 + r1 * s4 + r2 * s3 + r3 * s2 + r4 * s1;
        long d1 = r0 * r1 + r1 * r0 + r2 * s4 + r3 * s3 + r4 * s2;
        long d2 = r0 * r2 + r1 * r1 + r2 * r0 + r3 * s4 + r4 * s3;
        long d3 = r0 * r3 + r1 * r2 + r2 * r1 + r3 * r0 + r4 * s4;
        long d4 = r0 * r4 + r1 * r3 + r2 * r2 + r3 * r1 + r4 * r0;
        long c = d0 >>> 26;
        u0 = d0 & M26;
        d1 += c;
        c = d1 >>> 26;
        u1 = d1 & M26;
        d2 += c;
        c = d2 >>> 26;
        u2 = d2 & M26;
        d3 += c;
        c = d3 >>> 26;
        u3 = d3 & M26;
        d4 += c;
        c = d4 >>> 26;
        u4 = d4 & M26;
        u0 += c * 5;
        c = u0 >>> 26;
        u0 &= M26;
        u1 += c;
        t1 = u1 * 5;
        t2 = u2 * 5;
        t3 = u3 * 5;
        t4 = u4 * 5;
        h0 = h1 = h2 = h3 = h4 = 0;
        pad0 = u32(key, off + 16);
        pad1 = u32(key, off + 20);
        pad2 = u32(key, off + 24);
        pad3 = u32(key, off + 28);
    }

    /**
     * Absorbs m[off, off+len) as the AEAD does: whole blocks, then the remainder zero-padded to a
     * full 16-byte block (RFC 8439 section 2.8 pads AAD and ciphertext to 16 bytes).
     */
    void updatePadded(byte[] m, int off, int len) {
        int whole = len & ~15;
        if (whole > 0) blocks(m, off, whole);
        int rest = len - whole;
        if (rest > 0) {
            byte[] t = tail;
            System.arraycopy(m, off + whole, t, 0, rest);
            java.util.Arrays.fill(t, rest, 16, (byte) 0);
            blocks(t, 0, 16);
        }
    }

    /** The AEAD's final block: le64(aadLen) || le64(ciphertextLen). */
    void updateLengths(long aadLen, long ctLen) {
        byte[] t = tail;
        for (int i = 0; i < 8; i++) {
            t[i] = (byte) (aadLen >>> (8 * i));
            t[8 + i] = (byte) (ctLen >>> (8 * i));
        }
        blocks(t, 0, 16);
    }

    /**
     * Plain Poly1305 over a whole message (RFC 8439 section 2.5): a final partial block gets the 0x01
     * byte appended instead of the 2^128 bit. Must be the only update before {@link #finish}.
     */
    void updateMessage(byte[] m, int off, int len) {
        int whole = len & ~15;
        if (whole > 0) blocks(m, off, whole);
        int rest = len - whole;
        if (rest > 0) {
            byte[] t = tail;
            System.arraycopy(m, off + whole, t, 0, rest);
            t[rest] = 1;
            java.util.Arrays.fill(t, rest + 1, 16, (byte) 0);
            blocks(t, 0, 16, 0);
        }
    }

    /** Processes len bytes (a multiple of 16) as full blocks (2^128 bit set). */
    void blocks(byte[] m, int off, int len) {
        blocks(m, off, len, 1L << 24);
    }

    private void blocks(byte[] m, int off, int len, long hibit) {
        final long r0 = this.r0, r1 = this.r1, r2 = this.r2, r3 = this.r3, r4 = this.r4;
        final long s1 = this.s1, s2 = this.s2, s3 = this.s3, s4 = this.s4;
        long h0 = this.h0, h1 = this.h1, h2 = this.h2, h3 = this.h3, h4 = this.h4;
        java.util.Objects.checkFromIndexSize(off, len, m.length);
        if (len >= 32) {
            // two blocks per step: h = (h + m1) * r^2 + m2 * r, one carry chain for both (more
            // independent multiplications, half the serial carries). Every limb product is below
            // 2^56, so the ten-term sums stay below 2^60.
            final long u0 = this.u0, u1 = this.u1, u2 = this.u2, u3 = this.u3, u4 = this.u4;
            final long t1 = this.t1, t2 = this.t2, t3 = this.t3, t4 = this.t4;
            for (int end = off + (len & ~31); off < end; off += 32) {
                long x0 = le64(m, off), x1 = le64(m, off + 8), y0 = le64(m, off + 16), y1 = le64(m, off + 24);
                long a0 = h0 + (x0 & M26);
                long a1 = h1 + ((x0 >>> 26) & M26);
                long a2 = h2 + (((x0 >>> 52) | (x1 << 12)) & M26);
                long a3 = h3 + ((x1 >>> 14) & M26);
                long a4 = h4 + ((x1 >>> 40) | hibit);
                long b0 = y0 & M26;
                long b1 = (y0 >>> 26) & M26;
                long b2 = ((y0 >>> 52) | (y1 << 12)) & M26;
                long b3 = (y1 >>> 14) & M26;
                long b4 = (y1 >>> 40) | hibit;

                long d0 = a0 * u0 + a1 * t4 + a2 * t3 + a3 * t2 + a4 * t1 + b0 * r0 + b1 * s4 + b2 * s3 + b3 * s2 + b4 * s1;
                long d1 = a0 * u1 + a1 * u0 + a2 * t4 + a3 * t3 + a4 * t2 + b0 * r1 + b1 * r0 + b2 * s4 + b3 * s3 + b4 * s2;
                long d2 = a0 * u2 + a1 * u1 + a2 * u0 + a3 * t4 + a4 * t3 + b0 * r2 + b1 * r1 + b2 * r0 + b3 * s4 + b4 * s3;
                long d3 = a0 * u3 + a1 * u2 + a2 * u1 + a3 * u0 + a4 * t4 + b0 * r3 + b1 * r2 + b2 * r1 + b3 * r0 + b4 * s4;
                long d4 = a0 * u4 + a1 * u3 + a2 * u2 + a3 * u1 + a4 * u0 + b0 * r4 + b1 * r3 + b2 * r2 + b3 * r1 + b4 * r0;

                long c = d0 >>> 26;
                h0 = d0 & M26;
                d1 += c;
                c = d1 >>> 26;
                h1 = d1 & M26;
                d2 += c;
                c = d2 >>> 26;
                h2 = d2 & M26;
                d3 += c;
                c = d3 >>> 26;
                h3 = d3 & M26;
                d4 += c;
                c = d4 >>> 26;
                h4 = d4 & M26;
                h0 += c * 5;
                c = h0 >>> 26;
                h0 &= M26;
                h1 += c;
            }
            len &= 31;
        }
        for (int end = off + len; off < end; off += 16) {
            long x0 = le64(m, off), x1 = le64(m, off + 8);
            h0 += x0 & M26;
            h1 += (x0 >>> 26) & M26;
            h2 += ((x0 >>> 52) | (x1 << 12)) & M26;
            h3 += (x1 >>> 14) & M26;
            h4 += (x1 >>> 40) | hibit;

            long d0 = h0 * r0 + h1 * s4 + h2 * s3 + h3 * s2 + h4 * s1;
            long d1 = h0 * r1 + h1 * r0 + h2 * s4 + h3 * s3 + h4 * s2;
            long d2 = h0 * r2 + h1 * r1 + h2 * r0 + h3 * s4 + h4 * s3;
            long d3 = h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s4;
            long d4 = h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0;

            long c = d0 >>> 26;
            h0 = d0 & M26;
            d1 += c;
            c = d1 >>> 26;
            h1 = d1 & M26;
            d2 += c;
            c = d2 >>> 26;
            h2 = d2 & M26;
            d3 += c;
            c = d3 >>> 26;
            h3 = d3 & M26;
            d4 += c;
            c = d4 >>> 26;
            h4 = d4 & M26;
            h0 += c * 5;
            c = h0 >>> 26;
            h0 &= M26;
            h1 += c;
        }
        this.h0 = h0;
        this.h1 = h1;
        this.h2 = h2;
        this.h3 = h3;
        this.h4 = h4;
    }

    /** Writes the 16-byte tag to out[off..] and wipes the key material. */
    void finish(byte[] out, int off) {
        long h0 = this.h0, h1 = this.h1, h2 = this.h2, h3 = this.h3, h4 = this.h4;
        // full carry
        long c = h1 >>> 26;
        h1 &= M26;
        h2 += c;
        c = h2 >>> 26;
        h2 &= M26;
        h3 += c;
        c = h3 >>> 26;
        h3 &= M26;
        h4 += c;
        c = h4 >>> 26;
        h4 &= M26;
        h0 += c * 5;
        c = h0 >>> 26;
        h0 &= M26;
        h1 += c;

        // g = h + 5 - 2^130; use g when it is non-negative (h >= p), in constant time
        long g0 = h0 + 5;
        c = g0 >>> 26;
        g0 &= M26;
        long g1 = h1 + c;
        c = g1 >>> 26;
        g1 &= M26;
        long g2 = h2 + c;
        c = g2 >>> 26;
        g2 &= M26;
        long g3 = h3 + c;
        c = g3 >>> 26;
        g3 &= M26;
        long g4 = h4 + c - (1L << 26);
        long useG = (g4 >>> 63) - 1; // all ones when g4 >= 0
        g4 &= M26;
        h0 = (h0 & ~useG) | (g0 & useG);
        h1 = (h1 & ~useG) | (g1 & useG);
        h2 = (h2 & ~useG) | (g2 & useG);
        h3 = (h3 & ~useG) | (g3 & useG);
        h4 = (h4 & ~useG) | (g4 & useG);

        // h mod 2^128 as four 32-bit words, with additions and carries (donna ORs the limbs together,
        // which relies on h1 < 2^26 here; adding is exact without that invariant)
        long f = h0 + (h1 << 26);
        long w0 = f & 0xffffffffL;
        f = (f >>> 32) + (h2 << 20);
        long w1 = f & 0xffffffffL;
        f = (f >>> 32) + (h3 << 14);
        long w2 = f & 0xffffffffL;
        f = (f >>> 32) + (h4 << 8);
        long w3 = f & 0xffffffffL;
        // + pad
        f = w0 + pad0;
        LE32.set(out, off, (int) f);
        f = w1 + pad1 + (f >>> 32);
        LE32.set(out, off + 4, (int) f);
        f = w2 + pad2 + (f >>> 32);
        LE32.set(out, off + 8, (int) f);
        f = w3 + pad3 + (f >>> 32);
        LE32.set(out, off + 12, (int) f);

        this.r0 = this.r1 = this.r2 = this.r3 = this.r4 = 0;
        this.s1 = this.s2 = this.s3 = this.s4 = 0;
        this.u0 = this.u1 = this.u2 = this.u3 = this.u4 = 0;
        this.t1 = this.t2 = this.t3 = this.t4 = 0;
        this.h0 = this.h1 = this.h2 = this.h3 = this.h4 = 0;
        this.pad0 = this.pad1 = this.pad2 = this.pad3 = 0;
        java.util.Arrays.fill(tail, (byte) 0);
    }
}
