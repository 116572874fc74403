package io.jwg.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

class Poly1305Test {

    static byte[] mac(byte[] key, byte[] msg) {
        Poly1305 p = new Poly1305();
        p.init(key, 0);
        p.updateMessage(msg, 0, msg.length);
        byte[] tag = new byte[16];
        p.finish(tag, 0);
        return tag;
    }

    static byte[] bcMac(byte[] key, byte[] msg) {
        org.bouncycastle.crypto.macs.Poly1305 p = new org.bouncycastle.crypto.macs.Poly1305();
        p.init(new KeyParameter(key));
        p.update(msg, 0, msg.length);
        byte[] tag = new byte[16];
        p.doFinal(tag, 0);
        return tag;
    }

    /** RFC 8439 section 2.5.2. */
    @Test
    void rfc8439_2_5_2() {
        byte[] key = Hex.of("85:d6:be:78:57:55:6d:33:7f:44:52:fe:42:d5:06:a8:01:03:80:8a:fb:0d:b2:fd:4a:bf:f6:af:41:49:f5:1b");
        byte[] msg = "Cryptographic Forum Research Group".getBytes(StandardCharsets.US_ASCII);
        assertThat(Hex.str(mac(key, msg))).isEqualTo(Hex.str(Hex.of("a8:06:1d:c1:30:51:36:c6:c2:2b:8b:af:0c:01:27:a9")));
    }

    /** The final reduction and carries: extreme keys and messages, checked against Bouncy Castle. */
    @Test
    void edgeCasesAgreeWithBouncyCastle() {
        byte[][] keys = {
            new byte[32],
            filled(32, 0xff),
            Hex.of("0200000000000000000000000000000000000000000000000000000000000000"),
            Hex.of("02000000000000000000000000000000ffffffffffffffffffffffffffffffff"),
            Hex.of("0100000000000000000000000000000000000000000000000000000000000000"),
            Hex.of("0100000000000000040000000000000000000000000000000000000000000000"),
            Hex.of("ffffff0ffcffff0ffcffff0ffcffff0fffffffffffffffffffffffffffffffff"), // r at its clamped maximum
        };
        byte[][] msgs = {
            new byte[0], filled(16, 0xff), filled(32, 0xff), filled(64, 0xff), filled(1024, 0xff), filled(15, 0xff),
            Hex.of("fdffffffffffffffffffffffffffffff"),
            Hex.of("ffffffffffffffffffffffffffffffff f0ffffffffffffffffffffffffffffff 11000000000000000000000000000000"),
            Hex.of("ffffffffffffffffffffffffffffffff fbfefefefefefefefefefefefefefefe 01010101010101010101010101010101"),
            Hex.of("e33594d7505e43b900000000000000003394d7505e4379cd01000000000000000000000000000000000000000000000001000000000000000000000000000000"),
            Hex.of("0200000000000000000000000000000000"),
        };
        for (byte[] k : keys) {
            for (byte[] m : msgs) {
                assertThat(Hex.str(mac(k, m))).as("key %s msg %s", Hex.str(k), Hex.str(m)).isEqualTo(Hex.str(bcMac(k, m)));
            }
        }
    }

    @Test
    void randomAgreeWithBouncyCastle() {
        SplittableRandom r = new SplittableRandom(13);
        for (int i = 0; i < 2000; i++) {
            byte[] k = new byte[32];
            r.nextBytes(k);
            byte[] m = new byte[i < 300 ? i : r.nextInt(5000)];
            if (r.nextInt(4) == 0) Arrays.fill(m, (byte) 0xff);
            else r.nextBytes(m);
            assertThat(mac(k, m)).as("len %d", m.length).isEqualTo(bcMac(k, m));
        }
    }

    static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }
}
