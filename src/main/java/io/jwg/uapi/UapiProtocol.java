package io.jwg.uapi;

import io.jwg.config.InetAddresses;
import io.jwg.config.IpPrefix;
import io.jwg.crypto.Key;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The WireGuard cross-platform configuration protocol ("UAPI") as pure functions: the text of
 * {@code get=1} replies and {@code set=1} requests, both ways.
 *
 * <p>The server side ({@link #formatGet}, {@link #parseSet}, {@link SetParser}) follows
 * wireguard-go's device/uapi.go: lines end in {@code \n} (a trailing {@code \r} is dropped, as Go's
 * line scanner does); a blank line ends a request; keys are lower-case hex; numbers are decimal.
 * The client side ({@link #formatSet}, {@link #parseGet}) follows wireguard-tools' ipc-uapi.h.
 *
 * <p>Errors, as wireguard-go reports them: a line without {@code =} is {@link Errno#EPROTO}; an
 * unknown key, a key in the wrong section, or a malformed value is {@link Errno#EINVAL}.
 */
public final class UapiProtocol {
    /** The longest line accepted (wireguard-go's bufio.Scanner limit). */
    public static final int MAX_LINE = 64 * 1024;

    private UapiProtocol() {}

    // ============================================================== get (server side)

    /**
     * The body of a {@code get=1} reply, in wireguard-go's order and without the final
     * {@code errno=0} and blank line ({@link #formatErrno}).
     */
    public static String formatGet(DeviceSnapshot d) {
        return formatGet(d, false);
    }

    /**
     * Like {@link #formatGet(DeviceSnapshot)}; with {@code extensions}, also the snapshot's
     * {@link JwgExtensions jwg_ keys}: the device's at the end of the device section, each peer's at
     * the end of its section. Without, the reply is exactly wireguard-go's.
     */
    public static String formatGet(DeviceSnapshot d, boolean extensions) {
        StringBuilder sb = new StringBuilder(128 + 400 * d.peers().size());
        if (d.privateKey() != null) hexLine(sb, "private_key", d.privateKey());
        if (d.listenPort() != 0) line(sb, "listen_port", Integer.toString(d.listenPort()));
        if (d.fwmark() != 0) line(sb, "fwmark", Long.toString(d.fwmark()));
        if (extensions) extensionLines(sb, d.extensions());
        for (PeerSnapshot p : d.peers()) {
            hexLine(sb, "public_key", p.publicKey());
            if (p.presharedKey() != null) hexLine(sb, "preshared_key", p.presharedKey());
            else line(sb, "preshared_key", "0".repeat(64));
            line(sb, "protocol_version", "1");
            if (p.endpoint() != null) line(sb, "endpoint", formatEndpoint(p.endpoint()));
            line(sb, "last_handshake_time_sec", Long.toString(p.lastHandshakeSeconds()));
            line(sb, "last_handshake_time_nsec", Long.toString(p.lastHandshakeNanos()));
            line(sb, "tx_bytes", Long.toUnsignedString(p.txBytes()));
            line(sb, "rx_bytes", Long.toUnsignedString(p.rxBytes()));
            line(sb, "persistent_keepalive_interval", Integer.toString(p.persistentKeepalive()));
            for (IpPrefix ip : p.allowedIps()) line(sb, "allowed_ip", ip.masked().toString());
            if (extensions) extensionLines(sb, p.extensions());
        }
        return sb.toString();
    }

    private static void extensionLines(StringBuilder sb, java.util.Map<String, Long> ext) {
        for (java.util.Map.Entry<String, Long> e : ext.entrySet()) {
            line(sb, JwgExtensions.PREFIX + e.getKey(), Long.toUnsignedString(e.getValue()));
        }
    }

    /** An extension value from a reply: an unsigned decimal, or null if it is not one (then it is ignored). */
    private static Long extensionValue(String key, String value) {
        if (!JwgExtensions.isValidKey(key)) return null;
        try {
            return Long.parseUnsignedLong(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The status that ends every reply: {@code errno=0} or {@code errno=-N}, then a blank line. */
    public static String formatErrno(int errno) {
        return errno == 0 ? "errno=0\n\n" : "errno=-" + Math.abs(errno) + "\n\n";
    }

    // ============================================================== set (server side)

    /**
     * Parses the lines of a {@code set=1} request (the text after {@code set=1\n}); parsing stops at
     * the first blank line or the end of the text.
     *
     * @throws UapiException EPROTO or EINVAL for the first bad line; nothing has been applied
     */
    public static SetRequest parseSet(String body) throws UapiException {
        SetParser p = new SetParser();
        int start = 0;
        while (start < body.length()) {
            int nl = body.indexOf('\n', start);
            String line = nl < 0 ? body.substring(start) : body.substring(start, nl);
            start = nl < 0 ? body.length() : nl + 1;
            if (!p.accept(line)) break;
        }
        return p.finish();
    }

    /**
     * Parses a {@code set=1} request line by line, so that the server can reply as soon as a line
     * is bad (as wireguard-go does) without reading the rest of the request.
     */
    public static final class SetParser {
        private Optional<Key> privateKey = Optional.empty();
        private OptionalInt listenPort = OptionalInt.empty();
        private OptionalLong fwmark = OptionalLong.empty();
        private boolean replacePeers;
        private final List<SetRequest.PeerUpdate> peers = new ArrayList<>();
        private PeerBuilder peer;
        private boolean done;
        private int lines;

        /**
         * Takes one line without its {@code \n}. Returns false at the blank line that ends the
         * request (then call {@link #finish()}).
         *
         * @throws UapiException for a malformed line
         */
        public boolean accept(String line) throws UapiException {
            if (done) throw new IllegalStateException("the request has ended");
            if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
            if (line.isEmpty()) {
                done = true;
                return false;
            }
            lines++;
            if (line.length() > MAX_LINE) throw new UapiException(Errno.EIO, "line " + lines + " is too long");
            int eq = line.indexOf('=');
            if (eq < 0) throw new UapiException(Errno.EPROTO, "failed to parse line " + lines + " (no '=')");
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1);
            if (key.equals("public_key")) {
                flushPeer();
                peer = new PeerBuilder(parseKey(value, "public_key"));
            } else if (peer == null) {
                deviceLine(key, value);
            } else {
                peer.line(key, value);
            }
            return true;
        }

        /** The request (also if the input ended without a blank line, as wireguard-go allows). */
        public SetRequest finish() {
            flushPeer();
            done = true;
            return new SetRequest(privateKey, listenPort, fwmark, replacePeers, peers);
        }

        private void flushPeer() {
            if (peer != null) peers.add(peer.build());
            peer = null;
        }

        private void deviceLine(String key, String value) throws UapiException {
            switch (key) {
                case "private_key" -> privateKey = Optional.of(clamp(parseKey(value, "private_key")));
                case "listen_port" -> listenPort = OptionalInt.of((int) parseUnsigned(value, 0xffff, "listen_port"));
                case "fwmark" -> fwmark = OptionalLong.of(parseUnsigned(value, 0xffffffffL, "fwmark"));
                case "replace_peers" -> {
                    requireTrue(value, "replace_peers");
                    replacePeers = true;
                }
                default -> throw new UapiException(Errno.EINVAL, "invalid UAPI device key: " + printable(key));
            }
        }
    }

    private static final class PeerBuilder {
        final Key publicKey;
        boolean remove;
        boolean updateOnly;
        Optional<Key> presharedKey = Optional.empty();
        Optional<InetSocketAddress> endpoint = Optional.empty();
        OptionalInt keepalive = OptionalInt.empty();
        boolean replaceAllowedIps;
        final List<SetRequest.AllowedIpChange> allowedIps = new ArrayList<>();
        OptionalInt protocolVersion = OptionalInt.empty();

        PeerBuilder(Key publicKey) {
            this.publicKey = publicKey;
        }

        void line(String key, String value) throws UapiException {
            switch (key) {
                case "update_only" -> {
                    requireTrue(value, "update_only");
                    updateOnly = true;
                }
                case "remove" -> {
                    requireTrue(value, "remove");
                    remove = true;
                }
                case "preshared_key" -> presharedKey = Optional.of(parseKey(value, "preshared_key"));
                case "endpoint" -> endpoint = Optional.of(parseEndpoint(value));
                case "persistent_keepalive_interval" ->
                        keepalive = OptionalInt.of((int) parseUnsigned(value, 0xffff, "persistent_keepalive_interval"));
                case "replace_allowed_ips" -> {
                    requireTrue(value, "replace_allowed_ips");
                    replaceAllowedIps = true;
                    allowedIps.clear();
                }
                case "allowed_ip" -> {
                    boolean minus = value.startsWith("-");
                    allowedIps.add(new SetRequest.AllowedIpChange(parsePrefix(minus ? value.substring(1) : value), minus));
                }
                case "protocol_version" -> {
                    if (!value.equals("1")) throw new UapiException(Errno.EINVAL, "invalid protocol version: " + printable(value));
                    protocolVersion = OptionalInt.of(1);
                }
                default -> throw new UapiException(Errno.EINVAL, "invalid UAPI peer key: " + printable(key));
            }
        }

        SetRequest.PeerUpdate build() {
            if (remove) return SetRequest.PeerUpdate.removal(publicKey);
            return new SetRequest.PeerUpdate(publicKey, false, updateOnly, presharedKey, endpoint, keepalive, replaceAllowedIps,
                    allowedIps, protocolVersion);
        }
    }

    // ============================================================== set (client side)

    /** The text of a {@code set=1} request, in the order wg sends it, ending in the blank line. */
    public static String formatSet(SetRequest r) {
        StringBuilder sb = new StringBuilder(64 + 300 * r.peers().size());
        sb.append("set=1\n");
        r.privateKey().ifPresent(k -> hexLine(sb, "private_key", k));
        r.listenPort().ifPresent(p -> line(sb, "listen_port", Integer.toString(p)));
        r.fwmark().ifPresent(m -> line(sb, "fwmark", Long.toString(m)));
        if (r.replacePeers()) line(sb, "replace_peers", "true");
        for (SetRequest.PeerUpdate p : r.peers()) {
            hexLine(sb, "public_key", p.publicKey());
            if (p.remove()) {
                line(sb, "remove", "true");
                continue;
            }
            if (p.updateOnly()) line(sb, "update_only", "true");
            p.protocolVersion().ifPresent(v -> line(sb, "protocol_version", Integer.toString(v)));
            p.presharedKey().ifPresent(k -> hexLine(sb, "preshared_key", k));
            p.endpoint().ifPresent(e -> line(sb, "endpoint", formatEndpoint(e)));
            p.persistentKeepalive().ifPresent(s -> line(sb, "persistent_keepalive_interval", Integer.toString(s)));
            if (p.replaceAllowedIps()) line(sb, "replace_allowed_ips", "true");
            for (SetRequest.AllowedIpChange c : p.allowedIps()) line(sb, "allowed_ip", (c.remove() ? "-" : "") + c.prefix());
        }
        sb.append('\n');
        return sb.toString();
    }

    // ============================================================== get (client side)

    /**
     * Parses a whole {@code get=1} reply (up to and including the blank line after {@code errno=}),
     * as wg does: unknown keys are ignored; device keys after the first peer are ignored.
     *
     * @throws UapiException the errno of an {@code errno=N} other than 0, or EPROTO if the reply
     *     is malformed or incomplete
     */
    public static DeviceSnapshot parseGet(String reply) throws UapiException {
        Key privateKey = null;
        int listenPort = 0;
        long fwmark = 0;
        List<PeerSnapshot> peers = new ArrayList<>();
        java.util.Map<String, Long> deviceExt = new java.util.LinkedHashMap<>();
        PeerAcc peer = null;
        Integer errno = null;
        int start = 0;
        while (true) {
            int nl = reply.indexOf('\n', start);
            if (nl < 0) throw new UapiException(Errno.EPROTO, "the reply ended without a blank line");
            String line = reply.substring(start, nl);
            start = nl + 1;
            if (line.isEmpty()) break;
            int eq = line.indexOf('=');
            if (eq < 0) throw new UapiException(Errno.EPROTO, "malformed reply line");
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1);
            try {
                switch (key) {
                    case "private_key" -> {
                        if (peer == null) privateKey = parseKey(value, key);
                    }
                    case "listen_port" -> {
                        if (peer == null) listenPort = (int) parseUnsigned(value, 0xffff, key);
                    }
                    case "fwmark" -> {
                        if (peer == null) fwmark = parseUnsigned(value, 0xffffffffL, key);
                    }
                    case "public_key" -> {
                        if (peer != null) peers.add(peer.build());
                        peer = new PeerAcc(parseKey(value, key));
                    }
                    case "errno" -> {
                        long n = Long.parseLong(value);
                        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) throw new NumberFormatException();
                        errno = (int) n;
                    }
                    default -> {
                        if (key.startsWith(JwgExtensions.PREFIX)) {
                            String k = key.substring(JwgExtensions.PREFIX.length());
                            Long v = extensionValue(k, value);
                            if (v != null) (peer == null ? deviceExt : peer.ext).put(k, v);
                        } else if (peer != null) {
                            peer.line(key, value);
                        }
                    }
                }
            } catch (UapiException | NumberFormatException e) {
                throw new UapiException(Errno.EPROTO, "malformed reply line for " + printable(key), e);
            }
        }
        if (errno == null) throw new UapiException(Errno.EPROTO, "the reply has no errno");
        if (errno != 0) throw new UapiException(Math.abs(errno), "the device replied errno=" + errno);
        if (peer != null) peers.add(peer.build());
        return new DeviceSnapshot(privateKey, listenPort, fwmark, peers, deviceExt);
    }

    private static final class PeerAcc {
        final Key publicKey;
        Key psk;
        InetSocketAddress endpoint;
        long sec, nsec, rx, tx;
        int keepalive;
        final List<IpPrefix> allowed = new ArrayList<>();
        final java.util.Map<String, Long> ext = new java.util.LinkedHashMap<>();

        PeerAcc(Key publicKey) {
            this.publicKey = publicKey;
        }

        void line(String key, String value) throws UapiException {
            switch (key) {
                case "preshared_key" -> psk = parseKey(value, key);
                case "endpoint" -> endpoint = parseEndpointLenient(value);
                case "persistent_keepalive_interval" -> keepalive = (int) parseUnsigned(value, 0xffff, key);
                case "allowed_ip" -> allowed.add(parsePrefixLenient(value));
                case "last_handshake_time_sec" -> sec = parseUnsigned(value, Long.MAX_VALUE, key);
                case "last_handshake_time_nsec" -> nsec = parseUnsigned(value, 999_999_999L, key);
                case "rx_bytes" -> rx = parseUnsigned64(value, key);
                case "tx_bytes" -> tx = parseUnsigned64(value, key);
                default -> { } // protocol_version and keys of later versions
            }
        }

        PeerSnapshot build() {
            return new PeerSnapshot(publicKey, psk, endpoint, sec, nsec, rx, tx, keepalive, allowed, ext);
        }
    }

    // ============================================================== values

    /** 64 hex digits (either case, as Go's hex decoder takes) to a key. */
    public static Key parseKey(String value, String what) throws UapiException {
        if (value.length() != 64) throw new UapiException(Errno.EINVAL, "failed to set " + what + ": not 64 hex digits");
        byte[] b = new byte[32];
        for (int i = 0; i < 32; i++) {
            int hi = Character.digit(value.charAt(2 * i), 16);
            int lo = Character.digit(value.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0 || value.charAt(2 * i) > 'f' || value.charAt(2 * i + 1) > 'f') {
                throw new UapiException(Errno.EINVAL, "failed to set " + what + ": invalid hex");
            }
            b[i] = (byte) (hi << 4 | lo);
        }
        Key k = Key.of(b);
        java.util.Arrays.fill(b, (byte) 0);
        return k;
    }

    /** Lower-case hex of a key, as on the wire. */
    public static String hex(Key k) {
        byte[] b = k.bytes();
        char[] out = new char[64];
        for (int i = 0; i < 32; i++) {
            out[2 * i] = HEX[(b[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[b[i] & 0xf];
        }
        java.util.Arrays.fill(b, (byte) 0);
        return new String(out);
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** A Curve25519 private key clamped as wireguard-go stores it; the zero key stays zero. */
    static Key clamp(Key k) {
        if (k.isZero()) return k;
        byte[] b = k.bytes();
        b[0] &= (byte) 248;
        b[31] = (byte) ((b[31] & 127) | 64);
        Key c = Key.of(b);
        java.util.Arrays.fill(b, (byte) 0);
        return c;
    }

    /** A decimal number 0..max, digits only (leading zeros allowed), as Go's ParseUint(s, 10, bits). */
    static long parseUnsigned(String value, long max, String what) throws UapiException {
        if (value.isEmpty() || value.length() > 20) throw new UapiException(Errno.EINVAL, "invalid " + what + ": " + printable(value));
        long n = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') throw new UapiException(Errno.EINVAL, "invalid " + what + ": " + printable(value));
            if (n > (max - (c - '0')) / 10) throw new UapiException(Errno.EINVAL, "invalid " + what + ": out of range");
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /** An unsigned 64-bit decimal, returned as its two's-complement long. */
    static long parseUnsigned64(String value, String what) throws UapiException {
        if (value.isEmpty() || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new UapiException(Errno.EINVAL, "invalid " + what);
        }
        try {
            return Long.parseUnsignedLong(value);
        } catch (NumberFormatException e) {
            throw new UapiException(Errno.EINVAL, "invalid " + what + ": out of range");
        }
    }

    private static void requireTrue(String value, String what) throws UapiException {
        if (!value.equals("true")) throw new UapiException(Errno.EINVAL, "failed to set " + what + ", invalid value: " + printable(value));
    }

    /**
     * An endpoint as wireguard-go's {@code netip.ParseAddrPort}: {@code A.B.C.D:PORT} or
     * {@code [IPV6]:PORT} / {@code [IPV6%ZONE]:PORT}; IP literals only, port 0-65535.
     */
    public static InetSocketAddress parseEndpoint(String value) throws UapiException {
        int colon = value.lastIndexOf(':');
        if (colon < 0) throw badEndpoint(value, "missing port");
        String host = value.substring(0, colon);
        String portText = value.substring(colon + 1);
        boolean bracketed = host.startsWith("[");
        if (bracketed) {
            if (host.length() < 2 || !host.endsWith("]")) throw badEndpoint(value, "missing ]");
            host = host.substring(1, host.length() - 1);
        }
        int port = (int) parseUnsignedOr(portText, 0xffff, -1);
        if (port < 0) throw badEndpoint(value, "invalid port");
        String zone = null;
        int percent = host.indexOf('%');
        if (percent >= 0) {
            zone = host.substring(percent + 1);
            host = host.substring(0, percent);
            if (zone.isEmpty()) throw badEndpoint(value, "empty zone");
        }
        InetAddress address;
        try {
            address = InetAddresses.parseLiteral(host);
        } catch (IllegalArgumentException e) {
            throw badEndpoint(value, "not an IP address");
        }
        boolean v6 = address instanceof Inet6Address || address.getAddress().length == 16;
        if (bracketed && !v6) throw badEndpoint(value, "square brackets can only be used with IPv6 addresses");
        if (!bracketed && v6) throw badEndpoint(value, "IPv6 addresses must be surrounded by square brackets");
        if (zone != null && !v6) throw badEndpoint(value, "a zone needs an IPv6 address");
        return new InetSocketAddress(v6 ? withZone(address.getAddress(), zone, value) : address, port);
    }

    private static InetAddress withZone(byte[] bytes, String zone, String value) throws UapiException {
        try {
            if (zone == null) return Inet6Address.getByAddress(null, bytes, -1);
            if (zone.chars().allMatch(c -> c >= '0' && c <= '9') && zone.length() <= 10) {
                return Inet6Address.getByAddress(null, bytes, (int) Long.parseLong(zone));
            }
            NetworkInterface nif = NetworkInterface.getByName(zone);
            if (nif == null || nif.getIndex() <= 0) throw badEndpoint(value, "no interface " + printable(zone) + " for the zone");
            return Inet6Address.getByAddress(null, bytes, nif.getIndex());
        } catch (UnknownHostException | SocketException e) {
            throw badEndpoint(value, e.getMessage());
        }
    }

    private static UapiException badEndpoint(String value, String why) {
        return new UapiException(Errno.EINVAL, "failed to set endpoint " + printable(value) + ": " + why);
    }

    /** Like {@link #parseEndpoint} but also {@code fd00::1:51820} and an unknown zone (dropped): for replies. */
    private static InetSocketAddress parseEndpointLenient(String value) throws UapiException {
        try {
            return parseEndpoint(value);
        } catch (UapiException e) {
            int colon = value.lastIndexOf(':');
            if (colon < 0) throw e;
            String host = value.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
            int percent = host.indexOf('%');
            if (percent >= 0) host = host.substring(0, percent);
            int port = (int) parseUnsignedOr(value.substring(colon + 1), 0xffff, -1);
            if (port < 0 || !InetAddresses.isLiteral(host)) throw e;
            return new InetSocketAddress(InetAddresses.parseLiteral(host), port);
        }
    }

    /**
     * The endpoint as wireguard-go writes it: {@code 1.2.3.4:51820}, {@code [fd00::1]:51820},
     * {@code [fe80::1%eth0]:51820}. An unresolved address is written as its host string.
     */
    public static String formatEndpoint(InetSocketAddress e) {
        InetAddress a = e.getAddress();
        if (a == null) {
            String h = e.getHostString();
            return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + e.getPort();
        }
        if (a instanceof Inet4Address) return InetAddresses.format(a) + ":" + e.getPort();
        Inet6Address a6 = (Inet6Address) a;
        String zone = "";
        if (a6.getScopedInterface() != null) zone = "%" + a6.getScopedInterface().getName();
        else if (a6.getScopeId() != 0) zone = "%" + zoneName(a6);
        return "[" + InetAddresses.format(a) + zone + "]:" + e.getPort();
    }

    /** A link-local address's scope as an interface name (as getnameinfo prints it), else the number. */
    private static String zoneName(Inet6Address a6) {
        if (a6.isLinkLocalAddress() || a6.isMCLinkLocal()) {
            try {
                NetworkInterface nif = NetworkInterface.getByIndex(a6.getScopeId());
                if (nif != null) return nif.getName();
            } catch (SocketException ignored) {
                // fall back to the number
            }
        }
        return Integer.toString(a6.getScopeId());
    }

    /**
     * An AllowedIPs prefix as Go's {@code netip.ParsePrefix}: {@code ADDRESS/BITS}, the length
     * required and without leading zeros, no IPv6 zone; host bits are allowed (and kept).
     */
    public static IpPrefix parsePrefix(String value) throws UapiException {
        int slash = value.lastIndexOf('/');
        if (slash < 0) throw badPrefix(value, "no '/'");
        String addr = value.substring(0, slash);
        String bits = value.substring(slash + 1);
        if (addr.indexOf('%') >= 0) throw badPrefix(value, "IPv6 zones cannot be present in a prefix");
        if (bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(c -> c >= '0' && c <= '9')
                || (bits.length() > 1 && bits.charAt(0) == '0')) {
            throw badPrefix(value, "bad bits");
        }
        InetAddress a;
        try {
            a = InetAddresses.parseLiteral(addr);
        } catch (IllegalArgumentException e) {
            throw badPrefix(value, "not an IP address");
        }
        byte[] b = a.getAddress();
        int length = Integer.parseInt(bits);
        if (length > b.length * 8) throw badPrefix(value, "prefix length out of range");
        return IpPrefix.of(b, length);
    }

    private static IpPrefix parsePrefixLenient(String value) throws UapiException {
        int slash = value.indexOf('/');
        if (slash < 0 || slash == value.length() - 1 || !Character.isDigit(value.charAt(slash + 1))) throw badPrefix(value, "no '/'");
        try {
            return IpPrefix.parse(value);
        } catch (IllegalArgumentException e) {
            throw badPrefix(value, e.getMessage());
        }
    }

    private static UapiException badPrefix(String value, String why) {
        return new UapiException(Errno.EINVAL, "failed to set allowed ip " + printable(value) + ": " + why);
    }

    private static long parseUnsignedOr(String value, long max, long otherwise) {
        try {
            return parseUnsigned(value, max, "");
        } catch (UapiException e) {
            return otherwise;
        }
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(key).append('=').append(value).append('\n');
    }

    private static void hexLine(StringBuilder sb, String key, Key k) {
        sb.append(key).append('=').append(hex(k)).append('\n');
    }

    /** Text safe to put in a log: at most 80 characters, control characters as '?'. */
    static String printable(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }
}
