package io.jwg.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class XChaCha20Poly1305Test {

    /** draft-irtf-cfrg-xchacha-03 section 2.2.1: HChaCha20. */
    @Test
    void hchacha20_2_2_1() {
        byte[] key = Hex.of("00:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10:11:12:13:14:15:16:17:18:19:1a:1b:1c:1d:1e:1f");
        byte[] nonce = Hex.of("00:00:00:09:00:00:00:4a:00:00:00:00:31:41:59:27");
        assertThat(Hex.str(HChaCha20.derive(key, nonce)))
                .isEqualTo(Hex.str(Hex.of("82413b42 27b27bfe d30e4250 8a877d73 a0f9e4d5 8a74a853 c12ec413 26d3ecdc")));
        // only the first 16 nonce bytes are used
        byte[] longer = java.util.Arrays.copyOf(nonce, 24);
        longer[20] = 0x55;
        assertThat(HChaCha20.derive(key, longer)).isEqualTo(HChaCha20.derive(key, nonce));
        assertThatThrownBy(() -> HChaCha20.derive(new byte[31], nonce)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HChaCha20.derive(key, new byte[15])).isInstanceOf(IllegalArgumentException.class);
    }

    static final byte[] KEY = Hex.of("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    static final byte[] IV = Hex.of("404142434445464748494a4b4c4d4e4f5051525354555657");
    static final byte[] AAD = Hex.of("50515253c0c1c2c3c4c5c6c7");
    static final byte[] PT = Hex.of("""
            4c616469657320616e642047656e746c656d656e206f662074686520636c6173
            73206f66202739393a204966204920636f756c64206f6666657220796f75206f
            6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73
            637265656e20776f756c642062652069742e""");
    static final byte[] CT = Hex.of("""
            bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb
            731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452
            2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9
            21f9664c97637da9768812f615c68b13b52e""");
    static final byte[] TAG = Hex.of("c0875924c1c7987947deafd8780acf49");

    /** draft-irtf-cfrg-xchacha-03 appendix A.3.1: XChaCha20-Poly1305 AEAD. */
    @Test
    void xchacha20poly1305_A_3_1_seal() {
        assertThat(new String(PT, java.nio.charset.StandardCharsets.US_ASCII)).startsWith("Ladies and Gentlemen");
        assertThat(Hex.str(XChaCha20Poly1305.seal(KEY, IV, PT, AAD)))
                .isEqualTo(Hex.str(ChaCha20Poly1305Test.concat(CT, TAG)));
    }

    @Test
    void xchacha20poly1305_A_3_1_open() {
        assertThat(XChaCha20Poly1305.open(KEY, IV, ChaCha20Poly1305Test.concat(CT, TAG), AAD)).isEqualTo(PT);
    }

    @Test
    void forgeriesAreRejected() {
        byte[] sealed = ChaCha20Poly1305Test.concat(CT, TAG);
        for (int i = 0; i < sealed.length; i++) {
            sealed[i] ^= 0x10;
            assertThat(XChaCha20Poly1305.open(KEY, IV, sealed, AAD)).as("byte %d", i).isNull();
            sealed[i] ^= 0x10;
        }
        byte[] aad = AAD.clone();
        aad[3] ^= 1;
        assertThat(XChaCha20Poly1305.open(KEY, IV, sealed, aad)).isNull();
        byte[] iv = IV.clone();
        iv[0] ^= 1; // the HChaCha20 half of the nonce
        assertThat(XChaCha20Poly1305.open(KEY, iv, sealed, AAD)).isNull();
        iv = IV.clone();
        iv[23] ^= 1; // the counter half of the nonce
        assertThat(XChaCha20Poly1305.open(KEY, iv, sealed, AAD)).isNull();
        assertThat(XChaCha20Poly1305.open(KEY, IV, new byte[15], AAD)).isNull();
    }

    /** The cookie reply's shape: a 16-byte cookie sealed with mac1 as AAD. */
    @Test
    void cookieSizedRoundTrip() {
        byte[] cookie = Hex.seq(16);
        byte[] mac1 = Hex.seq(16);
        byte[] sealed = XChaCha20Poly1305.seal(KEY, IV, cookie, mac1);
        assertThat(sealed).hasSize(32);
        assertThat(XChaCha20Poly1305.open(KEY, IV, sealed, mac1)).isEqualTo(cookie);
        // deterministic: the same inputs give the same output (no exception on a repeated nonce)
        assertThat(XChaCha20Poly1305.seal(KEY, IV, cookie, mac1)).isEqualTo(sealed);
    }

    @Test
    void nonceMustBe24Bytes() {
        assertThatThrownBy(() -> XChaCha20Poly1305.seal(KEY, new byte[16], PT, AAD)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> XChaCha20Poly1305.seal(KEY, new byte[25], PT, AAD)).isInstanceOf(IllegalArgumentException.class);
    }
}
