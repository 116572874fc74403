package io.jwg.tun;

import static io.jwg.tun.NetworkOrder.getInt;
import static io.jwg.tun.NetworkOrder.getShort;
import static io.jwg.tun.NetworkOrder.putShort;

/**
 * Merges consecutive TCP segments of one flow from a {@link PacketBatch} into a single super-packet with
 * a virtio header asking the kernel to treat it as the segments it stands for (GRO, the reverse of
 * {@link GsoSplitter}). The kernel's TCP stack then handles one packet instead of dozens.
 *
 * <p>Segments merge only when the kernel's own GRO would merge them: same addresses and ports, same IP
 * TOS/TTL (traffic class/hop limit) and DF bit, no IP options or IPv6 extension headers, no fragments,
 * only ACK (and PSH on the last) set, the same ACK number, window and TCP options, contiguous sequence
 * numbers, every segment but the last of the first one's size, and at most 64 KB in all. Because the
 * kernel does not verify checksums of what it is told is offloaded, each merged segment's checksum is
 * verified here first; a segment that fails is written on its own and the kernel drops it. Packets
 * keep their order: only runs of adjacent packets merge.
 *
 * <p>With {@code udp} (the TUN accepted USO, kernel 6.2+), runs of UDP datagrams of one flow merge the
 * same way into one {@code GSO_UDP_L4} packet: one write(2) and one trip through the IP layer for up to
 * {@link #MAX_UDP_SEGMENTS} datagrams; the kernel cuts it up again before a socket sees it. Datagrams
 * merge only when the kernel's cutting gives back exactly the datagrams that went in: same addresses,
 * ports, TOS/TTL and DF bit (IPv6: the whole first word, flow label included, and hop limit), IPv4
 * identifications counting up by one (the kernel numbers the pieces that way), a checksum present and
 * correct, every datagram but the last of the first one's size.
 */
final class GroCoalescer {
    private static final int TCP_ACK = 0x10;
    private static final int TCP_PSH = 0x08;
    private static final int MAX_IP_LENGTH = 65535;
    private static final int UDP_HEADER = 8;
    /** The kernel's UDP_MAX_SEGMENTS on older kernels (newer ones allow 128). */
    static final int MAX_UDP_SEGMENTS = 64;

    /** Virtio header and packet, ready for write(2). */
    final byte[] out;
    /** Bytes in {@link #out} after {@link #build}. */
    int outLength;

    // the segment being examined (set by parse)
    private boolean v6;
    private int iphl;
    private int tcphl;
    private int payload;
    private long seq;
    private int flags;

    GroCoalescer() {
        out = new byte[VirtioNetHeader.LENGTH + MAX_IP_LENGTH + 64];
    }

    /**
     * Puts the next unit of the batch, starting at packet {@code from}, into {@link #out}: that packet,
     * merged with as many following ones as can be. Returns how many packets it consumed.
     */
    int build(PacketBatch batch, int from) {
        return build(batch, from, false);
    }

    /** As {@link #build(PacketBatch, int)}; with {@code udp}, UDP datagrams merge too (USO). */
    int build(PacketBatch batch, int from, boolean udp) {
        byte[] a = batch.buffers[from];
        int ao = batch.offsets[from];
        int al = batch.lengths[from];
        int h = VirtioNetHeader.LENGTH;
        System.arraycopy(a, ao, out, h, al);
        int total = al;
        int used = 1;
        if (from + 1 < batch.size && udp && parseUdp(a, ao, al)) {
            int merged = buildUdp(batch, from);
            if (merged > 1) return merged;
        } else if (from + 1 < batch.size && parse(a, ao, al)) {
            boolean headV6 = v6;
            int headIphl = iphl;
            int headTcphl = tcphl;
            int gsoSize = payload;
            int lastPayload = payload;
            long nextSeq = (seq + payload) & 0xffffffffL;
            boolean psh = (flags & TCP_PSH) != 0;
            boolean headChecked = false;
            for (int j = from + 1; j < batch.size; j++) {
                byte[] b = batch.buffers[j];
                int bo = batch.offsets[j];
                int bl = batch.lengths[j];
                if (psh || lastPayload != gsoSize) break;
                if (!parse(b, bo, bl) || v6 != headV6 || iphl != headIphl || tcphl != headTcphl) break;
                if (payload > gsoSize || seq != nextSeq) break;
                if (total + payload - (headV6 ? 40 : 0) > MAX_IP_LENGTH) break;
                if (!sameFlow(a, ao, b, bo)) break;
                if (!headChecked) {
                    if (!Checksum.transportValid(a, ao, al, headIphl, headV6, Checksum.PROTO_TCP)) break;
                    headChecked = true;
                }
                if (!Checksum.transportValid(b, bo, bl, iphl, v6, Checksum.PROTO_TCP)) break;
                System.arraycopy(b, bo + iphl + tcphl, out, h + total, payload);
                total += payload;
                lastPayload = payload;
                nextSeq = (nextSeq + payload) & 0xffffffffL;
                psh = (flags & TCP_PSH) != 0;
                used++;
            }
            if (used > 1) {
                finishMerged(headV6, headIphl, headTcphl, gsoSize, total, psh);
                outLength = h + total;
                return used;
            }
        }
        VirtioNetHeader.putPlain(out, 0);
        outLength = h + total;
        return 1;
    }

    private void finishMerged(boolean isV6, int ipHeaderLength, int tcpHeaderLength, int gsoSize, int total, boolean psh) {
        int p = VirtioNetHeader.LENGTH;
        byte[] o = out;
        setIpLength(isV6, ipHeaderLength, total);
        int t = p + ipHeaderLength;
        if (psh) o[t + 13] |= TCP_PSH;
        // CHECKSUM_PARTIAL: the field holds the pseudo-header sum, the kernel need not verify the rest.
        int pseudo = Checksum.fold(Checksum.pseudoHeader(o, p + (isV6 ? 8 : 12), isV6 ? 16 : 4,
                Checksum.PROTO_TCP, total - ipHeaderLength));
        putShort(o, t + 16, pseudo);
        VirtioNetHeader.put(o, 0, VirtioNetHeader.F_NEEDS_CSUM,
                isV6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4,
                ipHeaderLength + tcpHeaderLength, gsoSize, ipHeaderLength, 16);
    }

    /** Parses a merge candidate: a TCP segment with payload, only ACK (maybe PSH), no IP options or fragments. */
    private boolean parse(byte[] b, int o, int len) {
        if (!parseIp(b, o, len, Checksum.PROTO_TCP, 20)) return false;
        int t = o + iphl;
        tcphl = ((b[t + 12] >> 4) & 0xf) * 4;
        if (tcphl < 20 || iphl + tcphl >= len) return false;
        flags = b[t + 13] & 0xff;
        if (flags != TCP_ACK && flags != (TCP_ACK | TCP_PSH)) return false;
        if ((b[t + 12] & 0x0f) != 0) return false; // reserved/AE bits
        payload = len - iphl - tcphl;
        seq = getInt(b, t + 4);
        return true;
    }

    /**
     * Appends the UDP datagrams that follow the head (already copied to {@link #out} and parsed) as
     * long as they may merge; returns how many datagrams {@link #out} then holds (1: none merged).
     */
    private int buildUdp(PacketBatch batch, int from) {
        byte[] a = batch.buffers[from];
        int ao = batch.offsets[from];
        int al = batch.lengths[from];
        boolean headV6 = v6;
        int headIphl = iphl;
        int gsoSize = payload;
        int headId = v6 ? 0 : NetworkOrder.getShort(a, ao + 4);
        int h = VirtioNetHeader.LENGTH;
        int total = al;
        int lastPayload = gsoSize;
        int used = 1;
        for (int j = from + 1; j < batch.size && used < MAX_UDP_SEGMENTS; j++) {
            byte[] b = batch.buffers[j];
            int bo = batch.offsets[j];
            int bl = batch.lengths[j];
            if (lastPayload != gsoSize) break; // a shorter datagram ended the run
            if (!parseUdp(b, bo, bl) || v6 != headV6) break;
            if (payload > gsoSize) break;
            if (total + payload - (headV6 ? 40 : 0) > MAX_IP_LENGTH) break;
            if (!sameUdpFlow(a, ao, b, bo)) break;
            if (!headV6 && NetworkOrder.getShort(b, bo + 4) != ((headId + used) & 0xffff)) break;
            if (used == 1 && !Checksum.transportValid(a, ao, al, headIphl, headV6, Checksum.PROTO_UDP)) break;
            if (!Checksum.transportValid(b, bo, bl, headIphl, headV6, Checksum.PROTO_UDP)) break;
            System.arraycopy(b, bo + headIphl + UDP_HEADER, out, h + total, payload);
            total += payload;
            lastPayload = payload;
            used++;
        }
        if (used > 1) {
            finishMergedUdp(headV6, headIphl, gsoSize, total);
            outLength = h + total;
        }
        return used;
    }

    private void finishMergedUdp(boolean isV6, int ipHeaderLength, int gsoSize, int total) {
        int p = VirtioNetHeader.LENGTH;
        byte[] o = out;
        setIpLength(isV6, ipHeaderLength, total);
        int u = p + ipHeaderLength;
        int udpLength = total - ipHeaderLength;
        putShort(o, u + 4, udpLength);
        // CHECKSUM_PARTIAL, as for TCP; the kernel fixes length and checksum up per datagram when it cuts
        int pseudo = Checksum.fold(Checksum.pseudoHeader(o, p + (isV6 ? 8 : 12), isV6 ? 16 : 4,
                Checksum.PROTO_UDP, udpLength));
        putShort(o, u + 6, pseudo);
        VirtioNetHeader.put(o, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_UDP_L4,
                ipHeaderLength + UDP_HEADER, gsoSize, ipHeaderLength, 6);
    }

    /**
     * Parses a UDP merge candidate: no IP options, extension headers or fragments, lengths that agree,
     * a payload, and a checksum (IPv4 may send none; such a datagram is left alone).
     */
    private boolean parseUdp(byte[] b, int o, int len) {
        if (!parseIp(b, o, len, Checksum.PROTO_UDP, UDP_HEADER)) return false;
        int u = o + iphl;
        if (getShort(b, u + 4) != len - iphl) return false;
        if (b[u + 6] == 0 && b[u + 7] == 0) return false; // no checksum
        payload = len - iphl - UDP_HEADER;
        return payload > 0;
    }

    /** Same addresses, ports and the IP fields a datagram's pieces share (b already parsed). */
    /**
     * Parses the IP header of a merge candidate that carries {@code protocol} with at least
     * {@code minTransportHeader} bytes after it: IPv4 without options or fragments, or IPv6 without
     * extension headers, with a length field that agrees with {@code len}. Sets {@link #v6} and {@link #iphl}.
     */
    private boolean parseIp(byte[] b, int o, int len, int protocol, int minTransportHeader) {
        if (len < 20 + minTransportHeader) return false;
        int version = (b[o] >> 4) & 0xf;
        if (version == 4) {
            if ((b[o] & 0xf) != 5 || b[o + 9] != protocol) return false;
            if (getShort(b, o + 2) != len) return false;
            if ((b[o + 6] & 0x3f) != 0 || b[o + 7] != 0) return false; // MF or a fragment offset
            v6 = false;
            iphl = 20;
        } else if (version == 6) {
            if (len < 40 + minTransportHeader || b[o + 6] != protocol) return false;
            if (getShort(b, o + 4) != len - 40) return false;
            v6 = true;
            iphl = 40;
        } else {
            return false;
        }
        return true;
    }

    /** The merged packet's IP length field (and, for IPv4, its header checksum), for {@code total} bytes of IP packet. */
    private void setIpLength(boolean isV6, int ipHeaderLength, int total) {
        int p = VirtioNetHeader.LENGTH;
        if (isV6) {
            putShort(out, p + 4, total - 40);
        } else {
            putShort(out, p + 2, total);
            Checksum.setIpv4HeaderChecksum(out, p, ipHeaderLength);
        }
    }

    private boolean sameUdpFlow(byte[] a, int ao, byte[] b, int bo) {
        if (v6) {
            if (!equal(a, ao, b, bo, 4) || a[ao + 7] != b[bo + 7]) return false; // version, class, flow label; hop limit
            if (!equal(a, ao + 8, b, bo + 8, 32)) return false;
        } else {
            if (a[ao + 1] != b[bo + 1] || ((a[ao + 6] ^ b[bo + 6]) & 0xe0) != 0 || a[ao + 8] != b[bo + 8]) return false;
            if (!equal(a, ao + 12, b, bo + 12, 8)) return false;
        }
        return equal(a, ao + iphl, b, bo + iphl, 4); // ports
    }

    /** Same flow and same everything the kernel's GRO compares (b already parsed with a's lengths). */
    private boolean sameFlow(byte[] a, int ao, byte[] b, int bo) {
        if (v6) {
            if (a[ao] != b[bo] || ((a[ao + 1] ^ b[bo + 1]) & 0xf0) != 0 || a[ao + 7] != b[bo + 7]) return false;
            if (!equal(a, ao + 8, b, bo + 8, 32)) return false;
        } else {
            if (a[ao + 1] != b[bo + 1] || ((a[ao + 6] ^ b[bo + 6]) & 0xe0) != 0 || a[ao + 8] != b[bo + 8]) return false;
            if (!equal(a, ao + 12, b, bo + 12, 8)) return false;
        }
        int ta = ao + iphl;
        int tb = bo + iphl;
        return equal(a, ta, b, tb, 4) // ports
                && equal(a, ta + 8, b, tb + 8, 4) // ACK number
                && equal(a, ta + 14, b, tb + 14, 2) // window
                && equal(a, ta + 20, b, tb + 20, tcphl - 20); // options
    }

    private static boolean equal(byte[] a, int ao, byte[] b, int bo, int n) {
        return java.util.Arrays.equals(a, ao, ao + n, b, bo, bo + n);
    }
}
