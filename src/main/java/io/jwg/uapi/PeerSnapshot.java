package io.jwg.uapi;

import io.jwg.config.IpPrefix;
import io.jwg.crypto.Key;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * One peer as {@code get=1} reports it.
 *
 * @param publicKey the peer's public key
 * @param presharedKey the pre-shared key, or null for none (an all-zero key is none)
 * @param endpoint the peer's current endpoint (an IP address and port), or null
 * @param lastHandshakeSeconds wall-clock time of the latest handshake, seconds since the epoch, 0 if none
 * @param lastHandshakeNanos the nanoseconds part of that time, 0..999,999,999
 * @param rxBytes bytes received from the peer (unsigned 64-bit)
 * @param txBytes bytes sent to the peer (unsigned 64-bit)
 * @param persistentKeepalive the persistent keepalive interval in seconds, 0 for off
 * @param allowedIps the peer's AllowedIPs
 * @param extensions jwg's extra values for this peer (see {@link JwgExtensions}), keyed without the
 *     {@code jwg_} prefix; empty unless asked for
 */
public record PeerSnapshot(Key publicKey, Key presharedKey, InetSocketAddress endpoint, long lastHandshakeSeconds,
        long lastHandshakeNanos, long rxBytes, long txBytes, int persistentKeepalive, List<IpPrefix> allowedIps,
        Map<String, Long> extensions) {
    /** A peer without extension values. */
    public PeerSnapshot(Key publicKey, Key presharedKey, InetSocketAddress endpoint, long lastHandshakeSeconds,
            long lastHandshakeNanos, long rxBytes, long txBytes, int persistentKeepalive, List<IpPrefix> allowedIps) {
        this(publicKey, presharedKey, endpoint, lastHandshakeSeconds, lastHandshakeNanos, rxBytes, txBytes, persistentKeepalive,
                allowedIps, Map.of());
    }

    public PeerSnapshot {
        if (publicKey == null) throw new IllegalArgumentException("a peer needs a public key");
        if (presharedKey != null && presharedKey.isZero()) presharedKey = null;
        if (lastHandshakeNanos < 0 || lastHandshakeNanos > 999_999_999L) {
            throw new IllegalArgumentException("lastHandshakeNanos out of range: " + lastHandshakeNanos);
        }
        if (persistentKeepalive < 0 || persistentKeepalive > 65535) {
            throw new IllegalArgumentException("persistent keepalive out of range: " + persistentKeepalive);
        }
        allowedIps = List.copyOf(allowedIps);
        extensions = JwgExtensions.copy(extensions);
    }

    /** This peer with other extension values. */
    public PeerSnapshot withExtensions(Map<String, Long> extensions) {
        return new PeerSnapshot(publicKey, presharedKey, endpoint, lastHandshakeSeconds, lastHandshakeNanos, rxBytes, txBytes,
                persistentKeepalive, allowedIps, extensions);
    }

    /** Builds the handshake time from nanoseconds since the epoch (0 = never). */
    public static PeerSnapshot of(Key publicKey, Key presharedKey, InetSocketAddress endpoint, long lastHandshakeEpochNanos,
            long rxBytes, long txBytes, int persistentKeepalive, List<IpPrefix> allowedIps) {
        return new PeerSnapshot(publicKey, presharedKey, endpoint, Math.floorDiv(lastHandshakeEpochNanos, 1_000_000_000L),
                Math.floorMod(lastHandshakeEpochNanos, 1_000_000_000L), rxBytes, txBytes, persistentKeepalive, allowedIps);
    }

    /** A summary that never shows the pre-shared key. */
    @Override
    public String toString() {
        return "PeerSnapshot{" + publicKey.toBase64() + ", psk=" + (presharedKey == null ? "none" : "set") + ", endpoint=" + endpoint
                + ", handshake=" + lastHandshakeSeconds + "." + lastHandshakeNanos + ", rx=" + Long.toUnsignedString(rxBytes)
                + ", tx=" + Long.toUnsignedString(txBytes) + ", keepalive=" + persistentKeepalive + ", allowedIps=" + allowedIps
                + (extensions.isEmpty() ? "" : ", extensions=" + extensions) + "}";
    }
}
