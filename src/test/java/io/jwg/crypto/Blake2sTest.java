package io.jwg.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.junit.jupiter.api.Test;

class Blake2sTest {

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** RFC 7693 appendix B: BLAKE2s-256("abc"). */
    @Test
    void rfc7693_appendixB_abc() {
        assertThat(Hex.str(Blake2s.hash(ascii("abc"))))
                .isEqualTo("508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
        // split inputs are concatenated
        assertThat(Blake2s.hash(ascii("a"), ascii(""), ascii("bc"))).isEqualTo(Blake2s.hash(ascii("abc")));
    }

    /** The empty message (reference blake2s-kat.txt, unkeyed, in = ""). */
    @Test
    void emptyMessage() {
        assertThat(Hex.str(Blake2s.hash()))
                .isEqualTo("69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9");
        assertThat(Hex.str(Blake2s.hash(new byte[0]))).isEqualTo(Hex.str(Blake2s.hash()));
    }

    /** Keyed BLAKE2s-256, key 00..1f: reference blake2s-kat.txt (keyed) for in = "" and in = 00..fe. */
    @Test
    void keyedReferenceKat() {
        byte[] key = Hex.seq(32);
        assertThat(Hex.str(Blake2s.digest(32, key, new byte[0])))
                .isEqualTo("48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49");
        assertThat(Hex.str(Blake2s.digest(32, key, Hex.seq(255))))
                .isEqualTo("3fb735061abc519dfe979e54c1ee5bfad0a9d858b3315bad34bde999efd724dd");
        // 00..ff (256 bytes, exactly four blocks) is not in the reference file; value from CPython's
        // hashlib.blake2s(bytes(range(256)), key=bytes(range(32))), an independent implementation.
        assertThat(Hex.str(Blake2s.digest(32, key, Hex.seq(256))))
                .isEqualTo("5211d1aefc0025be7f85c06b3e14e0fc645ae12bd41746485ea6d8a364a2eaee");
    }

    /**
     * RFC 7693 appendix E self-test: unkeyed and keyed hashes for output lengths 16, 20, 28, 32 and
     * input lengths 0, 3, 64, 65, 255, 1024, all fed into one BLAKE2s-256 whose result is fixed.
     */
    @Test
    void rfc7693_appendixE_selfTest() {
        int[] mdLen = {16, 20, 28, 32};
        int[] inLen = {0, 3, 64, 65, 255, 1024};
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (int outlen : mdLen) {
            for (int inlen : inLen) {
                byte[] in = selftestSeq(inlen, inlen);
                all.writeBytes(Blake2s.digest(outlen, null, in));
                byte[] key = selftestSeq(outlen, outlen);
                all.writeBytes(Blake2s.digest(outlen, key, in));
            }
        }
        assertThat(Hex.str(Blake2s.hash(all.toByteArray()))).isEqualTo(
                "6a411f08ce25adcdfb02aba641451cec53c598b24f4fc787fbdc88797f4c1dfe");
    }

    /** RFC 7693 appendix E's deterministic Fibonacci sequence. */
    static byte[] selftestSeq(int len, int seed) {
        byte[] out = new byte[len];
        int a = 0xDEAD4BAD * seed, b = 1;
        for (int i = 0; i < len; i++) {
            int t = a + b;
            a = b;
            b = t;
            out[i] = (byte) (t >>> 24);
        }
        return out;
    }

    /** WireGuard's two hard-coded constants (whitepaper 5.4), as wireguard-go and the kernel compute them. */
    @Test
    void wireGuardInitialChainingKeyAndHash() {
        byte[] ck = Blake2s.hash(ascii("Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"));
        assertThat(Hex.str(ck)).isEqualTo("60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36");
        assertThat(Hex.str(Blake2s.hash(ck, ascii("WireGuard v1 zx2c4 Jason@zx2c4.com"))))
                .isEqualTo("2211b361081ac566691243db458ad5322d9c6c662293e8b70ee19c65ba079ef3");
    }

    /** MAC = keyed BLAKE2s with a 16-byte output (mac1 uses a 32-byte key, mac2 the 16-byte cookie). */
    @Test
    void macIsKeyedBlake2s128() {
        // values from CPython: hashlib.blake2s(msg, key=key, digest_size=16)
        assertThat(Hex.str(Blake2s.mac(Hex.seq(32), ascii("hello wireguard")))).isEqualTo("d7ced850c9c0917a705fad04539c3a01");
        assertThat(Hex.str(Blake2s.mac(Hex.seq(16), Hex.seq(100)))).isEqualTo("56301549e674c3b72a0e1dafb7a2c620");
        assertThat(Blake2s.mac(Hex.seq(32), ascii("x"))).isEqualTo(Blake2s.digest(16, Hex.seq(32), ascii("x")));
        // the offset form writes into the middle of a buffer and reads a slice
        byte[] msg = new byte[10 + 100 + 10];
        System.arraycopy(Hex.seq(100), 0, msg, 10, 100);
        byte[] out = new byte[40];
        Blake2s.mac(Hex.seq(16), msg, 10, 100, out, 7);
        assertThat(Hex.str(java.util.Arrays.copyOfRange(out, 7, 23))).isEqualTo("56301549e674c3b72a0e1dafb7a2c620");
        assertThat(out[6]).isZero();
        assertThat(out[23]).isZero();
    }

    // ---- HMAC-BLAKE2s (RFC 2104, block 64) against a straightforward independent implementation

    /** RFC 2104 written out directly over Bouncy Castle's digest: H(K ^ opad || H(K ^ ipad || m)). */
    static byte[] referenceHmac(byte[] key, byte[] msg) {
        byte[] k = new byte[64];
        if (key.length > 64) k = java.util.Arrays.copyOf(referenceHash(key), 64);
        else System.arraycopy(key, 0, k, 0, key.length);
        byte[] ipad = new byte[64 + msg.length];
        for (int i = 0; i < 64; i++) ipad[i] = (byte) (k[i] ^ 0x36);
        System.arraycopy(msg, 0, ipad, 64, msg.length);
        byte[] inner = referenceHash(ipad);
        byte[] opad = new byte[64 + 32];
        for (int i = 0; i < 64; i++) opad[i] = (byte) (k[i] ^ 0x5c);
        System.arraycopy(inner, 0, opad, 64, 32);
        return referenceHash(opad);
    }

    static byte[] referenceHash(byte[] in) {
        Blake2sDigest d = new Blake2sDigest(256);
        d.update(in, 0, in.length);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }

    /** HKDF (RFC 5869) with empty info, as the whitepaper's KDF_n: T_i = HMAC(PRK, T_{i-1} || i). */
    static byte[][] referenceKdf(int n, byte[] key, byte[] input) {
        byte[] prk = referenceHmac(key, input);
        byte[][] out = new byte[n][];
        byte[] prev = new byte[0];
        for (int i = 0; i < n; i++) {
            byte[] m = java.util.Arrays.copyOf(prev, prev.length + 1);
            m[prev.length] = (byte) (i + 1);
            prev = referenceHmac(prk, m);
            out[i] = prev;
        }
        return out;
    }

    @Test
    void hmacPublishedValues() {
        // values from CPython: hmac.new(key, msg, hashlib.blake2s).hexdigest()
        assertThat(Hex.str(Blake2s.hmac(Hex.seq(32), ascii("abc"))))
                .isEqualTo("82623be5bc0a391b24dce53e67d028eff92d586de0485ac37822e597d049c74f");
        assertThat(Hex.str(Blake2s.hmac(Hex.seq(100), ascii("abc")))) // key longer than a block: hashed first
                .isEqualTo("c1b751501db12b753069a918627b623179be55c8cc7ca5c4e14bdf32274ac656");
        assertThat(Hex.str(Blake2s.hmac(Hex.seq(64), new byte[0]))) // key exactly one block
                .isEqualTo("4a4f8f181c931253202b2d7a77e2a612f65580f4b0d56108f7f275f22b63ae00");
        assertThat(Blake2s.hmac(Hex.seq(32), ascii("a"), ascii("bc"))).isEqualTo(Blake2s.hmac(Hex.seq(32), ascii("abc")));
    }

    @Test
    void hmacMatchesReferenceForManyKeyAndMessageLengths() {
        SplittableRandom r = new SplittableRandom(7);
        for (int keyLen : new int[] {0, 1, 16, 32, 63, 64, 65, 100, 200}) {
            for (int msgLen : new int[] {0, 1, 31, 32, 33, 63, 64, 65, 128, 1000}) {
                byte[] key = new byte[keyLen];
                byte[] msg = new byte[msgLen];
                r.nextBytes(key);
                r.nextBytes(msg);
                assertThat(Blake2s.hmac(key, msg)).as("key %d msg %d", keyLen, msgLen).isEqualTo(referenceHmac(key, msg));
            }
        }
    }

    @Test
    void kdfPublishedValues() {
        // values from CPython (hmac + hashlib.blake2s, HKDF written out)
        byte[] ck = Hex.of("60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36");
        byte[][] t = Kdf.kdf3(ck, Hex.seq(32));
        assertThat(Hex.str(t[0])).isEqualTo("6ff66e10ab4a55ac8144a867fcd9f8ee64d4bd6239223338cb3437cf085ab031");
        assertThat(Hex.str(t[1])).isEqualTo("203b22d63d63e35cebb9e40210cf8c1d7f90879428a4c766cda9ef34bb299398");
        assertThat(Hex.str(t[2])).isEqualTo("35a7b2fc3e4f59db341dbe588e3b75897980c463d5bbb855f8ed8134ff40133a");
        byte[][] e = Kdf.kdf2(ck, new byte[0]);
        assertThat(Hex.str(e[0])).isEqualTo("bd968725a9177942a8c2e4253d1dde31cf7b19ec001b4a3a3d141cd9d998d3ba");
        assertThat(Hex.str(e[1])).isEqualTo("aab5462b323780fa615bf80ffe469510239ff361575a663968e686a7ae41d693");
        assertThat(Kdf.kdf1(ck, Hex.seq(32))).isEqualTo(t[0]);
    }

    @Test
    void kdfMatchesReference() {
        SplittableRandom r = new SplittableRandom(9);
        for (int n = 1; n <= 3; n++) {
            for (int inLen : new int[] {0, 32, 64, 100}) {
                byte[] key = new byte[32];
                byte[] in = new byte[inLen];
                r.nextBytes(key);
                r.nextBytes(in);
                byte[][] got = Kdf.derive(n, key, in);
                byte[][] want = referenceKdf(n, key, in);
                assertThat(got).hasNumberOfRows(n);
                for (int i = 0; i < n; i++) assertThat(got[i]).as("n=%d i=%d", n, i).isEqualTo(want[i]);
            }
        }
        assertThat(Kdf.kdf2(Hex.seq(32), Hex.seq(32))[0]).isEqualTo(Kdf.kdf1(Hex.seq(32), Hex.seq(32)));
        assertThatThrownBy(() -> Kdf.derive(0, new byte[32], new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Kdf.derive(4, new byte[32], new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }

    /** Inputs split into arbitrary pieces (block-boundary handling of the buffered update). */
    @Test
    void splitInputsAgreeWithReference() {
        SplittableRandom r = new SplittableRandom(4);
        for (int len = 0; len <= 200; len++) {
            byte[] in = new byte[len];
            r.nextBytes(in);
            java.util.List<byte[]> parts = new java.util.ArrayList<>();
            for (int p = 0; p < len; ) {
                int n = Math.min(len - p, r.nextInt(80));
                parts.add(java.util.Arrays.copyOfRange(in, p, p + n));
                p += n;
            }
            assertThat(Blake2s.hash(parts.toArray(new byte[0][]))).as("len %d", len).isEqualTo(referenceHash(in));
            assertThat(Blake2s.hmac(Hex.seq(32), parts.toArray(new byte[0][]))).isEqualTo(referenceHmac(Hex.seq(32), in));
        }
    }

    /** Keyed BLAKE2s for every key length 1..32 and output 1..32 against Bouncy Castle. */
    @Test
    void keyedAgreesWithBouncyCastle() {
        SplittableRandom r = new SplittableRandom(6);
        for (int keyLen = 1; keyLen <= 32; keyLen++) {
            for (int len : new int[] {0, 1, 63, 64, 65, 128, 129, 500}) {
                int outLen = 1 + r.nextInt(32);
                byte[] key = new byte[keyLen];
                byte[] in = new byte[len];
                r.nextBytes(key);
                r.nextBytes(in);
                Blake2sDigest d = new Blake2sDigest(key, outLen, null, null);
                d.update(in, 0, len);
                byte[] want = new byte[outLen];
                d.doFinal(want, 0);
                assertThat(Blake2s.digest(outLen, key, in)).as("key %d len %d out %d", keyLen, len, outLen).isEqualTo(want);
            }
        }
        assertThatThrownBy(() -> Blake2s.digest(32, new byte[33], new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Blake2s.digest(33, null, new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hashAgreesWithReferenceForAllLengthsUpTo300() {
        SplittableRandom r = new SplittableRandom(3);
        for (int len = 0; len <= 300; len++) {
            byte[] in = new byte[len];
            r.nextBytes(in);
            assertThat(Blake2s.hash(in)).as("len %d", len).isEqualTo(referenceHash(in));
        }
    }
}
