package io.jwg.device;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Longest-prefix-match tables for IPv4 and IPv6 mapping AllowedIPs to values (peers). Lookups run
 * on raw address bytes inside a packet, without allocation or locking: the table is immutable and
 * replaced as a whole on every change ({@link Builder}), which is rare (configuration) compared
 * with lookups (every packet).
 */
public final class AllowedIps<T> {
    private static final class Node<T> {
        Node<T> zero, one;
        T value;
    }

    private final Node<T> v4;
    private final Node<T> v6;
    private final List<Entry<T>> entries;

    /** One AllowedIPs entry: the masked network address (4 or 16 bytes), its prefix length and value. */
    public record Entry<T>(byte[] address, int prefixLength, T value) {}

    private AllowedIps(Node<T> v4, Node<T> v6, List<Entry<T>> entries) {
        this.v4 = v4;
        this.v6 = v6;
        this.entries = entries;
    }

    public static <T> AllowedIps<T> empty() {
        return new AllowedIps<>(new Node<>(), new Node<>(), List.of());
    }

    /** The value of the longest prefix containing the address at b[off..off+len) (len 4 or 16). */
    public T lookup(byte[] b, int off, int len) {
        Node<T> n = len == 4 ? v4 : v6;
        T best = n.value;
        int bits = len * 8;
        for (int i = 0; i < bits; i++) {
            int bit = (b[off + (i >>> 3)] >>> (7 - (i & 7))) & 1;
            n = bit == 0 ? n.zero : n.one;
            if (n == null) break;
            if (n.value != null) best = n.value;
        }
        return best;
    }

    public T lookup(byte[] address) {
        return lookup(address, 0, address.length);
    }

    /** Every entry, in insertion order. */
    public List<Entry<T>> entries() {
        return entries;
    }

    /** The entries whose value is v (e.g. one peer's AllowedIPs). */
    public List<Entry<T>> entriesOf(T v) {
        List<Entry<T>> out = new ArrayList<>();
        for (Entry<T> e : entries) if (e.value() == v) out.add(e);
        return out;
    }

    public Builder<T> toBuilder() {
        Builder<T> b = new Builder<>();
        for (Entry<T> e : entries) b.put(e.address(), e.prefixLength(), e.value());
        return b;
    }

    /**
     * Collects entries; a prefix inserted twice belongs to the last value (as in wg). Each change is
     * O(1) (keyed by prefix), so that configuring thousands of peers stays linear.
     */
    public static final class Builder<T> {
        private final LinkedHashMap<Prefix, Entry<T>> entries = new LinkedHashMap<>();

        private record Prefix(int length, long hi, long lo) {
            static Prefix of(byte[] masked, int length) {
                long hi = 0, lo = 0;
                for (int i = 0; i < masked.length; i++) {
                    if (i < 8) hi = (hi << 8) | (masked[i] & 0xffL);
                    else lo = (lo << 8) | (masked[i] & 0xffL);
                }
                return new Prefix(masked.length == 4 ? length : 1000 + length, hi, lo); // v4 and v6 apart
            }
        }

        public Builder<T> put(byte[] address, int prefixLength, T value) {
            if (address.length != 4 && address.length != 16) throw new IllegalArgumentException("address must be 4 or 16 bytes");
            if (prefixLength < 0 || prefixLength > address.length * 8) throw new IllegalArgumentException("bad prefix length");
            byte[] masked = mask(address, prefixLength);
            Prefix k = Prefix.of(masked, prefixLength);
            entries.remove(k); // re-inserted at the end, as before
            entries.put(k, new Entry<>(masked, prefixLength, value));
            return this;
        }

        /** Removes every entry of value v. */
        public Builder<T> removeAll(T value) {
            entries.values().removeIf(e -> e.value() == value);
            return this;
        }

        public Builder<T> remove(byte[] address, int prefixLength, T value) {
            if (address.length != 4 && address.length != 16) return this;
            byte[] masked = mask(address, prefixLength);
            Prefix k = Prefix.of(masked, prefixLength);
            Entry<T> e = entries.get(k);
            if (e != null && e.value() == value) entries.remove(k);
            return this;
        }

        public AllowedIps<T> build() {
            Node<T> v4 = new Node<>(), v6 = new Node<>();
            for (Entry<T> e : entries.values()) {
                Node<T> n = e.address().length == 4 ? v4 : v6;
                byte[] a = e.address();
                for (int i = 0; i < e.prefixLength(); i++) {
                    int bit = (a[i >>> 3] >>> (7 - (i & 7))) & 1;
                    if (bit == 0) n = n.zero != null ? n.zero : (n.zero = new Node<>());
                    else n = n.one != null ? n.one : (n.one = new Node<>());
                }
                n.value = e.value();
            }
            return new AllowedIps<>(v4, v6, List.copyOf(entries.values()));
        }

        private static byte[] mask(byte[] a, int prefixLength) {
            byte[] m = a.clone();
            for (int i = 0; i < m.length * 8; i++) {
                if (i >= prefixLength) m[i >>> 3] &= (byte) ~(1 << (7 - (i & 7)));
            }
            return m;
        }
    }
}
