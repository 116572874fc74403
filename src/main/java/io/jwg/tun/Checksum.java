package io.jwg.tun;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071) as IPv4 headers, TCP and UDP use it: the ones' complement of the
 * ones' complement sum of 16-bit big-endian words. Sums are kept unfolded in a {@code long} (8 bytes
 * at a time, as two 32-bit halves, so no carry is ever lost) and folded once at the end.
 */
final class Checksum {
    private Checksum() {}

    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    static final int PROTO_TCP = 6;
    static final int PROTO_UDP = 17;

    /** Adds {@code b[off..off+len)} to the running unfolded sum {@code initial}. */
    static long add(byte[] b, int off, int len, long initial) {
        long sum = initial;
        int i = off;
        int end = off + len;
        for (; i + 8 <= end; i += 8) {
            long v = (long) LONG_BE.get(b, i);
            sum += (v >>> 32) + (v & 0xffffffffL);
        }
        for (; i + 2 <= end; i += 2) {
            sum += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        if (i < end) {
            sum += (b[i] & 0xff) << 8;
        }
        return sum;
    }

    /** Folds an unfolded sum to 16 bits (not complemented). */
    static int fold(long sum) {
        sum = (sum >>> 32) + (sum & 0xffffffffL);
        sum = (sum >>> 32) + (sum & 0xffffffffL);
        sum = (sum >>> 16) + (sum & 0xffff);
        sum = (sum >>> 16) + (sum & 0xffff);
        sum = (sum >>> 16) + (sum & 0xffff);
        return (int) sum;
    }

    /** The finished checksum over {@code b[off..off+len)} starting from {@code initial}. */
    static int checksum(byte[] b, int off, int len, long initial) {
        return ~fold(add(b, off, len, initial)) & 0xffff;
    }

    /**
     * The unfolded pseudo-header sum of a TCP/UDP segment: source and destination addresses (4 or 16
     * bytes each, adjacent at {@code addrOff} as in both IP headers), protocol and transport length.
     */
    static long pseudoHeader(byte[] b, int addrOff, int addrLen, int protocol, int transportLength) {
        return add(b, addrOff, 2 * addrLen, protocol + transportLength);
    }

    /** The IPv4 header checksum of the header at {@code off} with length {@code ihl} (field itself zeroed first). */
    static void setIpv4HeaderChecksum(byte[] b, int off, int ihl) {
        b[off + 10] = 0;
        b[off + 11] = 0;
        int c = checksum(b, off, ihl, 0);
        b[off + 10] = (byte) (c >>> 8);
        b[off + 11] = (byte) c;
    }

    /** True if the TCP/UDP segment of the IP packet {@code b[off..off+len)} has a correct checksum. */
    static boolean transportValid(byte[] b, int off, int len, int ipHeaderLength, boolean v6, int protocol) {
        int addrOff = off + (v6 ? 8 : 12);
        int addrLen = v6 ? 16 : 4;
        int tlen = len - ipHeaderLength;
        long sum = pseudoHeader(b, addrOff, addrLen, protocol, tlen);
        return checksum(b, off + ipHeaderLength, tlen, sum) == 0;
    }
}
