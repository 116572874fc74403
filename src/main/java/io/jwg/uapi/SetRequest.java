package io.jwg.uapi;

import io.jwg.config.IpPrefix;
import io.jwg.crypto.Key;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A parsed {@code set=1} request: every key of the configuration protocol, validated, in a form
 * whose meaning does not depend on line order any more. Applying it with
 * {@link UapiBackend#apply} has the effect wireguard-go gives the same lines:
 * <ol>
 *   <li>{@link #privateKey()} (an all-zero key removes it; then a peer with the interface's own
 *       public key is removed), {@link #listenPort()}, {@link #fwmark()} (0 = none),
 *       {@link #replacePeers()} (remove all peers first);
 *   <li>each {@link PeerUpdate} in order (the same public key may occur more than once).
 * </ol>
 *
 * @param privateKey the new private key; a zero key means "remove the private key"
 * @param listenPort the new listen port, 0-65535 (0 = pick any)
 * @param fwmark the new fwmark, 0..2^32-1 (0 = none)
 * @param replacePeers remove every existing peer before the peer updates
 * @param peers the peer sections, in request order
 */
public record SetRequest(Optional<Key> privateKey, OptionalInt listenPort, OptionalLong fwmark, boolean replacePeers,
        List<PeerUpdate> peers) {
    public SetRequest {
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(listenPort, "listenPort");
        Objects.requireNonNull(fwmark, "fwmark");
        if (listenPort.isPresent() && (listenPort.getAsInt() < 0 || listenPort.getAsInt() > 65535)) {
            throw new IllegalArgumentException("listen port out of range: " + listenPort.getAsInt());
        }
        if (fwmark.isPresent() && (fwmark.getAsLong() < 0 || fwmark.getAsLong() > 0xffffffffL)) {
            throw new IllegalArgumentException("fwmark out of range: " + fwmark.getAsLong());
        }
        peers = List.copyOf(peers);
    }

    /** A request that changes nothing ({@code set=1} followed by a blank line). */
    public static SetRequest empty() {
        return new SetRequest(Optional.empty(), OptionalInt.empty(), OptionalLong.empty(), false, List.of());
    }

    /** A summary that never shows key material. */
    @Override
    public String toString() {
        return "SetRequest{privateKey=" + privateKey.map(k -> k.isZero() ? "remove" : "set").orElse("unchanged")
                + ", listenPort=" + listenPort + ", fwmark=" + fwmark + ", replacePeers=" + replacePeers + ", peers=" + peers + "}";
    }

    /**
     * One peer section ({@code public_key=...} and the lines after it), normalised:
     * <ul>
     *   <li>{@code remove=true} anywhere makes the section a removal (other fields empty), as in
     *       wireguard-go, where lines before it are undone by the removal and lines after it are ignored;
     *   <li>{@code update_only=true} anywhere means: only if the peer already exists (wireguard-go
     *       removes a peer the section created as soon as it sees the key);
     *   <li>{@code replace_allowed_ips=true} clears the peer's AllowedIPs; {@link #allowedIps()}
     *       holds only the changes after the last such line (earlier ones are cleared by it);
     *   <li>a repeated preshared_key, endpoint or persistent_keepalive_interval: the last one counts.
     * </ul>
     *
     * @param publicKey the peer's public key (a peer with the interface's own key is ignored)
     * @param remove remove the peer
     * @param updateOnly change the peer only if it exists; never create it
     * @param presharedKey the new pre-shared key; a zero key means none
     * @param endpoint the new endpoint (an IP literal and port; port 0 is allowed, as in wireguard-go)
     * @param persistentKeepalive the new persistent keepalive interval, 0-65535 seconds (0 = off)
     * @param replaceAllowedIps clear the peer's AllowedIPs before {@link #allowedIps()}
     * @param allowedIps AllowedIPs to add or remove, in order (host bits as written; they are masked when applied)
     * @param protocolVersion the {@code protocol_version} given, if any (always 1: others are rejected)
     */
    public record PeerUpdate(Key publicKey, boolean remove, boolean updateOnly, Optional<Key> presharedKey,
            Optional<InetSocketAddress> endpoint, OptionalInt persistentKeepalive, boolean replaceAllowedIps,
            List<AllowedIpChange> allowedIps, OptionalInt protocolVersion) {
        public PeerUpdate {
            Objects.requireNonNull(publicKey, "publicKey");
            Objects.requireNonNull(presharedKey, "presharedKey");
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(persistentKeepalive, "persistentKeepalive");
            Objects.requireNonNull(protocolVersion, "protocolVersion");
            if (persistentKeepalive.isPresent() && (persistentKeepalive.getAsInt() < 0 || persistentKeepalive.getAsInt() > 65535)) {
                throw new IllegalArgumentException("persistent keepalive out of range: " + persistentKeepalive.getAsInt());
            }
            allowedIps = List.copyOf(allowedIps);
        }

        /** A section that only names the peer (creating it if needed). */
        public static PeerUpdate of(Key publicKey) {
            return new PeerUpdate(publicKey, false, false, Optional.empty(), Optional.empty(), OptionalInt.empty(), false,
                    List.of(), OptionalInt.empty());
        }

        /** A section that removes the peer. */
        public static PeerUpdate removal(Key publicKey) {
            return new PeerUpdate(publicKey, true, false, Optional.empty(), Optional.empty(), OptionalInt.empty(), false,
                    List.of(), OptionalInt.empty());
        }

        /** A summary that never shows the pre-shared key. */
        @Override
        public String toString() {
            return "PeerUpdate{" + publicKey.toBase64() + (remove ? ", remove" : "") + (updateOnly ? ", updateOnly" : "")
                    + presharedKey.map(k -> k.isZero() ? ", psk=remove" : ", psk=set").orElse("")
                    + endpoint.map(e -> ", endpoint=" + e).orElse("")
                    + (persistentKeepalive.isPresent() ? ", keepalive=" + persistentKeepalive.getAsInt() : "")
                    + (replaceAllowedIps ? ", replaceAllowedIps" : "") + (allowedIps.isEmpty() ? "" : ", allowedIps=" + allowedIps) + "}";
        }
    }

    /** An AllowedIPs entry to add ({@code allowed_ip=PREFIX}) or remove ({@code allowed_ip=-PREFIX}). */
    public record AllowedIpChange(IpPrefix prefix, boolean remove) {
        public AllowedIpChange {
            Objects.requireNonNull(prefix, "prefix");
        }

        public static AllowedIpChange add(IpPrefix prefix) {
            return new AllowedIpChange(prefix, false);
        }

        @Override
        public String toString() {
            return (remove ? "-" : "+") + prefix;
        }
    }
}
