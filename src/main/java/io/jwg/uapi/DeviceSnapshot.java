package io.jwg.uapi;

import io.jwg.crypto.Key;
import java.util.List;
import java.util.Map;

/**
 * What {@code get=1} reports about a device: its interface settings and its peers.
 *
 * @param privateKey the interface's private key, or null if it has none (an all-zero key is none)
 * @param listenPort the UDP port, 0 if not listening (then {@code listen_port} is not sent)
 * @param fwmark the socket mark, 0..2^32-1, 0 for none (then {@code fwmark} is not sent)
 * @param peers the peers in the order they are reported
 * @param extensions jwg's extra device values (see {@link JwgExtensions}), keyed without the
 *     {@code jwg_} prefix; empty unless asked for with {@link UapiClient#getExtended}
 */
public record DeviceSnapshot(Key privateKey, int listenPort, long fwmark, List<PeerSnapshot> peers, Map<String, Long> extensions) {
    /** A snapshot without extension values. */
    public DeviceSnapshot(Key privateKey, int listenPort, long fwmark, List<PeerSnapshot> peers) {
        this(privateKey, listenPort, fwmark, peers, Map.of());
    }

    public DeviceSnapshot {
        if (listenPort < 0 || listenPort > 65535) throw new IllegalArgumentException("listen port out of range: " + listenPort);
        if (fwmark < 0 || fwmark > 0xffffffffL) throw new IllegalArgumentException("fwmark out of range: " + fwmark);
        if (privateKey != null && privateKey.isZero()) privateKey = null;
        peers = List.copyOf(peers);
        extensions = JwgExtensions.copy(extensions);
    }

    /** This snapshot with other extension values. */
    public DeviceSnapshot withExtensions(Map<String, Long> extensions) {
        return new DeviceSnapshot(privateKey, listenPort, fwmark, peers, extensions);
    }

    /** The public key of {@link #privateKey()}, or null without one. */
    public Key publicKey() {
        return privateKey == null ? null : privateKey.publicKey();
    }

    /** A summary that never shows key material. */
    @Override
    public String toString() {
        return "DeviceSnapshot{privateKey=" + (privateKey == null ? "none" : "set") + ", listenPort=" + listenPort
                + ", fwmark=" + fwmark + ", peers=" + peers + (extensions.isEmpty() ? "" : ", extensions=" + extensions) + "}";
    }
}
