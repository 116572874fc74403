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

/**
 * UDP segmentation offload without a TUN device: datagrams merged into one GSO_UDP_L4 packet (USO on
 * write) and such packets cut up again (as the kernel hands them over on read, and as it cuts our merged
 * ones before a socket sees them). The splitter does what the kernel does, so a merge is only right if
 * splitting it gives back exactly the datagrams that went in.
 */
class UdpOffloadTest {
    private final Random random = new Random(7);

    /** A UDP datagram with valid checksums: IPv4 (identification ipId) or IPv6 (flow label 0x12345). */
    static byte[] udp(boolean v6, int ipId, int dport, byte[] payload, int off, int len) {
        int iphl = v6 ? 40 : 20;
        int total = iphl + 8 + len;
        byte[] p = new byte[total];
        if (v6) {
            p[0] = 0x60;
            p[1] = 0x01;
            p[2] = 0x23;
            p[3] = 0x45;
            put16(p, 4, total - 40);
            p[6] = 17;
            p[7] = 64;
            p[8] = (byte) 0xfd;
            p[23] = 1;
            p[24] = (byte) 0xfd;
            p[39] = 2;
        } else {
            p[0] = 0x45;
            put16(p, 2, total);
            put16(p, 4, ipId);
            p[6] = 0x40;
            p[8] = 64;
            p[9] = 17;
            p[12] = 10; p[13] = 9; p[14] = 0; p[15] = 1;
            p[16] = 10; p[17] = 9; p[18] = 0; p[19] = 2;
            put16(p, 10, fold(sum(p, 0, 20, 0)));
        }
        put16(p, iphl, 40001);
        put16(p, iphl + 2, dport);
        put16(p, iphl + 4, total - iphl);
        System.arraycopy(payload, off, p, iphl + 8, len);
        setUdpChecksum(p, v6);
        return p;
    }

    static void setUdpChecksum(byte[] p, boolean v6) {
        int iphl = v6 ? 40 : 20;
        put16(p, iphl + 6, 0);
        long pseudo = (v6 ? sum(p, 8, 32, 0) : sum(p, 12, 8, 0)) + 17 + (p.length - iphl);
        int c = fold(sum(p, iphl, p.length - iphl, pseudo));
        put16(p, iphl + 6, c == 0 ? 0xffff : c);
    }

    static boolean udpValid(byte[] p, boolean v6) {
        int iphl = v6 ? 40 : 20;
        long pseudo = (v6 ? sum(p, 8, 32, 0) : sum(p, 12, 8, 0)) + 17 + (p.length - iphl);
        return fold(sum(p, iphl, p.length - iphl, pseudo)) == 0;
    }

    /** What a sender writing {@code data} in pieces of {@code size} puts on the wire (IPv4 ids counting up). */
    static List<byte[]> datagrams(boolean v6, byte[] data, int size) {
        List<byte[]> out = new ArrayList<>();
        for (int off = 0, i = 0; off < data.length; off += size, i++) {
            out.add(udp(v6, (0xfff0 + i) & 0xffff, 5201, data, off, Math.min(size, data.length - off))); // the id wraps
        }
        return out;
    }

    /** How the coalescer groups the datagrams, checking that each group splits back into its datagrams. */
    private static int[] runs(List<byte[]> datagrams, boolean udp) {
        PacketBatch b = new PacketBatch(Math.max(64, datagrams.size()));
        for (byte[] d : datagrams) b.add(d, 0, d.length);
        GroCoalescer c = new GroCoalescer();
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < b.size(); ) {
            int used = c.build(b, i, udp);
            List<byte[]> back = used == 1
                    ? List.of(Arrays.copyOfRange(c.out, VirtioNetHeader.LENGTH, c.outLength))
                    : OffloadTest.split(c.out, c.outLength);
            if (used == 1) assertThat(Arrays.copyOfRange(c.out, 0, VirtioNetHeader.LENGTH)).containsOnly(0);
            assertThat(back).hasSize(used);
            for (int k = 0; k < used; k++) assertThat(back.get(k)).as("datagram %d", i + k).isEqualTo(datagrams.get(i + k));
            out.add(used);
            i += used;
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void mergesABurstIntoOneUsoPacketThatSplitsBackByteForByte() {
        for (boolean v6 : new boolean[] {false, true}) {
            byte[] data = new byte[30 * 1300 + 444];
            random.nextBytes(data);
            List<byte[]> grams = datagrams(v6, data, 1300);
            GroCoalescer c = new GroCoalescer();
            int used = c.build(OffloadTest.batchOf(grams), 0, true);
            assertThat(used).as("v6=%s", v6).isEqualTo(31);
            int iphl = v6 ? 40 : 20;
            byte[] o = c.out;
            assertThat(o[VirtioNetHeader.FLAGS]).isEqualTo((byte) VirtioNetHeader.F_NEEDS_CSUM);
            assertThat(o[VirtioNetHeader.GSO_TYPE]).isEqualTo((byte) VirtioNetHeader.GSO_UDP_L4);
            assertThat(VirtioNetHeader.getShort(o, VirtioNetHeader.GSO_SIZE)).isEqualTo(1300);
            assertThat(VirtioNetHeader.getShort(o, VirtioNetHeader.HDR_LEN)).isEqualTo(iphl + 8);
            assertThat(VirtioNetHeader.getShort(o, VirtioNetHeader.CSUM_START)).isEqualTo(iphl);
            assertThat(VirtioNetHeader.getShort(o, VirtioNetHeader.CSUM_OFFSET)).isEqualTo(6);
            byte[] merged = Arrays.copyOfRange(o, VirtioNetHeader.LENGTH, c.outLength);
            int total = merged.length;
            assertThat(total).isEqualTo(iphl + 8 + data.length);
            if (v6) {
                assertThat(get16(merged, 4)).isEqualTo(total - 40);
            } else {
                assertThat(get16(merged, 2)).isEqualTo(total);
                assertThat(fold(sum(merged, 0, 20, 0))).isZero();
            }
            assertThat(get16(merged, iphl + 4)).isEqualTo(total - iphl);
            assertThat(Arrays.copyOfRange(merged, iphl + 8, total)).isEqualTo(data);
            // CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum
            long pseudo = (v6 ? sum(merged, 8, 32, 0) : sum(merged, 12, 8, 0)) + 17 + (total - iphl);
            assertThat(get16(merged, iphl + 6)).isEqualTo(~fold(pseudo) & 0xffff);

            List<byte[]> back = OffloadTest.split(o, c.outLength);
            assertThat(back).hasSameSizeAs(grams);
            for (int i = 0; i < grams.size(); i++) {
                assertThat(back.get(i)).as("datagram %d v6=%s", i, v6).isEqualTo(grams.get(i));
                assertThat(udpValid(back.get(i), v6)).isTrue();
            }
        }
    }

    @Test
    void withoutUsoUdpIsWrittenPlain() {
        byte[] data = new byte[5 * 1000];
        random.nextBytes(data);
        assertThat(runs(datagrams(false, data, 1000), false)).containsExactly(1, 1, 1, 1, 1);
    }

    @Test
    void atMost64DatagramsAnd64KilobytesPerPacket() {
        byte[] small = new byte[100 * 200];
        random.nextBytes(small);
        assertThat(runs(datagrams(false, small, 200), true)).containsExactly(64, 36);
        byte[] big = new byte[60 * 1400];
        random.nextBytes(big);
        int[] r = runs(datagrams(true, big, 1400), true);
        assertThat(r[0]).isEqualTo((65535 - 8) / 1400); // IPv6: the payload length field is the limit
        assertThat(Arrays.stream(r).sum()).isEqualTo(60);
    }

    @Test
    void flowSizeIdAndChecksumRulesStopAMerge() {
        byte[] data = new byte[8 * 1000];
        random.nextBytes(data);

        List<byte[]> port = datagrams(false, data, 1000);
        port.set(3, udp(false, get16(port.get(3), 4), 5202, data, 3000, 1000)); // another flow
        assertThat(runs(port, true)).containsExactly(3, 1, 4);

        List<byte[]> ttl = datagrams(false, data, 1000);
        ttl.get(2)[8] = 63;
        put16(ttl.get(2), 10, 0);
        put16(ttl.get(2), 10, fold(sum(ttl.get(2), 0, 20, 0)));
        assertThat(runs(ttl, true)).containsExactly(2, 1, 5);

        List<byte[]> id = datagrams(false, data, 1000);
        id.remove(4); // a lost datagram: the ids no longer count up
        assertThat(runs(id, true)).containsExactly(4, 3);

        List<byte[]> label = datagrams(true, data, 1000);
        label.get(5)[3] = 0x46; // another IPv6 flow label
        assertThat(runs(label, true)).containsExactly(5, 1, 2);

        List<byte[]> bad = datagrams(false, data, 1000);
        bad.get(6)[100] ^= 1; // corrupted: left for the kernel to check and drop
        assertThat(runs(bad, true)).containsExactly(6, 1, 1);

        List<byte[]> none = datagrams(false, data, 1000);
        put16(none.get(0), 26, 0); // IPv4 without a checksum never merges
        assertThat(runs(none, true)).containsExactly(1, 7);

        List<byte[]> shrink = new ArrayList<>(datagrams(false, data, 1000).subList(0, 3));
        shrink.add(udp(false, 0xfff3, 5201, data, 0, 600)); // shorter: ends the run
        shrink.add(udp(false, 0xfff4, 5201, data, 0, 600));
        assertThat(runs(shrink, true)).containsExactly(4, 1);

        List<byte[]> grow = new ArrayList<>(datagrams(false, data, 1000).subList(0, 2));
        grow.add(udp(false, 0xfff2, 5201, data, 0, 1200)); // longer than the first: a new run
        assertThat(runs(grow, true)).containsExactly(2, 1);
    }

    @Test
    void emptyDatagramsFragmentsAndTcpAfterUdpDoNotMerge() {
        List<byte[]> empty = List.of(udp(false, 1, 53, new byte[0], 0, 0), udp(false, 2, 53, new byte[0], 0, 0));
        assertThat(runs(empty, true)).containsExactly(1, 1);

        byte[] data = new byte[3000];
        random.nextBytes(data);
        List<byte[]> frag = datagrams(false, data, 1000);
        frag.get(1)[6] = 0x20; // more fragments
        put16(frag.get(1), 10, 0);
        put16(frag.get(1), 10, fold(sum(frag.get(1), 0, 20, 0)));
        assertThat(runs(frag, true)).containsExactly(1, 1, 1);

        List<byte[]> mixed = new ArrayList<>(datagrams(false, data, 1000).subList(0, 2));
        mixed.add(OffloadTest.tcp(false, 1, 1, 0x10, data, 0, 1000));
        mixed.add(OffloadTest.tcp(false, 1001, 2, 0x10, data, 0, 1000));
        assertThat(runs(mixed, true)).containsExactly(2, 2); // each protocol merges on its own
    }

    @Test
    void splitsAKernelUsoPacketIntoDatagramsWithTheirOwnLengthsAndChecksums() {
        for (boolean v6 : new boolean[] {false, true}) {
            byte[] data = new byte[20 * 1200 + 77];
            random.nextBytes(data);
            List<byte[]> expected = datagrams(v6, data, 1200);
            // the kernel's super-packet: the first datagram's headers, all the payload, a partial checksum
            int iphl = v6 ? 40 : 20;
            int total = iphl + 8 + data.length;
            byte[] in = new byte[VirtioNetHeader.LENGTH + total];
            int p = VirtioNetHeader.LENGTH;
            System.arraycopy(expected.get(0), 0, in, p, iphl + 8);
            System.arraycopy(data, 0, in, p + iphl + 8, data.length);
            if (v6) put16(in, p + 4, total - 40);
            else put16(in, p + 2, total);
            put16(in, p + iphl + 4, total - iphl);
            long pseudo = (v6 ? sum(in, p + 8, 32, 0) : sum(in, p + 12, 8, 0)) + 17 + (total - iphl);
            put16(in, p + iphl + 6, ~fold(pseudo) & 0xffff);
            VirtioNetHeader.put(in, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_UDP_L4, iphl + 8, 1200, iphl, 6);
            List<byte[]> back = OffloadTest.split(in, in.length);
            assertThat(back).hasSameSizeAs(expected);
            for (int i = 0; i < expected.size(); i++) {
                assertThat(back.get(i)).as("datagram %d v6=%s", i, v6).isEqualTo(expected.get(i));
            }
        }
    }
}
