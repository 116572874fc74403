package io.jwg.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyTest {

    /** RFC 7748 section 6.1 Alice, in wg's base64. */
    static final String ALICE_PRIV = "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=";
    static final String ALICE_PUB = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";

    @Test
    void base64RoundTrip() {
        Key k = Key.fromBase64(ALICE_PRIV);
        assertThat(Hex.str(k.bytes())).isEqualTo("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        assertThat(k.toBase64()).isEqualTo(ALICE_PRIV);
        assertThat(k.publicKey().toBase64()).isEqualTo(ALICE_PUB);
        assertThat(Key.of(k.bytes())).isEqualTo(k).hasSameHashCodeAs(k);
        for (int i = 0; i < 50; i++) {
            Key g = Key.generatePrivate();
            assertThat(Key.fromBase64(g.toBase64())).isEqualTo(g);
            assertThat(g.toBase64()).hasSize(44).endsWith("=");
        }
        // surrounding whitespace (a line read from a file) is accepted
        assertThat(Key.fromBase64("  " + ALICE_PRIV + "\n")).isEqualTo(k);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo",      // 43: no padding
        "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LC=",      // 43 with '='
        "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCoA=",    // 45
        "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCoAAAA=", // 48 (33 bytes)
        "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LC==",     // 44 but two '=': 31 bytes
        "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCoA",     // 44 without '='
        "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25L!o=",     // not base64
        "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25L Co=",    // inner space
        "dwdtCnMY-X08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=",     // URL-safe alphabet
        "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCp=",     // non-zero padding bits (wg rejects)
    })
    void badBase64IsRejectedWithAReason(String text) {
        assertThatThrownBy(() -> Key.fromBase64(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Key is not");
    }

    @Test
    void wrongRawLengthIsRejected() {
        assertThatThrownBy(() -> Key.of(new byte[31])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Key.of(new byte[33])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Key.fromBase64(Base64.getEncoder().encodeToString(new byte[33])))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringNeverShowsTheKey() {
        Key k = Key.fromBase64(ALICE_PRIV);
        String s = k.toString();
        assertThat(s).doesNotContain(ALICE_PRIV).doesNotContain(ALICE_PRIV.substring(0, 8))
                .doesNotContain("77076d0a").doesNotContainIgnoringCase(Hex.str(k.bytes()).substring(0, 8));
        assertThat(String.valueOf(k)).isEqualTo(s);
        assertThat(k.publicKey().toString()).doesNotContain(ALICE_PUB.substring(0, 8));
        assertThat(java.util.List.of(k).toString()).doesNotContain(ALICE_PRIV.substring(0, 8));
    }

    @Test
    void bytesIsACopyAndDestroyWipes() {
        Key k = Key.fromBase64(ALICE_PRIV);
        byte[] b = k.bytes();
        b[0] ^= 1;
        assertThat(k.toBase64()).isEqualTo(ALICE_PRIV);
        byte[] raw = Hex.seq(32);
        Key r = Key.of(raw);
        raw[0] = 99;
        assertThat(r.bytes()[0]).isZero();
        assertThat(k.isZero()).isFalse();
        k.destroy();
        assertThat(k.isZero()).isTrue();
        assertThat(k.bytes()).containsOnly(0);
    }

    @Test
    void generatedKeys() {
        Key priv = Key.generatePrivate();
        byte[] b = priv.bytes();
        assertThat(b[0] & 7).isZero();
        assertThat(b[31] & 0xc0).isEqualTo(0x40);
        assertThat(Key.generatePreshared().bytes()).hasSize(32);
        assertThat(Key.generatePreshared()).isNotEqualTo(Key.generatePreshared());
        assertThat(priv.publicKey()).isEqualTo(Key.of(X25519.publicKey(b)));
    }
}
