package io.jwg.api;

import io.jwg.config.IpPrefix;
import io.jwg.crypto.Key;
import io.jwg.device.DropReason;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a running tunnel knows about one peer at one moment (what {@code wg show} shows, plus jwg's
 * counters). Immutable.
 *
 * @param publicKey the peer's public key
 * @param endpoint where the peer's packets go now (configured, or learned from its packets), if known
 * @param latestHandshake when the latest handshake completed, if any
 * @param keypairAge how old the current session's keys are, if there is a session
 * @param rxBytes bytes received from the peer (WireGuard messages, as {@code wg show} counts them)
 * @param txBytes bytes sent to the peer
 * @param persistentKeepalive the keepalive interval, {@link Duration#ZERO} for off
 * @param allowedIps the peer's AllowedIPs
 * @param drops packets of this peer dropped so far, by {@link DropReason#peerLevel() peer-level} reason
 */
public record PeerStatus(Key publicKey, Optional<InetSocketAddress> endpoint, Optional<Instant> latestHandshake,
        Optional<Duration> keypairAge, long rxBytes, long txBytes, Duration persistentKeepalive, List<IpPrefix> allowedIps,
        Map<DropReason, Long> drops) {
    /** Copies the AllowedIPs and drop counters (the record is immutable). */
    public PeerStatus {
        allowedIps = List.copyOf(allowedIps);
        drops = Map.copyOf(drops);
    }

    /** True once a handshake has completed (the peer has answered at least once). */
    public boolean hasHandshake() {
        return latestHandshake.isPresent();
    }
}
