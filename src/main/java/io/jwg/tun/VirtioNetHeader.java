package io.jwg.tun;

/**
 * The 10-byte {@code struct virtio_net_hdr} that precedes every packet on a TUN descriptor opened with
 * {@code IFF_VNET_HDR}. It tells the reader that the kernel handed over a TCP super-packet to be cut
 * into segments (TSO) or that a checksum is still to be computed, and lets a writer hand the kernel a
 * super-packet it merged itself (GRO). Fields are in host byte order (little-endian on the platforms
 * jwg runs on).
 */
final class VirtioNetHeader {
    private VirtioNetHeader() {}

    static final int LENGTH = 10;

    static final int F_NEEDS_CSUM = 1;

    static final int GSO_NONE = 0;
    static final int GSO_TCPV4 = 1;
    static final int GSO_UDP = 3;
    static final int GSO_TCPV6 = 4;
    static final int GSO_UDP_L4 = 5;
    static final int GSO_ECN = 0x80;

    // offsets of the fields
    static final int FLAGS = 0;
    static final int GSO_TYPE = 1;
    static final int HDR_LEN = 2;
    static final int GSO_SIZE = 4;
    static final int CSUM_START = 6;
    static final int CSUM_OFFSET = 8;

    static int getShort(byte[] b, int off) {
        return (b[off] & 0xff) | ((b[off + 1] & 0xff) << 8);
    }

    static void putShort(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }

    /** Writes a header meaning "a plain packet, checksums already complete". */
    static void putPlain(byte[] b, int off) {
        for (int i = 0; i < LENGTH; i++) b[off + i] = 0;
    }

    static void put(byte[] b, int off, int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
        b[off + FLAGS] = (byte) flags;
        b[off + GSO_TYPE] = (byte) gsoType;
        putShort(b, off + HDR_LEN, hdrLen);
        putShort(b, off + GSO_SIZE, gsoSize);
        putShort(b, off + CSUM_START, csumStart);
        putShort(b, off + CSUM_OFFSET, csumOffset);
    }
}
