package io.jwg.crypto;

import java.util.HexFormat;

/** Test helper: hex with spaces, colons and newlines allowed (as the RFCs print it). */
public final class Hex {
    private Hex() {}

    public static byte[] of(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("[\\s:]", ""));
    }

    public static String str(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** 00 01 02 ... (n-1), each byte modulo 256. */
    public static byte[] seq(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) i;
        return b;
    }
}
