package io.jwg.tun;

import static io.jwg.tun.NetworkOrder.getInt;
import static io.jwg.tun.NetworkOrder.getShort;
import static io.jwg.tun.NetworkOrder.putInt;
import static io.jwg.tun.NetworkOrder.putShort;

/**
 * Cuts what a TUN device with TSO enabled hands over (a virtio header, then an IP packet of up to 64 KB)
 * into the packets that would have been on the wire without offload: per segment the IP header with
 * its length (and, for IPv4, identification and header checksum) fixed up, the TCP header with the
 * sequence number advanced and FIN/PSH only on the last segment (UDP: the length fixed), and a
 * complete transport checksum. A plain packet whose checksum the kernel left to us
 * ({@code NEEDS_CSUM}) gets it computed. One instance per reading thread: it keeps the super-packet
 * between calls so the caller can take the segments one at a time.
 */
final class GsoSplitter {
    private static final int TCP_FIN = 0x01;
    private static final int TCP_PSH = 0x08;
    private static final int TCP_CWR = 0x80;

    /** The packet as read, virtio header first. */
    final byte[] in;
    private int inLength;

    private boolean pending;
    private boolean v6;
    private int protocol;
    private int ipHeaderLength;
    private int headersLength;
    private int gsoSize;
    private int csumAt;
    private int nextData;
    private int index;

    GsoSplitter(int capacity) {
        in = new byte[capacity];
    }

    /** True while segments of the last super-packet are still to be taken. */
    boolean hasNext() {
        return pending;
    }

    /**
     * Takes the {@code length} bytes read into {@link #in} (virtio header included). Returns false if
     * they do not form a packet that can be handled (it is then dropped: a kernel bug or an offload
     * this class was not asked for).
     */
    boolean load(int length) {
        pending = false;
        if (length <= VirtioNetHeader.LENGTH) return false;
        byte[] b = in;
        int flags = b[VirtioNetHeader.FLAGS] & 0xff;
        int gsoType = b[VirtioNetHeader.GSO_TYPE] & 0xff & ~VirtioNetHeader.GSO_ECN;
        int csumStart = VirtioNetHeader.getShort(b, VirtioNetHeader.CSUM_START);
        int csumOffset = VirtioNetHeader.getShort(b, VirtioNetHeader.CSUM_OFFSET);
        int p = VirtioNetHeader.LENGTH;
        int n = length - p;
        inLength = length;
        int version = (b[p] >> 4) & 0xf;
        if (gsoType == VirtioNetHeader.GSO_NONE) {
            if ((flags & VirtioNetHeader.F_NEEDS_CSUM) != 0) {
                if (csumStart + csumOffset + 2 > n) return false;
                completeChecksum(b, p + csumStart, n - csumStart, p + csumStart + csumOffset, csumOffset == 6);
            }
            single();
            return true;
        }
        v6 = version == 6;
        if (version == 4) {
            if (gsoType != VirtioNetHeader.GSO_TCPV4 && gsoType != VirtioNetHeader.GSO_UDP_L4) return false;
        } else if (version == 6) {
            if (gsoType != VirtioNetHeader.GSO_TCPV6 && gsoType != VirtioNetHeader.GSO_UDP_L4) return false;
        } else {
            return false;
        }
        protocol = gsoType == VirtioNetHeader.GSO_UDP_L4 ? Checksum.PROTO_UDP : Checksum.PROTO_TCP;
        ipHeaderLength = csumStart;
        if (ipHeaderLength < (v6 ? 40 : 20)) return false;
        // The kernel's hdr_len is not trusted (on the forward path it can span the whole first packet).
        int transportHeader;
        if (protocol == Checksum.PROTO_UDP) {
            transportHeader = 8;
        } else {
            if (ipHeaderLength + 13 > n) return false;
            transportHeader = ((b[p + ipHeaderLength + 12] >> 4) & 0xf) * 4;
            if (transportHeader < 20) return false;
        }
        headersLength = ipHeaderLength + transportHeader;
        gsoSize = VirtioNetHeader.getShort(b, VirtioNetHeader.GSO_SIZE);
        csumAt = ipHeaderLength + csumOffset;
        if (headersLength > n || csumAt + 2 > headersLength || gsoSize == 0) return false;
        nextData = headersLength;
        index = 0;
        pending = headersLength < n;
        return pending;
    }

    private void single() {
        v6 = false;
        protocol = 0;
        gsoSize = 0;
        nextData = -1;
        pending = true;
    }

    /**
     * Copies the next packet to {@code out[off..]} and returns its length. A plain packet longer than
     * {@code max} is truncated; a segment longer than {@code max} (never, with the interface MTU as max)
     * is skipped and -1 returned.
     */
    int next(byte[] out, int off, int max) {
        byte[] b = in;
        int p = VirtioNetHeader.LENGTH;
        int n = inLength - p;
        if (nextData < 0) { // a plain packet
            pending = false;
            int k = Math.min(n, max); // truncated, as a plain read(2) would
            System.arraycopy(b, p, out, off, k);
            return k;
        }
        int dataEnd = Math.min(nextData + gsoSize, n);
        int dataLength = dataEnd - nextData;
        int total = headersLength + dataLength;
        boolean last = dataEnd == n;
        int i = index++;
        int start = nextData;
        nextData = dataEnd;
        pending = !last;
        if (total > max) return -1;

        System.arraycopy(b, p, out, off, headersLength);
        System.arraycopy(b, p + start, out, off + headersLength, dataLength);
        if (v6) {
            putShort(out, off + 4, total - 40);
        } else {
            putShort(out, off + 2, total);
            putShort(out, off + 4, getShort(b, p + 4) + i);
            Checksum.setIpv4HeaderChecksum(out, off, ipHeaderLength);
        }
        int t = off + ipHeaderLength;
        if (protocol == Checksum.PROTO_TCP) {
            long seq = getInt(b, p + ipHeaderLength + 4) + (long) gsoSize * i;
            putInt(out, t + 4, (int) seq);
            int flags = out[t + 13] & 0xff;
            if (!last) flags &= ~(TCP_FIN | TCP_PSH);
            if (i > 0) flags &= ~TCP_CWR;
            out[t + 13] = (byte) flags;
        } else {
            putShort(out, t + 4, total - ipHeaderLength);
        }
        int ck = off + csumAt;
        out[ck] = 0;
        out[ck + 1] = 0;
        int addrOff = off + (v6 ? 8 : 12);
        long sum = Checksum.pseudoHeader(out, addrOff, v6 ? 16 : 4, protocol, total - ipHeaderLength);
        int c = Checksum.checksum(out, t, total - ipHeaderLength, sum);
        if (c == 0 && protocol == Checksum.PROTO_UDP) c = 0xffff; // UDP: zero means "no checksum"
        putShort(out, ck, c);
        return total;
    }

    /**
     * Finishes a checksum the kernel left partial: the field at {@code at} holds the pseudo-header sum,
     * and the checksum covers {@code b[start..start+length)}. For UDP (checksum field at offset 6) a
     * result of zero is sent as 0xffff, since zero means "no checksum" there.
     */
    static void completeChecksum(byte[] b, int start, int length, int at, boolean udp) {
        long initial = getShort(b, at);
        b[at] = 0;
        b[at + 1] = 0;
        int c = Checksum.checksum(b, start, length, initial);
        putShort(b, at, c == 0 && udp ? 0xffff : c);
    }
}
