package io.jwg.tun;

import static io.jwg.tun.Packets.fold;
import static io.jwg.tun.Packets.get16;
import static io.jwg.tun.Packets.put16;
import static io.jwg.tun.Packets.sum;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** TSO splitting and GRO merging on crafted packets, checked against a naive checksum, without a TUN device. */
class OffloadTest {
    private static final int ACK = 0x10;
    private static final int PSH = 0x08;
    private final Random random = new Random(42);

    // ------------------------------------------------------------------ crafting

    /** A TCP segment with valid checksums: IPv4 (id = ipId) or IPv6, 12 bytes of options (timestamps). */
    static byte[] tcp(boolean v6, long seq, int ipId, int flags, byte[] payload, int payloadOff, int payloadLen) {
        int iphl = v6 ? 40 : 20;
        int tcphl = 32;
        int len = iphl + tcphl + payloadLen;
        byte[] p = new byte[len];
        if (v6) {
            p[0] = 0x60;
            put16(p, 4, len - 40);
            p[6] = 6;
            p[7] = 64;
            byte[] src = {(byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
            byte[] dst = src.clone();
            dst[15] = 2;
            System.arraycopy(src, 0, p, 8, 16);
            System.arraycopy(dst, 0, p, 24, 16);
        } else {
            p[0] = 0x45;
            put16(p, 2, len);
            put16(p, 4, ipId);
            p[6] = 0x40;
            p[8] = 64;
            p[9] = 6;
            p[12] = 10; p[13] = 9; p[14] = 0; p[15] = 1;
            p[16] = 10; p[17] = 9; p[18] = 0; p[19] = 2;
            put16(p, 10, fold(sum(p, 0, 20, 0)));
        }
        int t = iphl;
        put16(p, t, 40000);
        put16(p, t + 2, 5201);
        p[t + 4] = (byte) (seq >>> 24); p[t + 5] = (byte) (seq >>> 16); p[t + 6] = (byte) (seq >>> 8); p[t + 7] = (byte) seq;
        p[t + 8] = 0x11; p[t + 9] = 0x22; p[t + 10] = 0x33; p[t + 11] = 0x44; // ack
        p[t + 12] = (byte) ((tcphl / 4) << 4);
        p[t + 13] = (byte) flags;
        put16(p, t + 14, 502);
        p[t + 20] = 1; p[t + 21] = 1; p[t + 22] = 8; p[t + 23] = 10; // NOP NOP TS
        for (int i = 24; i < 32; i++) p[t + i] = (byte) i;
        System.arraycopy(payload, payloadOff, p, t + tcphl, payloadLen);
        setTcpChecksum(p, v6);
        return p;
    }

    static void setTcpChecksum(byte[] p, boolean v6) {
        int iphl = v6 ? 40 : 20;
        put16(p, iphl + 16, 0);
        long pseudo = (v6 ? sum(p, 8, 32, 0) : sum(p, 12, 8, 0)) + 6 + (p.length - iphl);
        put16(p, iphl + 16, fold(sum(p, iphl, p.length - iphl, pseudo)));
    }

    static boolean tcpValid(byte[] p, boolean v6) {
        int iphl = v6 ? 40 : 20;
        long pseudo = (v6 ? sum(p, 8, 32, 0) : sum(p, 12, 8, 0)) + 6 + (p.length - iphl);
        return fold(sum(p, iphl, p.length - iphl, pseudo)) == 0;
    }

    /** The segments a sender would put on the wire for {@code data}, PSH on the last. */
    List<byte[]> stream(boolean v6, byte[] data, int mss, long seq0) {
        List<byte[]> out = new ArrayList<>();
        for (int off = 0, i = 0; off < data.length; off += mss, i++) {
            int n = Math.min(mss, data.length - off);
            boolean last = off + n == data.length;
            out.add(tcp(v6, seq0 + off, 7000 + i, last ? ACK | PSH : ACK, data, off, n));
        }
        return out;
    }

    static PacketBatch batchOf(List<byte[]> packets) {
        PacketBatch b = new PacketBatch(64);
        for (byte[] p : packets) {
            // put each packet at an odd offset in a bigger buffer, as the device does
            byte[] buf = new byte[p.length + 37];
            System.arraycopy(p, 0, buf, 16, p.length);
            b.add(buf, 16, p.length);
        }
        return b;
    }

    /** Everything the splitter makes of the coalescer's current output. */
    static List<byte[]> split(byte[] unit, int length) {
        GsoSplitter sp = new GsoSplitter(VirtioNetHeader.LENGTH + 65536 + 64);
        System.arraycopy(unit, 0, sp.in, 0, length);
        List<byte[]> out = new ArrayList<>();
        if (!sp.load(length)) return out;
        byte[] buf = new byte[2000];
        while (sp.hasNext()) {
            int n = sp.next(buf, 3, 1997);
            assertThat(n).isPositive();
            out.add(Arrays.copyOfRange(buf, 3, 3 + n));
        }
        return out;
    }

    // ------------------------------------------------------------------ checksum

    @Test
    void checksumMatchesTheTextbookExampleAndANaiveSum() {
        byte[] h = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0, 0,
            (byte) 0xc0, (byte) 0xa8, 0x00, 0x01, (byte) 0xc0, (byte) 0xa8, 0x00, (byte) 0xc7};
        Checksum.setIpv4HeaderChecksum(h, 0, 20);
        assertThat(get16(h, 10)).isEqualTo(0xb861);
        for (int i = 0; i < 2000; i++) {
            int len = random.nextInt(1600);
            byte[] b = new byte[len + 5];
            random.nextBytes(b);
            int off = random.nextInt(5);
            long initial = random.nextInt(1 << 20);
            assertThat(Checksum.checksum(b, off, len, initial)).isEqualTo(fold(sum(b, off, len, initial)));
        }
    }

    // ------------------------------------------------------------------ GRO then TSO: a round trip

    @Test
    void mergesAWholeBurstAndSplittingGivesBackTheSamePackets() {
        for (boolean v6 : new boolean[] {false, true}) {
            byte[] data = new byte[40 * 1368 + 500];
            random.nextBytes(data);
            List<byte[]> segs = stream(v6, data, 1368, 0xfffff000L); // the sequence number wraps inside the burst
            PacketBatch batch = batchOf(segs);
            GroCoalescer c = new GroCoalescer();
            int used = c.build(batch, 0);
            assertThat(used).as("v6=%s", v6).isEqualTo(41);
            byte[] o = c.out;
            int iphl = v6 ? 40 : 20;
            assertThat(o[VirtioNetHeader.FLAGS]).isEqualTo((byte) VirtioNetHeader.F_NEEDS_CSUM);
            assertThat(o[VirtioNetHeader.GSO_TYPE]).isEqualTo((byte) (v6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4));
            assertThat(VirtioNetHeader.getShort(o, VirtioNetHeader.GSO_SIZE)).isEqualTo(1368);
            assertThat(VirtioNetHeader.getShort(o, VirtioNetHeader.HDR_LEN)).isEqualTo(iphl + 32);
            assertThat(VirtioNetHeader.getShort(o, VirtioNetHeader.CSUM_START)).isEqualTo(iphl);
            assertThat(VirtioNetHeader.getShort(o, VirtioNetHeader.CSUM_OFFSET)).isEqualTo(16);
            int total = c.outLength - VirtioNetHeader.LENGTH;
            assertThat(total).isEqualTo(iphl + 32 + data.length);
            byte[] merged = Arrays.copyOfRange(o, VirtioNetHeader.LENGTH, c.outLength);
            if (v6) {
                assertThat(get16(merged, 4)).isEqualTo(total - 40);
            } else {
                assertThat(get16(merged, 2)).isEqualTo(total);
                assertThat(fold(sum(merged, 0, 20, 0))).isZero();
            }
            assertThat(merged[iphl + 13] & 0xff).isEqualTo(ACK | PSH);
            assertThat(Arrays.copyOfRange(merged, iphl + 32, total)).isEqualTo(data);
            // the checksum field holds the pseudo-header sum (CHECKSUM_PARTIAL)
            long pseudo = (v6 ? sum(merged, 8, 32, 0) : sum(merged, 12, 8, 0)) + 6 + (total - iphl);
            assertThat(get16(merged, iphl + 16)).isEqualTo(~fold(pseudo) & 0xffff);

            List<byte[]> back = split(o, c.outLength);
            assertThat(back).hasSameSizeAs(segs);
            for (int i = 0; i < segs.size(); i++) {
                assertThat(back.get(i)).as("segment %d v6=%s", i, v6).isEqualTo(segs.get(i));
                assertThat(tcpValid(back.get(i), v6)).isTrue();
            }
        }
    }

    @Test
    void aPacketThatCannotMergeIsWrittenPlainAndEndsTheRun() {
        byte[] data = new byte[6 * 1000];
        random.nextBytes(data);
        List<byte[]> segs = stream(false, data, 1000, 1000);
        // segment 3 has a different destination port: runs [0..2], [3], [4..5]
        put16(segs.get(3), 22, 5202);
        setTcpChecksum(segs.get(3), false);
        assertThat(runs(segs)).containsExactly(3, 1, 2);
    }

    @Test
    void sequenceGapsPshCorruptionAndSizeChangesStopMerging() {
        byte[] data = new byte[8 * 1000];
        random.nextBytes(data);

        List<byte[]> gap = stream(false, data, 1000, 5000);
        gap.remove(2); // a lost segment
        assertThat(runs(gap)).containsExactly(2, 5);

        List<byte[]> push = stream(false, data, 1000, 5000);
        push.get(1)[20 + 13] = (byte) (ACK | PSH);
        setTcpChecksum(push.get(1), false);
        assertThat(runs(push)).containsExactly(2, 6);

        List<byte[]> bad = stream(false, data, 1000, 5000);
        bad.get(4)[100] ^= 1; // payload corrupted, checksum now wrong
        assertThat(runs(bad)).containsExactly(4, 1, 3); // the bad one is never merged, so the kernel checks (and drops) it
        GroCoalescer c = new GroCoalescer();
        PacketBatch b = batchOf(bad);
        c.build(b, 0);
        int used = c.build(b, 4);
        assertThat(c.out[VirtioNetHeader.FLAGS]).isZero();
        assertThat(used).isEqualTo(1);

        List<byte[]> shrink = new ArrayList<>(stream(false, data, 1000, 5000).subList(0, 3));
        shrink.add(tcp(false, 5000 + 3000, 7003, ACK, data, 0, 600)); // shorter: may end a run
        shrink.add(tcp(false, 5000 + 3600, 7004, ACK, data, 0, 600)); // nothing may follow a short one
        assertThat(runs(shrink)).containsExactly(4, 1);

        List<byte[]> grow = new ArrayList<>(stream(false, data, 1000, 5000).subList(0, 2));
        grow.add(tcp(false, 5000 + 2000, 7002, ACK, data, 0, 1200)); // longer than the first: new run
        assertThat(runs(grow)).containsExactly(2, 1);
    }

    @Test
    void nonTcpAndSynPacketsPassThroughUnchanged() {
        List<byte[]> mixed = new ArrayList<>();
        mixed.add(Packets.udp4(addr("10.9.0.1"), 1, addr("10.9.0.2"), 2, new byte[100]));
        mixed.add(tcp(false, 1, 1, 0x02, new byte[0], 0, 0)); // SYN
        mixed.add(tcp(false, 1, 1, ACK, new byte[0], 0, 0)); // pure ACK: no payload
        mixed.add(Packets.echoRequest4(addr("10.9.0.1"), addr("10.9.0.2"), 1, 1, 56));
        PacketBatch b = batchOf(mixed);
        GroCoalescer c = new GroCoalescer();
        for (int i = 0; i < mixed.size(); i++) {
            assertThat(c.build(b, i)).isEqualTo(1);
            assertThat(Arrays.copyOfRange(c.out, 0, VirtioNetHeader.LENGTH)).containsOnly(0);
            assertThat(Arrays.copyOfRange(c.out, VirtioNetHeader.LENGTH, c.outLength)).isEqualTo(mixed.get(i));
        }
    }

    @Test
    void neverBuildsMoreThan64Kilobytes() {
        byte[] data = new byte[60 * 1400];
        random.nextBytes(data);
        List<byte[]> segs = stream(false, data, 1400, 1);
        int[] r = runs(segs);
        assertThat(Arrays.stream(r).sum()).isEqualTo(60);
        assertThat(r[0]).isEqualTo((65535 - 52) / 1400);
    }

    private int[] runs(List<byte[]> segs) {
        PacketBatch b = batchOf(segs);
        GroCoalescer c = new GroCoalescer();
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < b.size(); ) {
            int used = c.build(b, i);
            // whatever was built splits back into exactly the packets it consumed
            List<byte[]> back = used == 1
                    ? List.of(Arrays.copyOfRange(c.out, VirtioNetHeader.LENGTH, c.outLength))
                    : split(c.out, c.outLength);
            assertThat(back).hasSize(used);
            for (int k = 0; k < used; k++) assertThat(back.get(k)).isEqualTo(segs.get(i + k));
            out.add(used);
            i += used;
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    // ------------------------------------------------------------------ TSO as the kernel hands it over

    @Test
    void splitsAKernelSuperPacketIgnoringItsHeaderLength() {
        byte[] data = new byte[30000];
        random.nextBytes(data);
        List<byte[]> expected = stream(false, data, 1368, 77);
        // the kernel's super-packet: the first segment's headers with the whole payload, partial checksum
        byte[] head = expected.get(0);
        int total = 52 + data.length;
        byte[] in = new byte[VirtioNetHeader.LENGTH + total];
        System.arraycopy(head, 0, in, VirtioNetHeader.LENGTH, 52);
        System.arraycopy(data, 0, in, VirtioNetHeader.LENGTH + 52, data.length);
        int p = VirtioNetHeader.LENGTH;
        put16(in, p + 2, total);
        in[p + 20 + 13] = (byte) (ACK | PSH);
        put16(in, p + 20 + 16, ~fold(sum(in, p + 12, 8, 0) + 6 + (total - 20)) & 0xffff);
        VirtioNetHeader.put(in, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4,
                total /* a bogus hdr_len, as on the forward path */, 1368, 20, 16);
        List<byte[]> back = split(in, in.length);
        assertThat(back).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) assertThat(back.get(i)).as("segment %d", i).isEqualTo(expected.get(i));
    }

    @Test
    void completesAPartialChecksumOnAPlainPacket() {
        byte[] udp = Packets.udp4(addr("10.9.0.1"), 1000, addr("10.9.0.2"), 53, "hello offload".getBytes());
        int expected = get16(udp, 26);
        byte[] in = new byte[VirtioNetHeader.LENGTH + udp.length];
        System.arraycopy(udp, 0, in, VirtioNetHeader.LENGTH, udp.length);
        int p = VirtioNetHeader.LENGTH;
        put16(in, p + 26, ~fold(sum(udp, 12, 8, 0) + 17 + (udp.length - 20)) & 0xffff);
        VirtioNetHeader.put(in, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 0, 0, 20, 6);
        List<byte[]> back = split(in, in.length);
        assertThat(back).hasSize(1);
        assertThat(get16(back.get(0), 26)).isEqualTo(expected);
        assertThat(back.get(0)).isEqualTo(udp);
    }

    @Test
    void rejectsHeadersThatDoNotDescribeThePacket() {
        byte[] seg = tcp(false, 1, 1, ACK, new byte[3000], 0, 3000);
        byte[] in = new byte[VirtioNetHeader.LENGTH + seg.length];
        System.arraycopy(seg, 0, in, VirtioNetHeader.LENGTH, seg.length);
        GsoSplitter sp = new GsoSplitter(in.length);
        VirtioNetHeader.put(in, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV6, 52, 1000, 20, 16); // v6 type, v4 packet
        System.arraycopy(in, 0, sp.in, 0, in.length);
        assertThat(sp.load(in.length)).isFalse();
        VirtioNetHeader.put(in, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 52, 1000, 20, 600); // checksum past the header
        System.arraycopy(in, 0, sp.in, 0, in.length);
        assertThat(sp.load(in.length)).isFalse();
        VirtioNetHeader.put(in, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 52, 0, 20, 16); // gso_size 0
        System.arraycopy(in, 0, sp.in, 0, in.length);
        assertThat(sp.load(in.length)).isFalse();
        assertThat(sp.load(5)).isFalse();
    }

    private static java.net.InetAddress addr(String s) {
        try {
            return java.net.InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
