package io.jwg.device;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Token buckets per source address for handshake messages under load, like wireguard-go's
 * ratelimiter: 20 per second with a burst of 5, IPv6 sources grouped by /64. Memory is bounded:
 * idle buckets are dropped every second, and past {@link #MAX_ENTRIES} sources new ones are
 * refused until the table shrinks. Thread-safe (the handshake workers share it).
 */
final class RateLimiter {
    static final long PACKETS_PER_SECOND = 20;
    static final long BURST = 5;
    static final int MAX_ENTRIES = 65_536;
    private static final long PACKET_COST = 1_000_000_000L / PACKETS_PER_SECOND;
    private static final long MAX_TOKENS = PACKET_COST * BURST;

    private static final class Bucket {
        long tokens;
        long last;
    }

    private final Map<Key, Bucket> buckets = new HashMap<>();
    private long lastSweep;

    private record Key(long hi, long lo) {}

    /** True when a handshake message from this address may be processed at time now (ns). */
    synchronized boolean allow(InetAddress address, long now) {
        if (now - lastSweep > 1_000_000_000L) sweep(now);
        Key k = keyOf(address.getAddress());
        Bucket b = buckets.get(k);
        if (b == null) {
            if (buckets.size() >= MAX_ENTRIES) return false;
            b = new Bucket();
            b.tokens = MAX_TOKENS - PACKET_COST;
            b.last = now;
            buckets.put(k, b);
            return true;
        }
        b.tokens = Math.min(MAX_TOKENS, b.tokens + (now - b.last));
        b.last = now;
        if (b.tokens < PACKET_COST) return false;
        b.tokens -= PACKET_COST;
        return true;
    }

    synchronized int size() {
        return buckets.size();
    }

    private void sweep(long now) {
        lastSweep = now;
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            if (now - it.next().last > 1_000_000_000L) it.remove();
        }
    }

    private static Key keyOf(byte[] a) {
        long hi = 0, lo = 0;
        if (a.length == 4) {
            lo = ((a[0] & 0xffL) << 24) | ((a[1] & 0xffL) << 16) | ((a[2] & 0xffL) << 8) | (a[3] & 0xffL);
            hi = -1; // keeps v4 apart from v6
        } else {
            for (int i = 0; i < 8; i++) hi = (hi << 8) | (a[i] & 0xffL); // the /64
        }
        return new Key(hi, lo);
    }
}
