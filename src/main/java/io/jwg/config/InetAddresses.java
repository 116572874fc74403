package io.jwg.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP address literals as wg and wg-quick read and print them, without ever touching DNS.
 *
 * <p>Parsing is as strict as glibc's {@code inet_pton}: IPv4 is exactly four decimal parts without
 * leading zeros; IPv6 is the RFC 4291 text form, optionally ending in a dotted IPv4 address.
 * Printing matches glibc's {@code inet_ntop} (what {@code wg show} prints): lowercase, the longest
 * run of two or more zero groups compressed to {@code ::}, and {@code ::a.b.c.d} /
 * {@code ::ffff:a.b.c.d} for IPv4-compatible and IPv4-mapped addresses.
 */
public final class InetAddresses {
    private InetAddresses() {}

    /**
     * Parses an IPv4 or IPv6 literal (IPv6 if it contains a colon, as wg decides). Never resolves.
     *
     * @throws IllegalArgumentException "`TEXT' is not a valid IP address"
     */
    public static InetAddress parseLiteral(String text) {
        byte[] bytes = parseLiteralBytes(text);
        if (bytes == null) throw new IllegalArgumentException("`" + text + "' is not a valid IP address");
        return toInetAddress(bytes);
    }

    /** True if {@code text} is an IPv4 or IPv6 literal that {@link #parseLiteral} accepts. */
    public static boolean isLiteral(String text) {
        return parseLiteralBytes(text) != null;
    }

    /** The canonical text form of an address (4 or 16 bytes), without any IPv6 scope. */
    public static String format(InetAddress address) {
        return format(address.getAddress());
    }

    /**
     * The canonical text form of 4 (IPv4) or 16 (IPv6) raw bytes.
     *
     * @throws IllegalArgumentException for any other length
     */
    public static String format(byte[] address) {
        return switch (address.length) {
            case 4 -> formatIpv4(address, 0);
            case 16 -> formatIpv6(address);
            default -> throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + address.length);
        };
    }

    /** 4 or 16 bytes, or null. */
    static byte[] parseLiteralBytes(String text) {
        if (text == null) return null;
        return text.indexOf(':') >= 0 ? parseIpv6(text) : parseIpv4(text);
    }

    /**
     * Wraps raw bytes without any lookup. 16 bytes always give an {@link Inet6Address}, even for
     * IPv4-mapped addresses (which {@link InetAddress#getByAddress(byte[])} would turn into IPv4).
     */
    static InetAddress toInetAddress(byte[] bytes) {
        try {
            return bytes.length == 16
                    ? Inet6Address.getByAddress(null, bytes, -1)
                    : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + bytes.length, e);
        }
    }

    static boolean isIpv4(InetAddress a) {
        return a instanceof Inet4Address;
    }

    static byte[] parseIpv4(String s) {
        int n = s.length();
        if (n < 7 || n > 15) return null;
        byte[] out = new byte[4];
        int part = 0;
        int i = 0;
        while (true) {
            int start = i;
            int value = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                value = value * 10 + (s.charAt(i) - '0');
                i++;
                if (i - start > 3) return null;
            }
            int digits = i - start;
            if (digits == 0 || value > 255 || (digits > 1 && s.charAt(start) == '0')) return null;
            out[part++] = (byte) value;
            if (part == 4) return i == n ? out : null;
            if (i >= n || s.charAt(i) != '.') return null;
            i++;
        }
    }

    static byte[] parseIpv6(String s) {
        int n = s.length();
        if (n < 2 || n > 45) return null;
        int[] words = new int[8];
        int count = 0;
        int gap = -1; // index in words where "::" stands
        int i = 0;
        if (s.startsWith("::")) {
            gap = 0;
            i = 2;
            if (n == 2) return new byte[16];
        } else if (s.charAt(0) == ':') {
            return null;
        }
        while (i < n) {
            if (count == 8) return null;
            int start = i;
            int value = 0;
            int digit;
            while (i < n && (digit = hexDigit(s.charAt(i))) >= 0) {
                value = (value << 4 | digit) & 0xfffff;
                i++;
            }
            if (i < n && s.charAt(i) == '.') {
                byte[] v4 = count <= 6 ? parseIpv4(s.substring(start)) : null;
                if (v4 == null) return null;
                words[count++] = (v4[0] & 0xff) << 8 | (v4[1] & 0xff);
                words[count++] = (v4[2] & 0xff) << 8 | (v4[3] & 0xff);
                i = n;
                break;
            }
            if (i == start || i - start > 4) return null;
            words[count++] = value;
            if (i == n) break;
            if (s.charAt(i) != ':') return null;
            i++;
            if (i == n) return null; // a single trailing colon
            if (s.charAt(i) == ':') {
                if (gap >= 0) return null;
                gap = count;
                i++;
            }
        }
        if (gap >= 0) {
            if (count == 8) return null; // "::" must stand for at least one group
            int tail = count - gap;
            System.arraycopy(words, gap, words, 8 - tail, tail);
            for (int k = gap; k < 8 - tail; k++) words[k] = 0;
        } else if (count != 8) {
            return null;
        }
        byte[] out = new byte[16];
        for (int k = 0; k < 8; k++) {
            out[2 * k] = (byte) (words[k] >> 8);
            out[2 * k + 1] = (byte) words[k];
        }
        return out;
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    private static String formatIpv4(byte[] b, int off) {
        return (b[off] & 0xff) + "." + (b[off + 1] & 0xff) + "." + (b[off + 2] & 0xff) + "." + (b[off + 3] & 0xff);
    }

    private static String formatIpv6(byte[] b) {
        int[] words = new int[8];
        for (int k = 0; k < 8; k++) words[k] = (b[2 * k] & 0xff) << 8 | (b[2 * k + 1] & 0xff);
        int bestBase = -1, bestLen = 0;
        for (int k = 0; k < 8; ) {
            if (words[k] != 0) {
                k++;
                continue;
            }
            int start = k;
            while (k < 8 && words[k] == 0) k++;
            if (k - start > bestLen) {
                bestBase = start;
                bestLen = k - start;
            }
        }
        if (bestLen < 2) bestBase = -1;
        StringBuilder sb = new StringBuilder(39);
        for (int k = 0; k < 8; k++) {
            if (bestBase >= 0 && k >= bestBase && k < bestBase + bestLen) {
                if (k == bestBase) sb.append(':');
                continue;
            }
            if (k != 0) sb.append(':');
            if (k == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && words[5] == 0xffff))) {
                sb.append(formatIpv4(b, 12));
                return sb.toString();
            }
            sb.append(Integer.toHexString(words[k]));
        }
        if (bestBase >= 0 && bestBase + bestLen == 8) sb.append(':');
        return sb.toString();
    }
}
