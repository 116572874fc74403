package io.jwg.crypto;

/**
 * X25519 (RFC 7748) on 64-bit limbs: field elements mod 2^255 - 19 as five 51-bit limbs, products
 * taken with {@link Math#multiplyHigh} (one 64x64->128 multiplication on x86-64 and AArch64), so
 * a field multiplication is 25 of them instead of the 100 32-bit ones of a 26-bit-limb design.
 * About twice as fast as Bouncy Castle's {@code rfc7748.X25519.scalarMult} here, which matters for a
 * server answering many handshakes (three variable-base multiplications each).
 *
 * <p>Constant time: the Montgomery ladder swaps with masks, never branches on secret bits, and the
 * inversion is a fixed chain of squarings and multiplications.
 *
 * <p>Limb bounds (why nothing overflows): "reduced" elements (every mul/sqr output, decoded inputs)
 * have limbs below 2^51 + 2^17; add/sub outputs stay below 2^53; mul/sqr accept limbs below 2^53,
 * so each limb product is below 2^111 and a coefficient's sum of products shifted down by 51 bits
 * stays below 2^62.
 */
final class X25519Ladder {
    private static final long M = (1L << 51) - 1;
    /** 2p in limbs, added before subtracting so that limbs stay positive. */
    private static final long TWO_P0 = (1L << 52) - 38, TWO_P = (1L << 52) - 2;
    private static final long A24 = 121665;

    private X25519Ladder() {}

    /** out = X25519(k, u): k is clamped (a copy), u's top bit is ignored. */
    static void scalarMult(byte[] k, int kOff, byte[] u, int uOff, byte[] out, int outOff) {
        byte[] e = new byte[32];
        System.arraycopy(k, kOff, e, 0, 32);
        e[0] &= (byte) 248;
        e[31] &= 127;
        e[31] |= 64;
        long[] x1 = new long[5], x2 = new long[5], z2 = new long[5], x3 = new long[5], z3 = new long[5];
        long[] a = new long[5], aa = new long[5], b = new long[5], bb = new long[5], ee = new long[5];
        long[] c = new long[5], d = new long[5], da = new long[5], cb = new long[5];
        decode(u, uOff, x1);
        x2[0] = 1;
        System.arraycopy(x1, 0, x3, 0, 5);
        z3[0] = 1;
        int swap = 0;
        for (int t = 254; t >= 0; t--) {
            int bit = (e[t >>> 3] >>> (t & 7)) & 1;
            swap ^= bit;
            cswap(swap, x2, x3);
            cswap(swap, z2, z3);
            swap = bit;
            add(a, x2, z2);
            sqr(aa, a);
            sub(b, x2, z2);
            sqr(bb, b);
            sub(ee, aa, bb);
            add(c, x3, z3);
            sub(d, x3, z3);
            mul(da, d, a);
            mul(cb, c, b);
            add(x3, da, cb);
            sqr(x3, x3);
            sub(z3, da, cb);
            sqr(z3, z3);
            mul(z3, z3, x1);
            mul(x2, aa, bb);
            mul121665(z2, ee);
            add(z2, z2, aa);
            mul(z2, z2, ee);
        }
        cswap(swap, x2, x3);
        cswap(swap, z2, z3);
        invert(z2, z2);
        mul(x2, x2, z2);
        encode(x2, out, outOff);
        java.util.Arrays.fill(e, (byte) 0);
        for (long[] f : new long[][] {x2, z2, x3, z3, a, aa, b, bb, ee, c, d, da, cb}) java.util.Arrays.fill(f, 0);
    }

    /*
     * Products are taken pre-shifted: (a << 8) * (b << 5) = ab * 2^13, so the high word of the
     * 128-bit product is floor(ab / 2^51) and the low word shifted down by 13 is ab mod 2^51, the two
     * parts a coefficient needs, in 5 operations per product. With limbs below 2^53 (and 19x them on
     * the right below 2^57.3) both shifted operands stay below 2^63, so signed multiplyHigh is exact.
     */
    static void mul(long[] r, long[] f, long[] g) {
        long x0 = f[0] << 8, x1 = f[1] << 8, x2 = f[2] << 8, x3 = f[3] << 8, x4 = f[4] << 8;
        long y0 = g[0] << 5, y1 = g[1] << 5, y2 = g[2] << 5, y3 = g[3] << 5, y4 = g[4] << 5;
        long z1 = 19 * y1, z2 = 19 * y2, z3 = 19 * y3, z4 = 19 * y4;
        long lo, hi;
        lo = x0 * y0; hi = Math.multiplyHigh(x0, y0);
        long l0 = lo >>> 13, h0 = hi;
        lo = x1 * z4; hi = Math.multiplyHigh(x1, z4);
        l0 += lo >>> 13; h0 += hi;
        lo = x2 * z3; hi = Math.multiplyHigh(x2, z3);
        l0 += lo >>> 13; h0 += hi;
        lo = x3 * z2; hi = Math.multiplyHigh(x3, z2);
        l0 += lo >>> 13; h0 += hi;
        lo = x4 * z1; hi = Math.multiplyHigh(x4, z1);
        l0 += lo >>> 13; h0 += hi;
        lo = x0 * y1; hi = Math.multiplyHigh(x0, y1);
        long l1 = lo >>> 13, h1 = hi;
        lo = x1 * y0; hi = Math.multiplyHigh(x1, y0);
        l1 += lo >>> 13; h1 += hi;
        lo = x2 * z4; hi = Math.multiplyHigh(x2, z4);
        l1 += lo >>> 13; h1 += hi;
        lo = x3 * z3; hi = Math.multiplyHigh(x3, z3);
        l1 += lo >>> 13; h1 += hi;
        lo = x4 * z2; hi = Math.multiplyHigh(x4, z2);
        l1 += lo >>> 13; h1 += hi;
        lo = x0 * y2; hi = Math.multiplyHigh(x0, y2);
        long l2 = lo >>> 13, h2 = hi;
        lo = x1 * y1; hi = Math.multiplyHigh(x1, y1);
        l2 += lo >>> 13; h2 += hi;
        lo = x2 * y0; hi = Math.multiplyHigh(x2, y0);
        l2 += lo >>> 13; h2 += hi;
        lo = x3 * z4; hi = Math.multiplyHigh(x3, z4);
        l2 += lo >>> 13; h2 += hi;
        lo = x4 * z3; hi = Math.multiplyHigh(x4, z3);
        l2 += lo >>> 13; h2 += hi;
        lo = x0 * y3; hi = Math.multiplyHigh(x0, y3);
        long l3 = lo >>> 13, h3 = hi;
        lo = x1 * y2; hi = Math.multiplyHigh(x1, y2);
        l3 += lo >>> 13; h3 += hi;
        lo = x2 * y1; hi = Math.multiplyHigh(x2, y1);
        l3 += lo >>> 13; h3 += hi;
        lo = x3 * y0; hi = Math.multiplyHigh(x3, y0);
        l3 += lo >>> 13; h3 += hi;
        lo = x4 * z4; hi = Math.multiplyHigh(x4, z4);
        l3 += lo >>> 13; h3 += hi;
        lo = x0 * y4; hi = Math.multiplyHigh(x0, y4);
        long l4 = lo >>> 13, h4 = hi;
        lo = x1 * y3; hi = Math.multiplyHigh(x1, y3);
        l4 += lo >>> 13; h4 += hi;
        lo = x2 * y2; hi = Math.multiplyHigh(x2, y2);
        l4 += lo >>> 13; h4 += hi;
        lo = x3 * y1; hi = Math.multiplyHigh(x3, y1);
        l4 += lo >>> 13; h4 += hi;
        lo = x4 * y0; hi = Math.multiplyHigh(x4, y0);
        l4 += lo >>> 13; h4 += hi;
        carry(r, l0, h0, l1, h1, l2, h2, l3, h3, l4, h4);
    }

    static void sqr(long[] r, long[] f) {
        long a0 = f[0], a1 = f[1], a2 = f[2], a3 = f[3], a4 = f[4];
        long e1 = a1 << 8, e2 = a2 << 8, e3 = a3 << 8, e4 = a4 << 8;
        long e0 = a0 << 8, d0 = a0 << 9, d1 = a1 << 9, d2 = a2 << 9, d3 = a3 << 9;
        long y0 = a0 << 5, y1 = a1 << 5, y2 = a2 << 5, y3 = a3 << 5, y4 = a4 << 5;
        long z3 = 19 * y3, z4 = 19 * y4;
        long lo, hi;
        lo = e0 * y0; hi = Math.multiplyHigh(e0, y0);
        long l0 = lo >>> 13, h0 = hi;
        lo = d1 * z4; hi = Math.multiplyHigh(d1, z4);
        l0 += lo >>> 13; h0 += hi;
        lo = d2 * z3; hi = Math.multiplyHigh(d2, z3);
        l0 += lo >>> 13; h0 += hi;
        lo = d0 * y1; hi = Math.multiplyHigh(d0, y1);
        long l1 = lo >>> 13, h1 = hi;
        lo = d2 * z4; hi = Math.multiplyHigh(d2, z4);
        l1 += lo >>> 13; h1 += hi;
        lo = e3 * z3; hi = Math.multiplyHigh(e3, z3);
        l1 += lo >>> 13; h1 += hi;
        lo = d0 * y2; hi = Math.multiplyHigh(d0, y2);
        long l2 = lo >>> 13, h2 = hi;
        lo = e1 * y1; hi = Math.multiplyHigh(e1, y1);
        l2 += lo >>> 13; h2 += hi;
        lo = d3 * z4; hi = Math.multiplyHigh(d3, z4);
        l2 += lo >>> 13; h2 += hi;
        lo = d0 * y3; hi = Math.multiplyHigh(d0, y3);
        long l3 = lo >>> 13, h3 = hi;
        lo = d1 * y2; hi = Math.multiplyHigh(d1, y2);
        l3 += lo >>> 13; h3 += hi;
        lo = e4 * z4; hi = Math.multiplyHigh(e4, z4);
        l3 += lo >>> 13; h3 += hi;
        lo = d0 * y4; hi = Math.multiplyHigh(d0, y4);
        long l4 = lo >>> 13, h4 = hi;
        lo = d1 * y3; hi = Math.multiplyHigh(d1, y3);
        l4 += lo >>> 13; h4 += hi;
        lo = e2 * y2; hi = Math.multiplyHigh(e2, y2);
        l4 += lo >>> 13; h4 += hi;
        carry(r, l0, h0, l1, h1, l2, h2, l3, h3, l4, h4);
    }

    /**
     * Coefficient k of a product is h_k * 2^51 + l_k (l_k below 2^54, h_k below 2^62): propagates
     * the carries and folds the part above 2^255 back in times 19.
     */
    private static void carry(long[] r, long l0, long h0, long l1, long h1, long l2, long h2, long l3, long h3, long l4, long h4) {
        long r0 = l0 & M;
        long cy = h0 + (l0 >>> 51);
        long t = l1 + cy;
        long r1 = t & M;
        cy = h1 + (t >>> 51);
        t = l2 + cy;
        long r2 = t & M;
        cy = h2 + (t >>> 51);
        t = l3 + cy;
        long r3 = t & M;
        cy = h3 + (t >>> 51);
        t = l4 + cy;
        long r4 = t & M;
        cy = h4 + (t >>> 51);
        r0 += 19 * (cy & M);
        r1 += 19 * (cy >>> 51);
        r1 += r0 >>> 51;
        r0 &= M;
        r[0] = r0;
        r[1] = r1;
        r[2] = r2;
        r[3] = r3;
        r[4] = r4;
    }

    /** r = 121665 * f (f's limbs below 2^53). */
    private static void mul121665(long[] r, long[] f) {
        long lo, hi;
        lo = f[0] * A24; hi = Math.multiplyHigh(f[0], A24);
        long l0 = lo & M, h0 = (hi << 13) | (lo >>> 51);
        lo = f[1] * A24; hi = Math.multiplyHigh(f[1], A24);
        long l1 = lo & M, h1 = (hi << 13) | (lo >>> 51);
        lo = f[2] * A24; hi = Math.multiplyHigh(f[2], A24);
        long l2 = lo & M, h2 = (hi << 13) | (lo >>> 51);
        lo = f[3] * A24; hi = Math.multiplyHigh(f[3], A24);
        long l3 = lo & M, h3 = (hi << 13) | (lo >>> 51);
        lo = f[4] * A24; hi = Math.multiplyHigh(f[4], A24);
        long l4 = lo & M, h4 = (hi << 13) | (lo >>> 51);
        r[0] = l0 + 19 * h4;
        r[1] = l1 + h0;
        r[2] = l2 + h1;
        r[3] = l3 + h2;
        r[4] = l4 + h3;
    }

    private static void add(long[] r, long[] f, long[] g) {
        r[0] = f[0] + g[0];
        r[1] = f[1] + g[1];
        r[2] = f[2] + g[2];
        r[3] = f[3] + g[3];
        r[4] = f[4] + g[4];
    }

    /** r = f - g (g reduced). */
    private static void sub(long[] r, long[] f, long[] g) {
        r[0] = f[0] + TWO_P0 - g[0];
        r[1] = f[1] + TWO_P - g[1];
        r[2] = f[2] + TWO_P - g[2];
        r[3] = f[3] + TWO_P - g[3];
        r[4] = f[4] + TWO_P - g[4];
    }

    private static void cswap(int swap, long[] f, long[] g) {
        long mask = -(long) swap;
        for (int i = 0; i < 5; i++) {
            long x = mask & (f[i] ^ g[i]);
            f[i] ^= x;
            g[i] ^= x;
        }
    }

    private static void sqrTimes(long[] r, long[] f, int n) {
        sqr(r, f);
        for (int i = 1; i < n; i++) sqr(r, r);
    }

    /** r = z^(p-2) = 1/z (the chain of ref10's fe_invert: 254 squarings, 11 multiplications). */
    static void invert(long[] r, long[] z) {
        long[] z2 = new long[5], z9 = new long[5], z11 = new long[5], z2_5_0 = new long[5], z2_10_0 = new long[5];
        long[] z2_20_0 = new long[5], z2_50_0 = new long[5], z2_100_0 = new long[5], t = new long[5];
        sqr(z2, z);
        sqrTimes(t, z2, 2);
        mul(z9, t, z);
        mul(z11, z9, z2);
        sqr(t, z11);
        mul(z2_5_0, t, z9);
        sqrTimes(t, z2_5_0, 5);
        mul(z2_10_0, t, z2_5_0);
        sqrTimes(t, z2_10_0, 10);
        mul(z2_20_0, t, z2_10_0);
        sqrTimes(t, z2_20_0, 20);
        mul(t, t, z2_20_0);
        sqrTimes(t, t, 10);
        mul(z2_50_0, t, z2_10_0);
        sqrTimes(t, z2_50_0, 50);
        mul(z2_100_0, t, z2_50_0);
        sqrTimes(t, z2_100_0, 100);
        mul(t, t, z2_100_0);
        sqrTimes(t, t, 50);
        mul(t, t, z2_50_0);
        sqrTimes(t, t, 5);
        mul(r, t, z11);
    }

    private static long load64(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (b[off + i] & 0xffL);
        return v;
    }

    /** 32 little-endian bytes to limbs; the top bit is ignored (RFC 7748). */
    static void decode(byte[] b, int off, long[] f) {
        f[0] = load64(b, off) & M;
        f[1] = (load64(b, off + 6) >>> 3) & M;
        f[2] = (load64(b, off + 12) >>> 6) & M;
        f[3] = (load64(b, off + 19) >>> 1) & M;
        f[4] = (load64(b, off + 24) >>> 12) & M;
    }

    /** Fully reduces f (mod p) and writes 32 little-endian bytes. */
    static void encode(long[] f, byte[] out, int off) {
        long h0 = f[0], h1 = f[1], h2 = f[2], h3 = f[3], h4 = f[4];
        for (int pass = 0; pass < 2; pass++) {
            h1 += h0 >>> 51; h0 &= M;
            h2 += h1 >>> 51; h1 &= M;
            h3 += h2 >>> 51; h2 &= M;
            h4 += h3 >>> 51; h3 &= M;
            h0 += 19 * (h4 >>> 51); h4 &= M;
        }
        // now h < 2^255 + small; subtract p when h >= p, i.e. when h + 19 reaches 2^255
        long q = (h0 + 19) >>> 51;
        q = (h1 + q) >>> 51;
        q = (h2 + q) >>> 51;
        q = (h3 + q) >>> 51;
        q = (h4 + q) >>> 51;
        h0 += 19 * q;
        h1 += h0 >>> 51; h0 &= M;
        h2 += h1 >>> 51; h1 &= M;
        h3 += h2 >>> 51; h2 &= M;
        h4 += h3 >>> 51; h3 &= M;
        h4 &= M; // drops the 2^255 that 19q added back, completing the subtraction of p
        long w0 = h0 | (h1 << 51);
        long w1 = (h1 >>> 13) | (h2 << 38);
        long w2 = (h2 >>> 26) | (h3 << 25);
        long w3 = (h3 >>> 39) | (h4 << 12);
        store64(out, off, w0);
        store64(out, off + 8, w1);
        store64(out, off + 16, w2);
        store64(out, off + 24, w3);
    }

    private static void store64(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) b[off + i] = (byte) (v >>> (8 * i));
    }
}
