package io.jwg.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The 64-bit-limb ladder against Bouncy Castle's X25519 on random and edge-case inputs. */
class X25519LadderTest {
    private static byte[] bc(byte[] k, byte[] u) {
        byte[] out = new byte[32];
        org.bouncycastle.math.ec.rfc7748.X25519.scalarMult(k, 0, u, 0, out, 0);
        return out;
    }

    private static byte[] ours(byte[] k, byte[] u) {
        byte[] out = new byte[32];
        X25519Ladder.scalarMult(k, 0, u, 0, out, 0);
        return out;
    }

    @Test
    void agreesWithBouncyCastleOnRandomInputs() {
        Random r = new Random(25519);
        for (int i = 0; i < 2000; i++) {
            byte[] k = new byte[32], u = new byte[32];
            r.nextBytes(k); // unclamped: both clamp internally
            r.nextBytes(u); // top bit set half the time: both ignore it
            assertThat(ours(k, u)).as("case %d", i).isEqualTo(bc(k, u));
        }
    }

    @Test
    void agreesOnNonCanonicalAndExtremeCoordinates() {
        Random r = new Random(7);
        byte[][] us = new byte[6][32];
        us[1][0] = 1;
        java.util.Arrays.fill(us[2], (byte) 0xff); // 2^256 - 1: top bit ignored, then >= p
        us[3] = Hex.of("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"); // p
        us[4] = Hex.of("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"); // p - 1
        us[5] = Hex.of("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"); // p + 1
        for (byte[] u : us) {
            for (int i = 0; i < 50; i++) {
                byte[] k = new byte[32];
                r.nextBytes(k);
                assertThat(ours(k, u)).isEqualTo(bc(k, u));
            }
        }
    }

    @Test
    void diffieHellmanAgreesBothWays() throws Exception {
        for (int i = 0; i < 200; i++) {
            byte[] a = X25519.generatePrivateKey(), b = X25519.generatePrivateKey();
            assertThat(X25519.sharedSecret(a, X25519.publicKey(b))).isEqualTo(X25519.sharedSecret(b, X25519.publicKey(a)));
        }
    }
}
