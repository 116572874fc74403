package io.jwg.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * libsodium's X25519 (when installed) against Bouncy Castle's on random and edge-case inputs. The
 * RFC 7748 vectors run in {@link X25519Test} through whichever backend X25519 uses, and
 * {@link SodiumX25519#load()} checks them before libsodium is used at all.
 */
class SodiumX25519Test {
    private static SodiumX25519 sodium;

    @BeforeAll
    static void load() {
        sodium = SodiumX25519.load().orElse(null);
    }

    @Test
    void isUsedWhenInstalled() {
        assumeTrue(sodium != null, "libsodium not installed");
        assumeTrue(System.getProperty("jwg.x25519") == null);
        assertThat(X25519.implementation()).isEqualTo("libsodium");
    }

    @Test
    void agreesWithBouncyCastleOnRandomInputs() {
        assumeTrue(sodium != null, "libsodium not installed");
        Random r = new Random(7748);
        byte[] k = new byte[32], u = new byte[32], ours = new byte[32], bc = new byte[32];
        for (int i = 0; i < 2000; i++) {
            r.nextBytes(k); // unclamped on purpose: both must clamp their own copy
            r.nextBytes(u); // including u with the top bit set, and (rarely) u >= p
            if (i % 50 == 0) fillNearP(u, i / 50);
            byte[] kBefore = k.clone(), uBefore = u.clone();
            org.bouncycastle.math.ec.rfc7748.X25519.scalarMult(k, 0, u, 0, bc, 0);
            boolean nonZero = sodium.scalarMult(k, u, ours);
            assertThat(nonZero).isEqualTo(!Bytes.isZero(bc));
            if (nonZero) assertThat(ours).as("X25519 #%d", i).isEqualTo(bc);
            assertThat(k).isEqualTo(kBefore);
            assertThat(u).isEqualTo(uBefore);

            sodium.scalarMultBase(k, ours);
            org.bouncycastle.math.ec.rfc7748.X25519.generatePublicKey(k, 0, bc, 0);
            assertThat(ours).as("public key #%d", i).isEqualTo(bc);
        }
    }

    @Test
    void lowOrderPointsGiveFalse() {
        assumeTrue(sodium != null, "libsodium not installed");
        String[] lowOrder = {
            "0000000000000000000000000000000000000000000000000000000000000000",
            "0100000000000000000000000000000000000000000000000000000000000000",
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
            "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "0000000000000000000000000000000000000000000000000000000000000080",
        };
        byte[] k = X25519.generatePrivateKey(), out = new byte[32];
        for (String p : lowOrder) assertThat(sodium.scalarMult(k, Hex.of(p), out)).as(p).isFalse();
    }

    /** p + d for small d, written as 32 little-endian bytes (a non-canonical encoding of d). */
    private static void fillNearP(byte[] u, int d) {
        java.math.BigInteger p = java.math.BigInteger.ONE.shiftLeft(255).subtract(java.math.BigInteger.valueOf(19));
        byte[] be = p.add(java.math.BigInteger.valueOf(d % 19)).toByteArray();
        java.util.Arrays.fill(u, (byte) 0);
        for (int i = 0; i < be.length && i < 32; i++) u[i] = be[be.length - 1 - i];
    }
}
