package io.jwg.crypto;

/**
 * The whitepaper's KDF_n(key, input): HKDF (RFC 5869) with HMAC-BLAKE2s and an empty info string,
 * returning n 32-byte outputs.
 */
public final class Kdf {
    private Kdf() {}

    public static byte[][] derive(int n, byte[] key, byte[] input) {
        if (n < 1 || n > 3) throw new IllegalArgumentException("n must be 1..3");
        byte[] prk = Blake2s.hmac(key, input);
        byte[][] out = new byte[n][];
        byte[] prev = new byte[0];
        for (int i = 0; i < n; i++) {
            prev = Blake2s.hmac(prk, prev, new byte[] {(byte) (i + 1)});
            out[i] = prev;
        }
        Bytes.wipe(prk);
        return out;
    }

    public static byte[] kdf1(byte[] key, byte[] input) {
        return derive(1, key, input)[0];
    }

    public static byte[][] kdf2(byte[] key, byte[] input) {
        return derive(2, key, input);
    }

    public static byte[][] kdf3(byte[] key, byte[] input) {
        return derive(3, key, input);
    }
}
