package io.jwg.testing;

import java.net.InetAddress;

/** Builds and checks IPv4 ICMP echo packets for tests. */
public final class IcmpPackets {
    private IcmpPackets() {}

    public static byte[] echo(InetAddress src, InetAddress dst, int type, int id, int seq, byte[] payload) {
        int icmpLen = 8 + payload.length;
        byte[] p = new byte[20 + icmpLen];
        p[0] = 0x45;
        p[2] = (byte) (p.length >>> 8);
        p[3] = (byte) p.length;
        p[8] = 64; // TTL
        p[9] = 1; // ICMP
        System.arraycopy(src.getAddress(), 0, p, 12, 4);
        System.arraycopy(dst.getAddress(), 0, p, 16, 4);
        int c = checksum(p, 0, 20);
        p[10] = (byte) (c >>> 8);
        p[11] = (byte) c;
        p[20] = (byte) type;
        p[24] = (byte) (id >>> 8);
        p[25] = (byte) id;
        p[26] = (byte) (seq >>> 8);
        p[27] = (byte) seq;
        System.arraycopy(payload, 0, p, 28, payload.length);
        c = checksum(p, 20, icmpLen);
        p[22] = (byte) (c >>> 8);
        p[23] = (byte) c;
        return p;
    }

    public static int checksum(byte[] b, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len - 1; i += 2) sum += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        if ((len & 1) != 0) sum += (b[off + len - 1] & 0xff) << 8;
        while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (int) (~sum & 0xffff);
    }
}
