package io.jwg.net;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * An immutable UDP peer address (IP address + port), as WireGuard's "endpoint".
 *
 * <p>IPv4 addresses are always held as {@link Inet4Address}, also when they arrive as IPv4-mapped IPv6
 * addresses ({@code ::ffff:1.2.3.4}) on a dual-stack socket. {@link #toString()} prints like {@code wg}:
 * {@code 1.2.3.4:51820}, {@code [fd00::1]:51820}, {@code [fe80::1%3]:51820}.
 *
 * <p>An endpoint learnt from a received datagram also carries its <em>source</em>: the local address the
 * datagram arrived at, and the interface it arrived on (IP_PKTINFO). Replies leave from that address
 * ("sticky source", as in wireguard-go and the kernel), so that a host with several addresses answers from
 * the one its peer talks to. Endpoints from configuration have no source (the kernel picks one). Equality is
 * by address, port, (for IPv6) scope id and source, so a peer that starts reaching us at another local
 * address counts as an endpoint change; {@link #toString()} shows the remote side only.
 *
 * <p>The {@code sockaddr_in6} form used for sending (IPv4 as v4-mapped) is computed once, at construction.
 */
public final class Endpoint {
    static final int SOCKADDR_IN6_SIZE = 28;
    static final int SOCKADDR_IN_SIZE = 16;
    static final short AF_INET = 2;
    static final short AF_INET6 = 10;
    static final long V4_MAPPED_PREFIX = 0x0000_ffff_0000_0000L;
    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    // key: the IPv6 (or v4-mapped) address as two big-endian longs, port, scope id
    final long hi;
    final long lo;
    final int port;
    final int scope;
    /** The local address (IPv4 as v4-mapped) replies leave from, both 0 if none; and the interface it was reached on. */
    final long srcHi;
    final long srcLo;
    final int srcIfindex;
    private final InetSocketAddress socketAddress;
    /** struct sockaddr_in6 in native byte order where the kernel expects it (family, scope id). */
    private final byte[] sockaddr6;
    private final String text;

    private Endpoint(long hi, long lo, int port, int scope, InetAddress address) {
        this(hi, lo, port, scope, address, 0, 0, 0);
    }

    private Endpoint(long hi, long lo, int port, int scope, InetAddress address, long srcHi, long srcLo, int srcIfindex) {
        this.hi = hi;
        this.lo = lo;
        this.port = port;
        this.scope = scope;
        this.srcHi = srcHi;
        this.srcLo = srcLo;
        this.srcIfindex = srcHi == 0 && srcLo == 0 ? 0 : srcIfindex;
        this.socketAddress = new InetSocketAddress(address, port);
        MemorySegment sa = MemorySegment.ofArray(new byte[SOCKADDR_IN6_SIZE]);
        sa.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, AF_INET6);
        sa.set(BE_SHORT, 2, (short) port);
        sa.set(BE_LONG, 8, hi);
        sa.set(BE_LONG, 16, lo);
        sa.set(ValueLayout.JAVA_INT_UNALIGNED, 24, scope);
        this.sockaddr6 = (byte[]) sa.heapBase().orElseThrow();
        this.text = format(address, port, scope);
    }

    // ------------------------------------------------------------------------------------------ factories

    public static Endpoint of(InetAddress address, int port) {
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return v4(((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff), port);
        }
        long hi = MemorySegment.ofArray(b).get(BE_LONG, 0);
        long lo = MemorySegment.ofArray(b).get(BE_LONG, 8);
        if (isV4Mapped(hi, lo)) {
            return v4((int) lo, port);
        }
        int scope = address instanceof Inet6Address a6 ? a6.getScopeId() : 0;
        return new Endpoint(hi, lo, port, scope, address);
    }

    /** From a resolved socket address. */
    public static Endpoint of(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("unresolved address: " + address.getHostString());
        }
        return of(address.getAddress(), address.getPort());
    }

    /**
     * Parses a numeric endpoint as {@code wg} writes it: {@code 1.2.3.4:51820}, {@code [fd00::1]:51820},
     * {@code [fe80::1%eth0]:51820}. No DNS lookups; see {@link #resolve} for host names.
     *
     * @throws IllegalArgumentException if the text is not a numeric endpoint
     */
    public static Endpoint parse(String text) {
        HostPort hp = split(text);
        InetAddress addr = literal(hp.host);
        if (addr == null) {
            throw new IllegalArgumentException("not a numeric endpoint (IP:port or [IPv6]:port): '" + text + "'");
        }
        if (hp.bracketed && !hp.host.contains(":")) {
            throw new IllegalArgumentException("brackets are only for IPv6 addresses: '" + text + "'");
        }
        return of(addr, hp.port);
    }

    /** A dotted-quad IPv4 or an IPv6 literal (scope as number or interface name), or null. */
    private static InetAddress literal(String host) {
        try {
            if (!host.contains(":")) {
                return host.matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}") ? InetAddress.ofLiteral(host) : null;
            }
            int pct = host.indexOf('%');
            if (pct < 0 || host.substring(pct + 1).matches("\\d+")) {
                return InetAddress.ofLiteral(host);
            }
            java.net.NetworkInterface nif = java.net.NetworkInterface.getByName(host.substring(pct + 1));
            if (nif == null) {
                return null;
            }
            byte[] b = InetAddress.ofLiteral(host.substring(0, pct)).getAddress();
            return b.length == 16 ? Inet6Address.getByAddress(null, b, nif.getIndex()) : null;
        } catch (IllegalArgumentException | java.io.IOException e) {
            return null;
        }
    }

    /**
     * Like {@link #parse}, but also accepts a host name ({@code vpn.example.com:51820}), resolved with the
     * system resolver (the first address, as {@code wg} does; IPv4 preferred unless the JVM prefers IPv6).
     */
    public static Endpoint resolve(String text) throws UnknownHostException {
        HostPort hp = split(text);
        if (hp.bracketed) {
            return parse(text);
        }
        return of(InetAddress.getByName(hp.host), hp.port);
    }

    private record HostPort(String host, int port, boolean bracketed) {}

    private static HostPort split(String text) {
        Objects.requireNonNull(text, "endpoint");
        String s = text.strip();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("endpoint must be host:port: '" + text + "'");
        }
        String host = s.substring(0, colon);
        String portText = s.substring(colon + 1);
        boolean bracketed = host.startsWith("[") && host.endsWith("]");
        if (bracketed) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":") || host.contains("[") || host.contains("]")) {
            throw new IllegalArgumentException("IPv6 endpoints need brackets, e.g. [fd00::1]:51820: '" + text + "'");
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("invalid port in endpoint '" + text + "'");
        }
        return new HostPort(host, port, bracketed);
    }

    static Endpoint v4(int ip, int port) {
        byte[] b = {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip};
        InetAddress a;
        try {
            a = InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
        return new Endpoint(0, V4_MAPPED_PREFIX | (ip & 0xffff_ffffL), port, 0, a);
    }

    /** From the raw key (as read from a sockaddr), without a source. */
    static Endpoint fromKey(long hi, long lo, int port, int scope) {
        return fromKey(hi, lo, port, scope, 0, 0, 0);
    }

    /** From the raw key (as read from a sockaddr) and the local address it was received at (0, 0: none). */
    static Endpoint fromKey(long hi, long lo, int port, int scope, long srcHi, long srcLo, int srcIfindex) {
        if (isV4Mapped(hi, lo)) {
            scope = 0;
        }
        return new Endpoint(hi, lo, port, scope, addressOf(hi, lo, scope), srcHi, srcLo, srcIfindex);
    }

    /** The address held as hi, lo: an Inet4Address for a v4-mapped one, else IPv6 with the scope id (0: none). */
    private static InetAddress addressOf(long hi, long lo, int scope) {
        byte[] b = new byte[16];
        MemorySegment.ofArray(b).set(BE_LONG, 0, hi);
        MemorySegment.ofArray(b).set(BE_LONG, 8, lo);
        try {
            // getByAddress turns a v4-mapped address into an Inet4Address
            return scope != 0 ? Inet6Address.getByAddress(null, b, scope) : InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Whether hi, lo is an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}): how IPv4 is held. */
    static boolean isV4Mapped(long hi, long lo) {
        return hi == 0 && (lo & 0xffff_ffff_0000_0000L) == V4_MAPPED_PREFIX;
    }

    /**
     * This endpoint with {@code local} (an address of this host, IPv4 for an IPv4 endpoint) as the source
     * replies leave from (for tests).
     */
    Endpoint withSource(InetAddress local, int ifindex) {
        Endpoint l = of(local, 0); // the same key form as a remote address
        return new Endpoint(hi, lo, port, scope, address(), l.hi, l.lo, ifindex);
    }

    /** This endpoint without a source (this instance if it has none). */
    public Endpoint withoutSource() {
        return hasSource() ? new Endpoint(hi, lo, port, scope, address()) : this;
    }

    // ------------------------------------------------------------------------------------------ accessors

    public InetSocketAddress socketAddress() {
        return socketAddress;
    }

    public InetAddress address() {
        return socketAddress.getAddress();
    }

    public int port() {
        return port;
    }

    /** Whether replies to this endpoint leave from a recorded local address ({@link #sourceAddress()}). */
    public boolean hasSource() {
        return srcHi != 0 || srcLo != 0;
    }

    /** The local address this endpoint's datagrams arrived at, or null if it has no source. */
    public InetAddress sourceAddress() {
        return hasSource() ? addressOf(srcHi, srcLo, 0) : null;
    }

    /** The index of the interface this endpoint's datagrams arrived on (0 if unknown or no source). */
    public int sourceIfindex() {
        return srcIfindex;
    }

    /** Whether {@code other} is the same remote address and port (sources aside). */
    public boolean sameRemote(Endpoint other) {
        return other != null && other.lo == lo && other.hi == hi && other.port == port && other.scope == scope;
    }

    /** Whether both have the same source address (interfaces aside). */
    boolean sameSource(Endpoint other) {
        return other != null && other.srcLo == srcLo && other.srcHi == srcHi;
    }

    public boolean isIPv4() {
        return isV4Mapped(hi, lo);
    }

    /** The IPv4 address as a big-endian int; only meaningful if {@link #isIPv4()}. */
    int ipv4() {
        return (int) lo;
    }

    /** Copies the precomputed {@code struct sockaddr_in6} (IPv4 as v4-mapped) to {@code dst} at {@code offset}. */
    void writeSockaddr6(MemorySegment dst, long offset) {
        MemorySegment.copy(sockaddr6, 0, dst, ValueLayout.JAVA_BYTE, offset, SOCKADDR_IN6_SIZE);
    }

    /** Writes a {@code struct sockaddr_in} (only for IPv4 endpoints, for AF_INET sockets). */
    void writeSockaddr4(MemorySegment dst, long offset) {
        dst.set(ValueLayout.JAVA_SHORT_UNALIGNED, offset, AF_INET);
        dst.set(BE_SHORT, offset + 2, (short) port);
        dst.set(BE_INT, offset + 4, (int) lo);
        dst.set(ValueLayout.JAVA_LONG_UNALIGNED, offset + 8, 0L);
    }

    /** A copy of the precomputed sockaddr_in6 bytes. */
    public byte[] sockaddr() {
        return sockaddr6.clone();
    }

    /** Whether this endpoint has exactly the given key (used by the receive-side cache). */
    boolean matches(long hi, long lo, int port, int scope, long srcHi, long srcLo, int srcIfindex) {
        return this.lo == lo && this.hi == hi && this.port == port && this.scope == scope
                && this.srcLo == srcLo && this.srcHi == srcHi && this.srcIfindex == srcIfindex;
    }

    static int hash(long hi, long lo, int port, int scope, long srcHi, long srcLo, int srcIfindex) {
        long h = hi * 0x9E3779B97F4A7C15L ^ lo;
        h = (h ^ port ^ ((long) scope << 16)) * 0xC2B2AE3D27D4EB4FL;
        h ^= (srcHi * 0x9E3779B97F4A7C15L ^ srcLo ^ ((long) srcIfindex << 32)) * 0xFF51AFD7ED558CCDL;
        return (int) (h ^ (h >>> 29) ^ (h >>> 47));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Endpoint e && matches(e.hi, e.lo, e.port, e.scope, e.srcHi, e.srcLo, e.srcIfindex);
    }

    @Override
    public int hashCode() {
        return hash(hi, lo, port, scope, srcHi, srcLo, srcIfindex);
    }

    @Override
    public String toString() {
        return text;
    }

    // ------------------------------------------------------------------------------------------ formatting

    private static String format(InetAddress a, int port, int scope) {
        if (a instanceof Inet4Address) {
            return a.getHostAddress() + ":" + port;
        }
        StringBuilder sb = new StringBuilder(48).append('[');
        appendIPv6(sb, a.getAddress());
        if (scope != 0) {
            Inet6Address a6 = (Inet6Address) a;
            sb.append('%');
            String ifname = null;
            try { // like getnameinfo(3): the interface name if the index is known here
                java.net.NetworkInterface nif = a6.getScopedInterface() != null ? a6.getScopedInterface()
                        : java.net.NetworkInterface.getByIndex(scope);
                ifname = nif != null ? nif.getName() : null;
            } catch (java.io.IOException | RuntimeException e) {
                // keep the number
            }
            sb.append(ifname != null ? ifname : Integer.toUnsignedString(scope));
        }
        return sb.append("]:").append(port).toString();
    }

    /** RFC 5952 text, as inet_ntop(3) writes it: lower case, longest run of ≥2 zero groups as "::". */
    static void appendIPv6(StringBuilder sb, byte[] b) {
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) {
            w[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (w[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && w[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) {
            bestStart = -1;
        }
        // inet_ntop prints IPv4-compatible (::a.b.c.d) addresses in dotted form too
        boolean embedV4 = bestStart == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xffff));
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (embedV4 && i == 6) {
                if (i != bestStart + bestLen) {
                    sb.append(':');
                }
                sb.append(b[12] & 0xff).append('.').append(b[13] & 0xff).append('.')
                        .append(b[14] & 0xff).append('.').append(b[15] & 0xff);
                break;
            }
            if (i > 0 && i != bestStart + bestLen) {
                sb.append(':');
            }
            sb.append(Integer.toHexString(w[i]));
        }
    }
}
