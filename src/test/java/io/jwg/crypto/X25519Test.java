package io.jwg.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class X25519Test {

    /** RFC 7748 section 5.2, first vector. */
    @Test
    void rfc7748_5_2_vector1() throws Exception {
        byte[] k = Hex.of("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
        byte[] u = Hex.of("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
        assertThat(Hex.str(X25519.sharedSecret(k, u)))
                .isEqualTo("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
    }

    /** RFC 7748 section 5.2, second vector: u has its top bit set, which must be masked. */
    @Test
    void rfc7748_5_2_vector2() throws Exception {
        byte[] k = Hex.of("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d");
        byte[] u = Hex.of("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493");
        assertThat(Hex.str(X25519.sharedSecret(k, u)))
                .isEqualTo("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
    }

    /** RFC 7748 section 5.2, the iterated test: k = u = 9, then k, u = X25519(k, u), k. */
    @Test
    void rfc7748_5_2_iterated1And1000() throws Exception {
        byte[] k = new byte[32];
        k[0] = 9;
        byte[] u = k.clone();
        for (int i = 1; i <= 1000; i++) {
            byte[] r = X25519.sharedSecret(k, u);
            u = k;
            k = r;
            if (i == 1) assertThat(Hex.str(k)).isEqualTo("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
        }
        assertThat(Hex.str(k)).isEqualTo("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
    }

    /** RFC 7748 section 6.1: Alice and Bob. */
    @Test
    void rfc7748_6_1_diffieHellman() throws Exception {
        byte[] alicePriv = Hex.of("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] bobPriv = Hex.of("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        byte[] alicePub = X25519.publicKey(alicePriv);
        byte[] bobPub = X25519.publicKey(bobPriv);
        assertThat(Hex.str(alicePub)).isEqualTo("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        assertThat(Hex.str(bobPub)).isEqualTo("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        String k = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
        assertThat(Hex.str(X25519.sharedSecret(alicePriv, bobPub))).isEqualTo(k);
        assertThat(Hex.str(X25519.sharedSecret(bobPriv, alicePub))).isEqualTo(k);
        // the inputs are not modified (the private keys above are not clamped)
        assertThat(Hex.str(alicePriv)).isEqualTo("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    }

    /** X25519(k, 9) is the public key. */
    @Test
    void publicKeyIsScalarMultOfBasePoint() throws Exception {
        byte[] nine = new byte[32];
        nine[0] = 9;
        byte[] priv = X25519.generatePrivateKey();
        assertThat(X25519.publicKey(priv)).isEqualTo(X25519.sharedSecret(priv, nine));
    }

    /** The all-zero public key (and other low-order points) give an all-zero secret: rejected. */
    @ParameterizedTest
    @ValueSource(strings = {
        "0000000000000000000000000000000000000000000000000000000000000000", // 0
        "0100000000000000000000000000000000000000000000000000000000000000", // 1
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", // order 8
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157", // order 8
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p - 1
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p (= 0)
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p + 1 (= 1)
        "0000000000000000000000000000000000000000000000000000000000000080", // 0 with the top bit set
    })
    void lowOrderPublicKeyIsRejected(String point) {
        byte[] priv = X25519.generatePrivateKey();
        assertThatThrownBy(() -> X25519.sharedSecret(priv, Hex.of(point)))
                .isInstanceOf(X25519.WeakKeyException.class)
                .hasMessageContaining("all-zero");
    }

    @Test
    void generatedPrivateKeysAreClampedLikeWgGenkey() {
        for (int i = 0; i < 200; i++) {
            byte[] k = X25519.generatePrivateKey();
            assertThat(k[0] & 7).isZero();
            assertThat(k[31] & 0x80).isZero();
            assertThat(k[31] & 0x40).isEqualTo(0x40);
        }
    }

    @Test
    void clampIsRfc7748Clamping() {
        byte[] k = new byte[32];
        java.util.Arrays.fill(k, (byte) 0xff);
        X25519.clamp(k);
        assertThat(Hex.str(k)).isEqualTo("f8" + "ff".repeat(30) + "7f");
        java.util.Arrays.fill(k, (byte) 0);
        X25519.clamp(k);
        assertThat(Hex.str(k)).isEqualTo("00".repeat(31) + "40");
    }

    @Test
    void wrongLengthsAreRejected() {
        assertThatThrownBy(() -> X25519.publicKey(new byte[31])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> X25519.sharedSecret(new byte[32], new byte[31])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> X25519.sharedSecret(new byte[33], new byte[32])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void publicKeyIgnoresClamping() {
        byte[] priv = Hex.of("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] clamped = priv.clone();
        X25519.clamp(clamped);
        assertThat(X25519.publicKey(clamped)).isEqualTo(X25519.publicKey(priv));
    }
}
