package io.jwg.config;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 address with a prefix length, like {@code 10.0.0.1/24} or {@code fd00::/8}: an
 * interface {@code Address} or a peer's {@code AllowedIPs} entry. Immutable.
 *
 * <p>The host bits are kept as written ({@code 10.0.0.1/24} stays that, as an interface address
 * must); {@link #masked()} gives the network. {@link #toString()} prints the canonical form wg
 * prints, always with the length: {@code 10.0.0.1/32}, {@code fd00::1/128}.
 */
public final class IpPrefix {
    private final byte[] address;
    private final int length;

    private IpPrefix(byte[] address, int length) {
        this.address = address;
        this.length = length;
    }

    /**
     * Parses {@code ADDRESS[/LENGTH]}; a bare address gets /32 (IPv4) or /128 (IPv6), as wg does.
     * The length is decimal (leading zeros allowed, as wg's {@code strtoul}). Never resolves names.
     *
     * @throws IllegalArgumentException with a one-line reason that quotes the text
     */
    public static IpPrefix parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) throw new IllegalArgumentException("empty IP address");
        int slash = s.indexOf('/');
        String addressText = slash < 0 ? s : s.substring(0, slash);
        byte[] bytes = InetAddresses.parseLiteralBytes(addressText);
        if (bytes == null) throw new IllegalArgumentException("`" + addressText + "' is not a valid IP address");
        int max = bytes.length * 8;
        if (slash < 0) return new IpPrefix(bytes, max);
        String lengthText = s.substring(slash + 1);
        int length = -1;
        if (!lengthText.isEmpty() && lengthText.length() <= 5 && lengthText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            length = Integer.parseInt(lengthText);
        }
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("`" + s + "': the prefix length must be 0-" + max + " for " + (max == 32 ? "IPv4" : "IPv6"));
        }
        return new IpPrefix(bytes, length);
    }

    /** The prefix {@code address/length}; the host bits of {@code address} are kept. */
    public static IpPrefix of(InetAddress address, int length) {
        return of(address.getAddress(), length);
    }

    /** The prefix of 4 (IPv4) or 16 (IPv6) raw bytes; the array is copied. */
    public static IpPrefix of(byte[] address, int length) {
        if (address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + address.length);
        }
        int max = address.length * 8;
        if (length < 0 || length > max) throw new IllegalArgumentException("prefix length " + length + " is not in 0-" + max);
        return new IpPrefix(address.clone(), length);
    }

    /** The single address {@code address/32} or {@code address/128}. */
    public static IpPrefix ofHost(InetAddress address) {
        byte[] b = address.getAddress();
        return new IpPrefix(b, b.length * 8);
    }

    /** A copy of the address bytes as written (4 for IPv4, 16 for IPv6), host bits included. */
    public byte[] addressBytes() {
        return address.clone();
    }

    /** The prefix length: 0-32 for IPv4, 0-128 for IPv6. */
    public int length() {
        return length;
    }

    /** The address as written (host bits included); IPv6 stays IPv6 even when IPv4-mapped. */
    public InetAddress address() {
        return InetAddresses.toInetAddress(address);
    }

    public boolean isIpv4() {
        return address.length == 4;
    }

    public boolean isIpv6() {
        return address.length == 16;
    }

    /** 32 or 128. */
    public int maxLength() {
        return address.length * 8;
    }

    /** True for {@code 0.0.0.0/0} and {@code ::/0} (any address with length 0). */
    public boolean isDefaultRoute() {
        return length == 0;
    }

    /** True if all host bits are zero, that is {@code equals(masked())}. */
    public boolean isMasked() {
        return Arrays.equals(address, maskedBytes());
    }

    /** The network: the same length with the host bits cleared ({@code 10.0.0.1/24} → {@code 10.0.0.0/24}). */
    public IpPrefix masked() {
        return isMasked() ? this : new IpPrefix(maskedBytes(), length);
    }

    /** True if {@code candidate} is of the same family and lies within this prefix. */
    public boolean contains(InetAddress candidate) {
        return contains(candidate.getAddress());
    }

    /** Like {@link #contains(InetAddress)} for raw bytes; a different length (family) gives false. */
    public boolean contains(byte[] candidate) {
        if (candidate.length != address.length) return false;
        int full = length / 8;
        for (int i = 0; i < full; i++) {
            if (candidate[i] != address[i]) return false;
        }
        int rest = length % 8;
        if (rest == 0) return true;
        int mask = 0xff << (8 - rest) & 0xff;
        return ((candidate[full] ^ address[full]) & mask) == 0;
    }

    /** True if every address of {@code other} is in this prefix (same family, not longer than it). */
    public boolean contains(IpPrefix other) {
        return other.address.length == address.length && other.length >= length && contains(other.address);
    }

    private byte[] maskedBytes() {
        byte[] b = address.clone();
        for (int bit = length; bit < b.length * 8; bit++) {
            b[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpPrefix p && p.length == length && Arrays.equals(p.address, address);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(address) * 31 + length;
    }

    /** {@code 10.0.0.1/24}, {@code fd00::1/64}: canonical address, always with the length. */
    @Override
    public String toString() {
        return InetAddresses.format(address) + "/" + length;
    }
}
