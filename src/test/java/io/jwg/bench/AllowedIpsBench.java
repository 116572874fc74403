package io.jwg.bench;

import io.jwg.device.AllowedIps;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * AllowedIPs longest-prefix match per packet (the device looks up the destination of every packet
 * it sends and the source of every packet it receives), for tables of 1, 100 and 10,000 prefixes.
 * IPv4 prefixes are /32 hosts (half), /28 and /24 networks inside 10.0.0.0/8; IPv6 ones are /128
 * hosts (half), /64 and /48 networks inside fd00::/8 - what a server with many peers holds. Hits
 * are addresses inside a random entry; misses are addresses in the same /8 that no entry covers, so
 * the walk goes as deep as the table allows. The addresses sit in one packet-sized buffer and each
 * call looks up the next one (1024 of each), so branch prediction cannot learn a single path.
 * scripts/jmh AllowedIpsBench
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AllowedIpsBench {
    private static final int ADDRESSES = 1024;

    @Param({"1", "100", "10000"})
    public int prefixes;

    AllowedIps<Integer> table;
    final byte[] v4Hits = new byte[ADDRESSES * 4], v4Misses = new byte[ADDRESSES * 4];
    final byte[] v6Hits = new byte[ADDRESSES * 16], v6Misses = new byte[ADDRESSES * 16];
    int next;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(3);
        AllowedIps.Builder<Integer> b = new AllowedIps.Builder<>();
        byte[][] v4 = new byte[prefixes][], v6 = new byte[prefixes][];
        int[] v4Len = new int[prefixes], v6Len = new int[prefixes];
        for (int i = 0; i < prefixes; i++) {
            v4[i] = random(r, 4, (byte) 10);
            v4Len[i] = i % 2 == 0 ? 32 : i % 4 == 1 ? 28 : 24;
            b.put(v4[i], v4Len[i], i);
            v6[i] = random(r, 16, (byte) 0xfd);
            v6Len[i] = i % 2 == 0 ? 128 : i % 4 == 1 ? 64 : 48;
            b.put(v6[i], v6Len[i], i);
        }
        table = b.build();
        for (int i = 0; i < ADDRESSES; i++) {
            int e = r.nextInt(prefixes);
            fill(v4Hits, i, inside(r, v4[e], v4Len[e]), true);
            fill(v6Hits, i, inside(r, v6[e], v6Len[e]), true);
            byte[] miss;
            do miss = random(r, 4, (byte) 10); while (table.lookup(miss) != null);
            fill(v4Misses, i, miss, false);
            do miss = random(r, 16, (byte) 0xfd); while (table.lookup(miss) != null);
            fill(v6Misses, i, miss, false);
        }
    }

    private void fill(byte[] all, int i, byte[] address, boolean hit) {
        if ((table.lookup(address) != null) != hit) throw new IllegalStateException("bad benchmark data");
        System.arraycopy(address, 0, all, i * address.length, address.length);
    }

    private static byte[] random(SplittableRandom r, int length, byte first) {
        byte[] a = new byte[length];
        r.nextBytes(a);
        a[0] = first;
        return a;
    }

    /** A random address inside prefix/length. */
    private static byte[] inside(SplittableRandom r, byte[] prefix, int length) {
        byte[] a = random(r, prefix.length, prefix[0]);
        for (int bit = 0; bit < length; bit++) {
            int mask = 1 << (7 - (bit & 7));
            a[bit >>> 3] = (byte) ((a[bit >>> 3] & ~mask) | (prefix[bit >>> 3] & mask));
        }
        return a;
    }

    private int nextIndex() {
        int i = next;
        next = (i + 1) & (ADDRESSES - 1);
        return i;
    }

    @Benchmark
    public Integer v4Hit() {
        return table.lookup(v4Hits, nextIndex() * 4, 4);
    }

    @Benchmark
    public Integer v4Miss() {
        return table.lookup(v4Misses, nextIndex() * 4, 4);
    }

    @Benchmark
    public Integer v6Hit() {
        return table.lookup(v6Hits, nextIndex() * 16, 16);
    }

    @Benchmark
    public Integer v6Miss() {
        return table.lookup(v6Misses, nextIndex() * 16, 16);
    }
}
