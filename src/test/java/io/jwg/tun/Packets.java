package io.jwg.tun;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Crafting and inspecting raw IPv4/IPv6 packets for TUN tests. */
final class Packets {
    private Packets() {}

    static int version(byte[] p, int off) {
        return (p[off] & 0xff) >>> 4;
    }

    /** IPv4 protocol or IPv6 next header (no extension-header walking). */
    static int protocol(byte[] p, int off) {
        return version(p, off) == 4 ? p[off + 9] & 0xff : p[off + 6] & 0xff;
    }

    static int headerLength(byte[] p, int off) {
        return version(p, off) == 4 ? (p[off] & 0x0f) * 4 : 40;
    }

    static InetAddress src(byte[] p, int off) {
        return version(p, off) == 4 ? addr(p, off + 12, 4) : addr(p, off + 8, 16);
    }

    static InetAddress dst(byte[] p, int off) {
        return version(p, off) == 4 ? addr(p, off + 16, 4) : addr(p, off + 24, 16);
    }

    private static InetAddress addr(byte[] p, int off, int len) {
        try {
            return InetAddress.getByAddress(java.util.Arrays.copyOfRange(p, off, off + len));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** One's-complement sum of 16-bit big-endian words. */
    static long sum(byte[] b, int off, int len, long acc) {
        int i = 0;
        for (; i + 1 < len; i += 2) {
            acc += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        }
        if (i < len) {
            acc += (b[off + i] & 0xff) << 8;
        }
        return acc;
    }

    static int fold(long acc) {
        while ((acc >>> 16) != 0) {
            acc = (acc & 0xffff) + (acc >>> 16);
        }
        return (int) (~acc & 0xffff);
    }

    static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    static int get16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    /** An IPv4/UDP packet with valid IP and UDP checksums. */
    static byte[] udp4(InetAddress src, int sport, InetAddress dst, int dport, byte[] payload) {
        int len = 20 + 8 + payload.length;
        byte[] p = new byte[len];
        p[0] = 0x45;
        put16(p, 2, len);
        put16(p, 4, 0x1234);
        p[6] = 0x40; // DF
        p[8] = 64;
        p[9] = 17;
        System.arraycopy(src.getAddress(), 0, p, 12, 4);
        System.arraycopy(dst.getAddress(), 0, p, 16, 4);
        put16(p, 10, fold(sum(p, 0, 20, 0)));
        put16(p, 20, sport);
        put16(p, 22, dport);
        put16(p, 24, 8 + payload.length);
        System.arraycopy(payload, 0, p, 28, payload.length);
        long pseudo = sum(p, 12, 8, 0) + 17 + 8 + payload.length;
        int c = fold(sum(p, 20, 8 + payload.length, pseudo));
        put16(p, 26, c == 0 ? 0xffff : c);
        return p;
    }

    /** Turns an IPv4 ICMP echo request (as read from the TUN) into the matching echo reply. */
    static byte[] echoReply4(byte[] req, int len) {
        byte[] p = java.util.Arrays.copyOf(req, len);
        int hl = headerLength(p, 0);
        for (int i = 0; i < 4; i++) { // swap addresses; the header checksum is unchanged
            byte t = p[12 + i];
            p[12 + i] = p[16 + i];
            p[16 + i] = t;
        }
        p[hl] = 0; // echo reply
        put16(p, hl + 2, 0);
        put16(p, hl + 2, fold(sum(p, hl, len - hl, 0)));
        return p;
    }

    /** An IPv4 ICMP echo request with valid checksums and {@code dataLen} bytes of payload. */
    static byte[] echoRequest4(InetAddress src, InetAddress dst, int id, int seq, int dataLen) {
        int len = 20 + 8 + dataLen;
        byte[] p = new byte[len];
        p[0] = 0x45;
        put16(p, 2, len);
        p[8] = 64;
        p[9] = 1;
        System.arraycopy(src.getAddress(), 0, p, 12, 4);
        System.arraycopy(dst.getAddress(), 0, p, 16, 4);
        put16(p, 10, fold(sum(p, 0, 20, 0)));
        p[20] = 8;
        put16(p, 24, id);
        put16(p, 26, seq);
        for (int i = 0; i < dataLen; i++) {
            p[28 + i] = (byte) i;
        }
        put16(p, 22, fold(sum(p, 20, 8 + dataLen, 0)));
        return p;
    }
}
