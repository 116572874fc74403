package io.jwg.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * A peer's {@code Endpoint} as written in a config: a host (IPv4 address, IPv6 address or host
 * name) and a UDP port, not yet resolved. Immutable.
 *
 * <p>Accepted forms, as wg accepts them: {@code 1.2.3.4:51820}, {@code [fd00::1]:51820},
 * {@code [fe80::1%eth0]:51820}, {@code vpn.example.com:51820}, and also an unbracketed IPv6 address
 * where the last colon starts the port ({@code fd00::1:51820} is {@code [fd00::1]:51820}). The
 * port is a decimal number 1-65535 (wg would also take a service name from /etc/services; jwg does
 * not). {@link #toString()} prints the form wg prints: {@code 1.2.3.4:51820}, {@code [fd00::1]:51820}.
 */
public final class Endpoint {
    /** Letters, digits, '-' and '_' in dot-separated labels of 1-63 characters; an optional final dot. */
    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,254}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\\.?");
    private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");
    private static final Pattern SCOPE = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

    private final String host;
    private final int port;
    private final boolean ipv6;
    private final boolean literal;

    private Endpoint(String host, int port, boolean ipv6, boolean literal) {
        this.host = host;
        this.port = port;
        this.ipv6 = ipv6;
        this.literal = literal;
    }

    /**
     * Parses {@code HOST:PORT} or {@code [HOST]:PORT}. Does not resolve anything.
     *
     * @throws IllegalArgumentException with a one-line reason that quotes the text
     */
    public static Endpoint parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) throw new IllegalArgumentException("empty endpoint");
        String hostText;
        String portText;
        if (s.charAt(0) == '[') {
            int close = s.indexOf(']');
            if (close < 0) throw new IllegalArgumentException("`" + s + "': no matching `]'");
            hostText = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.startsWith(":") || rest.length() == 1) throw noPort(s);
            portText = rest.substring(1);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0 || colon == s.length() - 1) throw noPort(s);
            hostText = s.substring(0, colon);
            portText = s.substring(colon + 1);
        }
        if (hostText.isEmpty()) throw new IllegalArgumentException("`" + s + "': the host is missing");
        int port = parsePort(portText);
        if (port < 1) throw new IllegalArgumentException("`" + s + "': the port must be a number 1-65535");
        try {
            return of(hostText, port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("`" + s + "': " + e.getMessage(), e);
        }
    }

    /**
     * An endpoint from a host (IPv4 or IPv6 literal, without brackets, optionally with a
     * {@code %scope}; or a host name) and a port 1-65535. IP literals are stored in canonical form.
     *
     * @throws IllegalArgumentException if the host or the port is not valid
     */
    public static Endpoint of(String host, int port) {
        if (port < 1 || port > 65535) throw new IllegalArgumentException("the port must be a number 1-65535, not " + port);
        if (host.indexOf(':') >= 0) {
            int percent = host.indexOf('%');
            String addressText = percent < 0 ? host : host.substring(0, percent);
            byte[] bytes = InetAddresses.parseIpv6(addressText);
            if (bytes == null) throw new IllegalArgumentException("`" + addressText + "' is not a valid IPv6 address");
            String canonical = InetAddresses.format(bytes);
            if (percent >= 0) {
                String scope = host.substring(percent + 1);
                if (!SCOPE.matcher(scope).matches()) throw new IllegalArgumentException("`" + scope + "' is not a valid IPv6 scope");
                canonical += "%" + scope;
            }
            return new Endpoint(canonical, port, true, true);
        }
        if (DIGITS_AND_DOTS.matcher(host).matches()) {
            if (InetAddresses.parseIpv4(host) == null) throw new IllegalArgumentException("`" + host + "' is not a valid IPv4 address");
            return new Endpoint(host, port, false, true);
        }
        if (!HOST_NAME.matcher(host).matches()) throw new IllegalArgumentException("`" + host + "' is not a valid host name");
        return new Endpoint(host, port, false, false);
    }

    /** The endpoint of a resolved socket address (for example one a peer roamed to), as an IP literal. */
    public static Endpoint of(InetSocketAddress address) {
        if (address.isUnresolved()) return of(address.getHostString(), address.getPort());
        return of(address.getAddress(), address.getPort());
    }

    /** The endpoint of an address and port; an IPv6 scope id is kept as a number. */
    public static Endpoint of(InetAddress address, int port) {
        String host = InetAddresses.format(address);
        if (address instanceof Inet6Address a6 && a6.getScopeId() != 0) host += "%" + a6.getScopeId();
        return of(host, port);
    }

    /** The host without brackets: {@code 1.2.3.4}, {@code fd00::1}, {@code fe80::1%eth0} or a host name. */
    public String host() {
        return host;
    }

    /** The UDP port, 1-65535. */
    public int port() {
        return port;
    }

    /** True if the host is an IP address rather than a name that needs DNS. */
    public boolean isIpLiteral() {
        return literal;
    }

    /**
     * The socket address: IP literals convert without any lookup; a host name is resolved with
     * {@link InetAddress#getByName} (the system resolver; the first address it gives).
     *
     * @throws UnknownHostException "Unable to resolve endpoint `HOST:PORT': ..." when the name is unknown
     */
    public InetSocketAddress resolve() throws UnknownHostException {
        InetAddress address;
        if (literal && host.indexOf('%') < 0) {
            address = InetAddresses.toInetAddress(InetAddresses.parseLiteralBytes(host));
        } else {
            try {
                address = InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                String why = e.getMessage() == null || e.getMessage().equals(host) ? "host not found" : e.getMessage();
                UnknownHostException clear = new UnknownHostException("Unable to resolve endpoint `" + this + "': " + why);
                clear.initCause(e);
                throw clear;
            }
        }
        return new InetSocketAddress(address, port);
    }

    /** A decimal port 0-65535 (leading zeros allowed, as getaddrinfo takes them), else -1. */
    static int parsePort(String text) {
        if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9')) return -1;
        String digits = text.replaceFirst("^0+(?=.)", "");
        if (digits.length() > 5) return -1;
        int port = Integer.parseInt(digits);
        return port <= 65535 ? port : -1;
    }

    private static IllegalArgumentException noPort(String s) {
        return new IllegalArgumentException("`" + s + "': the port is missing (expected HOST:PORT or [IPV6]:PORT)");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Endpoint e && e.port == port && e.host.equals(host);
    }

    @Override
    public int hashCode() {
        return host.hashCode() * 31 + port;
    }

    /** {@code 1.2.3.4:51820}, {@code [fd00::1]:51820}, {@code vpn.example.com:51820}. */
    @Override
    public String toString() {
        return ipv6 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
