package io.jwg.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChaCha20Poly1305Test {

    // ---- RFC 8439 section 2.8.2: the AEAD example. Its nonce (07000000 || 4041424344454647) has a
    // non-zero first word, so it cannot be expressed as a WireGuard counter: test the raw-nonce path.

    static final byte[] KEY_282 = Hex.of("""
            80 81 82 83 84 85 86 87 88 89 8a 8b 8c 8d 8e 8f
            90 91 92 93 94 95 96 97 98 99 9a 9b 9c 9d 9e 9f""");
    static final byte[] NONCE_282 = Hex.of("07 00 00 00 40 41 42 43 44 45 46 47");
    static final byte[] AAD_282 = Hex.of("50 51 52 53 c0 c1 c2 c3 c4 c5 c6 c7");
    static final byte[] PT_282 = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for "
            + "the future, sunscreen would be it.").getBytes(StandardCharsets.US_ASCII);
    static final byte[] CT_282 = Hex.of("""
            d3 1a 8d 34 64 8e 60 db 7b 86 af bc 53 ef 7e c2
            a4 ad ed 51 29 6e 08 fe a9 e2 b5 a7 36 ee 62 d6
            3d be a4 5e 8c a9 67 12 82 fa fb 69 da 92 72 8b
            1a 71 de 0a 9e 06 0b 29 05 d6 a5 b6 7e cd 3b 36
            92 dd bd 7f 2d 77 8b 8c 98 03 ae e3 28 09 1b 58
            fa b3 24 e4 fa d6 75 94 55 85 80 8b 48 31 d7 bc
            3f f4 de f0 8e 4b 7a 9d e5 76 d2 65 86 ce c6 4b
            61 16""");
    static final byte[] TAG_282 = Hex.of("1a:e1:0b:59:4f:09:e2:6a:7e:90:2e:cb:d0:60:06:91");

    // ---- RFC 8439 appendix A.5: the AEAD decryption example. Its nonce 00000000 || 0102030405060708
    // is exactly WireGuard's layout: 4 zero bytes || little-endian counter 0x0807060504030201.

    static final byte[] KEY_A5 = Hex.of("""
            1c 92 40 a5 eb 55 d3 8a f3 33 88 86 04 f6 b5 f0
            47 39 17 c1 40 2b 80 09 9d ca 5c bc 20 70 75 c0""");
    static final byte[] NONCE_A5 = Hex.of("00 00 00 00 01 02 03 04 05 06 07 08");
    static final long COUNTER_A5 = 0x0807060504030201L;
    static final byte[] AAD_A5 = Hex.of("f3 33 88 86 00 00 00 00 00 00 4e 91");
    static final byte[] CT_A5 = Hex.of("""
            64 a0 86 15 75 86 1a f4 60 f0 62 c7 9b e6 43 bd
            5e 80 5c fd 34 5c f3 89 f1 08 67 0a c7 6c 8c b2
            4c 6c fc 18 75 5d 43 ee a0 9e e9 4e 38 2d 26 b0
            bd b7 b7 3c 32 1b 01 00 d4 f0 3b 7f 35 58 94 cf
            33 2f 83 0e 71 0b 97 ce 98 c8 a8 4a bd 0b 94 81
            14 ad 17 6e 00 8d 33 bd 60 f9 82 b1 ff 37 c8 55
            97 97 a0 6e f4 f0 ef 61 c1 86 32 4e 2b 35 06 38
            36 06 90 7b 6a 7c 02 b0 f9 f6 15 7b 53 c8 67 e4
            b9 16 6c 76 7b 80 4d 46 a5 9b 52 16 cd e7 a4 e9
            90 40 c5 a4 04 33 22 5e e2 82 a1 b0 a0 6c 52 3e
            af 45 34 d7 f8 3f a1 15 5b 00 47 71 8c bc 54 6a
            0d 07 2b 04 b3 56 4e ea 1b 42 22 73 f5 48 27 1a
            0b b2 31 60 53 fa 76 99 19 55 eb d6 31 59 43 4e
            ce bb 4e 46 6d ae 5a 10 73 a6 72 76 27 09 7a 10
            49 e6 17 d9 1d 36 10 94 fa 68 f0 ff 77 98 71 30
            30 5b ea ba 2e da 04 df 99 7b 71 4d 6c 6f 2c 29
            a6 ad 5c b4 02 2b 02 70 9b""");
    static final byte[] TAG_A5 = Hex.of("ee ad 9d 67 89 0c bb 22 39 23 36 fe a1 85 1f 38");
    static final byte[] PT_A5 = Hex.of("""
            49 6e 74 65 72 6e 65 74 2d 44 72 61 66 74 73 20
            61 72 65 20 64 72 61 66 74 20 64 6f 63 75 6d 65
            6e 74 73 20 76 61 6c 69 64 20 66 6f 72 20 61 20
            6d 61 78 69 6d 75 6d 20 6f 66 20 73 69 78 20 6d
            6f 6e 74 68 73 20 61 6e 64 20 6d 61 79 20 62 65
            20 75 70 64 61 74 65 64 2c 20 72 65 70 6c 61 63
            65 64 2c 20 6f 72 20 6f 62 73 6f 6c 65 74 65 64
            20 62 79 20 6f 74 68 65 72 20 64 6f 63 75 6d 65
            6e 74 73 20 61 74 20 61 6e 79 20 74 69 6d 65 2e
            20 49 74 20 69 73 20 69 6e 61 70 70 72 6f 70 72
            69 61 74 65 20 74 6f 20 75 73 65 20 49 6e 74 65
            72 6e 65 74 2d 44 72 61 66 74 73 20 61 73 20 72
            65 66 65 72 65 6e 63 65 20 6d 61 74 65 72 69 61
            6c 20 6f 72 20 74 6f 20 63 69 74 65 20 74 68 65
            6d 20 6f 74 68 65 72 20 74 68 61 6e 20 61 73 20
            2f e2 80 9c 77 6f 72 6b 20 69 6e 20 70 72 6f 67
            72 65 73 73 2e 2f e2 80 9d""");

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void rfc8439_2_8_2_sealWithRawNonce() {
        byte[] out = new byte[PT_282.length + 16];
        int n = ChaCha20Poly1305.sealRaw(ChaCha20Poly1305.key(KEY_282), NONCE_282, AAD_282, PT_282, 0, PT_282.length, out, 0);
        assertThat(n).isEqualTo(PT_282.length + 16);
        assertThat(Hex.str(out)).isEqualTo(Hex.str(concat(CT_282, TAG_282)));
    }

    @Test
    void rfc8439_2_8_2_openWithRawNonce() {
        byte[] sealed = concat(CT_282, TAG_282);
        byte[] out = new byte[PT_282.length];
        int n = ChaCha20Poly1305.openRaw(ChaCha20Poly1305.key(KEY_282), NONCE_282, AAD_282, sealed, 0, sealed.length, out, 0);
        assertThat(n).isEqualTo(PT_282.length);
        assertThat(out).isEqualTo(PT_282);
    }

    @Test
    void wireGuardNonceIsFourZeroBytesThenLittleEndianCounter() {
        assertThat(Hex.str(ChaCha20Poly1305.nonce(COUNTER_A5))).isEqualTo(Hex.str(NONCE_A5));
        assertThat(Hex.str(ChaCha20Poly1305.nonce(0))).isEqualTo("000000000000000000000000");
        assertThat(Hex.str(ChaCha20Poly1305.nonce(1))).isEqualTo("000000000100000000000000");
        assertThat(Hex.str(ChaCha20Poly1305.nonce(-1L))).isEqualTo("00000000ffffffffffffffff");
    }

    @Test
    void rfc8439_A5_openWithCounterLayout() {
        byte[] sealed = concat(CT_A5, TAG_A5);
        assertThat(ChaCha20Poly1305.open(KEY_A5, COUNTER_A5, sealed, AAD_A5)).isEqualTo(PT_A5);
        byte[] out = new byte[PT_A5.length];
        SecretKey k = ChaCha20Poly1305.key(KEY_A5);
        assertThat(ChaCha20Poly1305.open(k, COUNTER_A5, AAD_A5, sealed, 0, sealed.length, out, 0)).isEqualTo(PT_A5.length);
        assertThat(out).isEqualTo(PT_A5);
    }

    @Test
    void rfc8439_A5_sealWithCounterLayout() {
        assertThat(Hex.str(ChaCha20Poly1305.seal(KEY_A5, COUNTER_A5, PT_A5, AAD_A5)))
                .isEqualTo(Hex.str(concat(CT_A5, TAG_A5)));
    }

    @ParameterizedTest
    @ValueSource(longs = {0L, 1L, 255L, 256L, 0xffffffffL, 0x100000000L, Long.MAX_VALUE, Long.MIN_VALUE, -1L})
    void counterMatchesRawNonceZeroWordThenLittleEndian(long counter) {
        byte[] nonce = new byte[12];
        for (int i = 0; i < 8; i++) nonce[4 + i] = (byte) (counter >>> (8 * i));
        SecretKey k = ChaCha20Poly1305.key(KEY_A5);
        byte[] pt = Hex.seq(100);
        byte[] viaCounter = new byte[116];
        byte[] viaRaw = new byte[116];
        ChaCha20Poly1305.seal(k, counter, AAD_A5, pt, 0, pt.length, viaCounter, 0);
        ChaCha20Poly1305.sealRaw(k, nonce, AAD_A5, pt, 0, pt.length, viaRaw, 0);
        assertThat(viaCounter).isEqualTo(viaRaw);
        byte[] back = new byte[100];
        assertThat(ChaCha20Poly1305.openRaw(k, nonce, AAD_A5, viaCounter, 0, 116, back, 0)).isEqualTo(100);
        assertThat(back).isEqualTo(pt);
    }

    @Test
    void roundTripAllLengthsAroundBlockBoundaries() {
        SplittableRandom r = new SplittableRandom(1);
        byte[] key = new byte[32];
        r.nextBytes(key);
        SecretKey k = ChaCha20Poly1305.key(key);
        for (int len : new int[] {0, 1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 255, 256, 257, 511, 512, 513, 1023, 1024, 1025, 1420, 1440, 4096, 65535}) {
            byte[] pt = new byte[len];
            r.nextBytes(pt);
            byte[] aad = new byte[len % 40];
            r.nextBytes(aad);
            byte[] ct = new byte[len + 16];
            assertThat(ChaCha20Poly1305.seal(k, len, aad, pt, 0, len, ct, 0)).isEqualTo(len + 16);
            byte[] back = new byte[len];
            assertThat(ChaCha20Poly1305.open(k, len, aad, ct, 0, ct.length, back, 0)).as("len %d", len).isEqualTo(len);
            assertThat(back).isEqualTo(pt);
        }
    }

    @Test
    void inPlaceAndWithOffsets() {
        SecretKey k = ChaCha20Poly1305.key(KEY_A5);
        byte[] buf = new byte[16 + PT_A5.length + 16 + 7];
        System.arraycopy(PT_A5, 0, buf, 16, PT_A5.length);
        assertThat(ChaCha20Poly1305.seal(k, COUNTER_A5, AAD_A5, buf, 16, PT_A5.length, buf, 16)).isEqualTo(PT_A5.length + 16);
        assertThat(Arrays.copyOfRange(buf, 16, 16 + PT_A5.length + 16)).isEqualTo(concat(CT_A5, TAG_A5));
        assertThat(ChaCha20Poly1305.open(k, COUNTER_A5, AAD_A5, buf, 16, PT_A5.length + 16, buf, 16)).isEqualTo(PT_A5.length);
        assertThat(Arrays.copyOfRange(buf, 16, 16 + PT_A5.length)).isEqualTo(PT_A5);
    }

    @Test
    void byteBufferMethodsAgreeWithArrays() {
        SecretKey k = ChaCha20Poly1305.key(KEY_A5);
        byte[] pt = Hex.seq(1420);
        byte[] expected = new byte[pt.length + 16];
        ChaCha20Poly1305.seal(k, 42, null, pt, 0, pt.length, expected, 0);
        for (boolean direct : new boolean[] {false, true}) {
            ByteBuffer in = direct ? ByteBuffer.allocateDirect(pt.length) : ByteBuffer.allocate(pt.length);
            in.put(pt).flip();
            ByteBuffer out = direct ? ByteBuffer.allocateDirect(pt.length + 16) : ByteBuffer.allocate(pt.length + 16);
            assertThat(ChaCha20Poly1305.seal(k, 42, in, out)).isEqualTo(pt.length + 16);
            out.flip();
            byte[] got = new byte[out.remaining()];
            out.duplicate().get(got);
            assertThat(got).as("direct=%s", direct).isEqualTo(expected);
            ByteBuffer back = direct ? ByteBuffer.allocateDirect(pt.length) : ByteBuffer.allocate(pt.length);
            assertThat(ChaCha20Poly1305.open(k, 42, out, back)).isEqualTo(pt.length);
            back.flip();
            byte[] plain = new byte[back.remaining()];
            back.get(plain);
            assertThat(plain).isEqualTo(pt);
            // a forged buffer is reported as -1
            expected[5] ^= 1;
            ByteBuffer forged = ByteBuffer.wrap(expected);
            assertThat(ChaCha20Poly1305.open(k, 42, forged, ByteBuffer.allocate(pt.length))).isEqualTo(-1);
            expected[5] ^= 1;
        }
    }

    @Test
    void sealingTheSameCounterTwiceIsDeterministic() {
        // The JDK provider refuses to re-initialise with the key and nonce of its previous encryption;
        // our API must not leak that as an exception (handshake tests seal deterministic messages).
        byte[] a = ChaCha20Poly1305.seal(KEY_A5, 7, PT_A5, AAD_A5);
        byte[] b = ChaCha20Poly1305.seal(KEY_A5, 7, PT_A5, AAD_A5);
        assertThat(b).isEqualTo(a);
    }

    /** Differential check against two independent implementations: the JDK provider and Bouncy Castle. */
    @Test
    void agreesWithJdkProviderAndBouncyCastle() throws Exception {
        SplittableRandom r = new SplittableRandom(11);
        javax.crypto.Cipher jdk = javax.crypto.Cipher.getInstance("ChaCha20-Poly1305");
        org.bouncycastle.crypto.modes.ChaCha20Poly1305 bc = new org.bouncycastle.crypto.modes.ChaCha20Poly1305();
        for (int i = 0; i < 300; i++) {
            byte[] key = new byte[32];
            r.nextBytes(key);
            int len = i < 200 ? i : r.nextInt(3000);
            byte[] pt = new byte[len];
            r.nextBytes(pt);
            byte[] aad = new byte[r.nextInt(3) == 0 ? 0 : r.nextInt(70)];
            r.nextBytes(aad);
            long counter = r.nextLong();
            byte[] nonce = ChaCha20Poly1305.nonce(counter);

            byte[] ours = new byte[len + 16];
            ChaCha20Poly1305.seal(ChaCha20Poly1305.key(key), counter, aad, pt, 0, len, ours, 0);

            jdk.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(key, "ChaCha20"),
                    new javax.crypto.spec.IvParameterSpec(nonce));
            jdk.updateAAD(aad);
            assertThat(ours).as("JDK, len %d aad %d", len, aad.length).isEqualTo(jdk.doFinal(pt));

            bc.init(true, new org.bouncycastle.crypto.params.AEADParameters(
                    new org.bouncycastle.crypto.params.KeyParameter(key), 128, nonce, aad));
            byte[] b = new byte[len + 16];
            int n = bc.processBytes(pt, 0, len, b, 0);
            bc.doFinal(b, n);
            assertThat(ours).as("BC, len %d aad %d", len, aad.length).isEqualTo(b);

            byte[] back = new byte[len];
            assertThat(ChaCha20Poly1305.open(ChaCha20Poly1305.key(key), counter, aad, ours, 0, ours.length, back, 0)).isEqualTo(len);
            assertThat(back).isEqualTo(pt);
        }
    }

    @Test
    void foreignSecretKeySpecIsAccepted() {
        SecretKey spec = new javax.crypto.spec.SecretKeySpec(KEY_A5, "ChaCha20");
        byte[] out = new byte[PT_A5.length + 16];
        ChaCha20Poly1305.seal(spec, COUNTER_A5, AAD_A5, PT_A5, 0, PT_A5.length, out, 0);
        assertThat(out).isEqualTo(concat(CT_A5, TAG_A5));
    }

    /** Session keys keep working after a (failed) destroy(): a worker may still be sealing with one. */
    @Test
    void sessionKeysAreSecretKeySpecsWhoseDestroyFails() {
        SecretKey k = ChaCha20Poly1305.key(KEY_A5);
        assertThat(k.getEncoded()).isEqualTo(KEY_A5);
        assertThat(k.getFormat()).isEqualTo("RAW");
        assertThatThrownBy(k::destroy).isInstanceOf(javax.security.auth.DestroyFailedException.class);
        assertThat(ChaCha20Poly1305.open(k, COUNTER_A5, AAD_A5, concat(CT_A5, TAG_A5), 0, CT_A5.length + 16,
                new byte[CT_A5.length], 0)).isEqualTo(CT_A5.length);
    }

    /** A key that says it is destroyed is refused: open fails, seal throws, nothing is written. */
    @Test
    void destroyedKeyCannotSealOrOpen() throws Exception {
        ChaCha20Poly1305.ChaChaKey k = new ChaCha20Poly1305.ChaChaKey(KEY_A5);
        assertThat(k.toString()).doesNotContain(Hex.str(KEY_A5).substring(0, 8));
        byte[] sealed = concat(CT_A5, TAG_A5);
        byte[] out = new byte[sealed.length];
        assertThat(ChaCha20Poly1305.open(k, COUNTER_A5, AAD_A5, sealed, 0, sealed.length, out, 0)).isEqualTo(PT_A5.length);
        java.util.Arrays.fill(out, (byte) 0);
        k.destroy();
        assertThat(k.isDestroyed()).isTrue();
        assertThatThrownBy(k::getEncoded).isInstanceOf(IllegalStateException.class);
        assertThat(ChaCha20Poly1305.open(k, COUNTER_A5, AAD_A5, sealed, 0, sealed.length, out, 0)).isEqualTo(-1);
        assertThatThrownBy(() -> ChaCha20Poly1305.seal(k, 1, null, PT_A5, 0, 10, out, 0)).isInstanceOf(IllegalStateException.class);
        assertThat(out).containsOnly(0);
    }

    @Test
    void outputTooSmallIsAnErrorAndWritesNothing() {
        SecretKey k = ChaCha20Poly1305.key(KEY_A5);
        byte[] out = new byte[PT_A5.length + 15];
        assertThatThrownBy(() -> ChaCha20Poly1305.seal(k, 1, null, PT_A5, 0, PT_A5.length, out, 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(out).containsOnly(0);
    }

    // ---- forgeries: every flipped bit in ciphertext, tag or AAD is rejected without an exception

    @Test
    void flippedBitInCiphertextIsRejected() {
        byte[] sealed = concat(CT_A5, TAG_A5);
        SecretKey k = ChaCha20Poly1305.key(KEY_A5);
        byte[] out = new byte[CT_A5.length];
        for (int i = 0; i < CT_A5.length; i++) {
            for (int bit = 0; bit < 8; bit += 3) {
                sealed[i] ^= (byte) (1 << bit);
                assertThat(ChaCha20Poly1305.open(k, COUNTER_A5, AAD_A5, sealed, 0, sealed.length, out, 0))
                        .as("byte %d bit %d", i, bit).isEqualTo(-1);
                sealed[i] ^= (byte) (1 << bit);
            }
        }
        sealed[0] ^= 0x80;
        assertThat(ChaCha20Poly1305.open(KEY_A5, COUNTER_A5, sealed, AAD_A5)).isNull();
    }

    @Test
    void flippedBitInTagIsRejected() {
        byte[] sealed = concat(CT_A5, TAG_A5);
        SecretKey k = ChaCha20Poly1305.key(KEY_A5);
        byte[] out = new byte[CT_A5.length];
        for (int i = CT_A5.length; i < sealed.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                sealed[i] ^= (byte) (1 << bit);
                assertThat(ChaCha20Poly1305.open(k, COUNTER_A5, AAD_A5, sealed, 0, sealed.length, out, 0))
                        .as("tag byte %d bit %d", i - CT_A5.length, bit).isEqualTo(-1);
                assertThat(ChaCha20Poly1305.open(KEY_A5, COUNTER_A5, sealed, AAD_A5)).isNull();
                sealed[i] ^= (byte) (1 << bit);
            }
        }
    }

    @Test
    void flippedBitInAadIsRejected() {
        byte[] sealed = concat(CT_A5, TAG_A5);
        byte[] aad = AAD_A5.clone();
        for (int i = 0; i < aad.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                aad[i] ^= (byte) (1 << bit);
                assertThat(ChaCha20Poly1305.open(KEY_A5, COUNTER_A5, sealed, aad)).as("aad byte %d bit %d", i, bit).isNull();
                aad[i] ^= (byte) (1 << bit);
            }
        }
        assertThat(ChaCha20Poly1305.open(KEY_A5, COUNTER_A5, sealed, null)).isNull();
        assertThat(ChaCha20Poly1305.open(KEY_A5, COUNTER_A5, sealed, new byte[0])).isNull();
        assertThat(ChaCha20Poly1305.open(KEY_A5, COUNTER_A5, sealed, aad)).isEqualTo(PT_A5);
    }

    @Test
    void wrongCounterOrKeyIsRejected() {
        byte[] sealed = concat(CT_A5, TAG_A5);
        assertThat(ChaCha20Poly1305.open(KEY_A5, COUNTER_A5 + 1, sealed, AAD_A5)).isNull();
        byte[] otherKey = KEY_A5.clone();
        otherKey[31] ^= 1;
        assertThat(ChaCha20Poly1305.open(otherKey, COUNTER_A5, sealed, AAD_A5)).isNull();
    }

    @Test
    void tooShortForATagIsRejected() {
        SecretKey k = ChaCha20Poly1305.key(KEY_A5);
        assertThat(ChaCha20Poly1305.open(k, 0, null, new byte[15], 0, 15, new byte[16], 0)).isEqualTo(-1);
        assertThat(ChaCha20Poly1305.open(KEY_A5, 0, new byte[15], null)).isNull();
        assertThat(ChaCha20Poly1305.open(KEY_A5, 0, new byte[0], null)).isNull();
        assertThat(ChaCha20Poly1305.open(k, 0, ByteBuffer.allocate(15), ByteBuffer.allocate(16))).isEqualTo(-1);
    }

    @Test
    void emptyPlaintextIsJustATag() {
        byte[] sealed = ChaCha20Poly1305.seal(KEY_A5, 0, new byte[0], AAD_A5);
        assertThat(sealed).hasSize(16);
        assertThat(ChaCha20Poly1305.open(KEY_A5, 0, sealed, AAD_A5)).isEmpty();
    }

    @Test
    void keyMustBe32Bytes() {
        assertThatThrownBy(() -> ChaCha20Poly1305.key(new byte[31])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ChaCha20Poly1305.key(new byte[33])).isInstanceOf(IllegalArgumentException.class);
    }
}
