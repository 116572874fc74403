package io.jwg.device;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Longest-prefix-match tables for IPv4 and IPv6 mapping AllowedIPs to values (peers). Lookups run
 * on raw address bytes inside a packet, without allocation or locking: the table is immutable and
 * replaced as a whole on every change ({@link Builder}), which is rare (configuration) compared
 * with lookups (every packet).
 *
 * <p>Each family is a path-compressed binary trie (as in the kernel's allowedips.c): a node exists
 * only where an entry ends or where two entries' paths part, so a lookup visits about log2(entries)
 * nodes instead of one per address bit (up to 128). An address is read as one or two big-endian
 * longs, and each node is tested with one masked compare per long.
 */
public final class AllowedIps<T> {
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /**
     * A prefix of {@code bits} bits (the key's other bits are zero) with the entry's value, or null
     * where the node only splits paths. Children continue with bit number {@code bits} = 0 / 1.
     * IPv4 keys sit in the top 32 bits of {@code hi}.
     */
    private static final class Node<T> {
        final long hi, lo, maskHi, maskLo;
        final int bits;
        Node<T> zero, one;
        T value;

        Node(long hi, long lo, int bits, T value) {
            this.maskHi = bits >= 64 ? -1L : bits == 0 ? 0 : -1L << (64 - bits);
            this.maskLo = bits <= 64 ? 0 : bits == 128 ? -1L : -1L << (128 - bits);
            this.hi = hi & maskHi;
            this.lo = lo & maskLo;
            this.bits = bits;
            this.value = value;
        }

        boolean contains(long aHi, long aLo) {
            return ((aHi ^ hi) & maskHi) == 0 && ((aLo ^ lo) & maskLo) == 0;
        }

        Node<T> child(long aHi, long aLo) {
            return bit(aHi, aLo, bits) == 0 ? zero : one;
        }
    }

    /** Bit i (0 = most significant) of the 128-bit number hi:lo. */
    private static int bit(long hi, long lo, int i) {
        return (int) (i < 64 ? hi >>> (63 - i) : lo >>> (127 - i)) & 1;
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
        return new AllowedIps<>(new Node<>(0, 0, 0, null), new Node<>(0, 0, 0, null), List.of());
    }

    /** The value of the longest prefix containing the address at b[off..off+len) (len 4 or 16). */
    public T lookup(byte[] b, int off, int len) {
        long hi, lo;
        Node<T> n;
        if (len == 4) {
            hi = (long) (int) INT_BE.get(b, off) << 32;
            lo = 0;
            n = v4;
        } else if (len == 16) {
            hi = (long) LONG_BE.get(b, off);
            lo = (long) LONG_BE.get(b, off + 8);
            n = v6;
        } else {
            throw new IllegalArgumentException("address must be 4 or 16 bytes");
        }
        T best = null;
        // a node that does not contain the address ends the walk: everything below it shares its prefix
        while (n != null && n.contains(hi, lo)) {
            if (n.value != null) best = n.value;
            n = n.child(hi, lo);
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
            Node<T> v4 = new Node<>(0, 0, 0, null), v6 = new Node<>(0, 0, 0, null);
            for (Entry<T> e : entries.values()) {
                byte[] a = e.address();
                if (a.length == 4) insert(v4, (long) (int) INT_BE.get(a, 0) << 32, 0, e.prefixLength(), e.value());
                else insert(v6, (long) LONG_BE.get(a, 0), (long) LONG_BE.get(a, 8), e.prefixLength(), e.value());
            }
            return new AllowedIps<>(v4, v6, List.copyOf(entries.values()));
        }

        /** Adds prefix hi:lo/bits, splitting a compressed path where the new prefix leaves it. */
        private static <T> void insert(Node<T> root, long hi, long lo, int bits, T value) {
            Node<T> parent = root;
            while (true) {
                if (parent.bits == bits) {
                    parent.value = value;
                    return;
                }
                int side = bit(hi, lo, parent.bits);
                Node<T> child = side == 0 ? parent.zero : parent.one;
                Node<T> replacement;
                int common = child == null ? 0 : Math.min(commonBits(hi, lo, child.hi, child.lo), Math.min(bits, child.bits));
                if (child == null) {
                    replacement = new Node<>(hi, lo, bits, value);
                } else if (common == child.bits) { // the child's whole prefix is ours: descend
                    parent = child;
                    continue;
                } else if (common == bits) { // the new prefix sits above the child
                    replacement = new Node<>(hi, lo, bits, value);
                    attach(replacement, child);
                } else { // the paths part at bit `common`: a valueless split node holds both
                    replacement = new Node<>(hi, lo, common, null);
                    attach(replacement, child);
                    attach(replacement, new Node<>(hi, lo, bits, value));
                }
                if (side == 0) parent.zero = replacement;
                else parent.one = replacement;
                return;
            }
        }

        private static <T> void attach(Node<T> parent, Node<T> child) {
            if (bit(child.hi, child.lo, parent.bits) == 0) parent.zero = child;
            else parent.one = child;
        }

        /** How many leading bits two 128-bit numbers share. */
        private static int commonBits(long hi1, long lo1, long hi2, long lo2) {
            return hi1 != hi2 ? Long.numberOfLeadingZeros(hi1 ^ hi2) : 64 + Long.numberOfLeadingZeros(lo1 ^ lo2);
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
