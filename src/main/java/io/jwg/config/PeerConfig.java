package io.jwg.config;

import io.jwg.crypto.Key;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A {@code [Peer]} section: the peer's public key, an optional pre-shared key, the allowed IPs, an
 * optional endpoint and an optional persistent keepalive. Immutable; build one with
 * {@link #builder(Key)}.
 *
 * <p>AllowedIPs are kept as written, host bits included; wg warns about those and the kernel masks
 * them, so a consumer that needs networks should use {@link IpPrefix#masked()}.
 */
public final class PeerConfig {
    private final Key publicKey;
    private final Optional<Key> presharedKey;
    private final List<IpPrefix> allowedIps;
    private final Optional<Endpoint> endpoint;
    private final OptionalInt persistentKeepalive;

    private PeerConfig(Builder b) {
        this.publicKey = Objects.requireNonNull(b.publicKey, "publicKey");
        this.presharedKey = b.presharedKey;
        this.allowedIps = List.copyOf(b.allowedIps);
        this.endpoint = b.endpoint;
        this.persistentKeepalive = b.persistentKeepalive;
    }

    public static Builder builder(Key publicKey) {
        return new Builder().publicKey(publicKey);
    }

    /** A builder that starts from this configuration. */
    public Builder newBuilder() {
        return new Builder(this);
    }

    public Key publicKey() {
        return publicKey;
    }

    public Optional<Key> presharedKey() {
        return presharedKey;
    }

    /** In the order written; may be empty. */
    public List<IpPrefix> allowedIps() {
        return allowedIps;
    }

    public Optional<Endpoint> endpoint() {
        return endpoint;
    }

    /** Seconds between keepalives, 1-65535; empty is wg's 0/off. */
    public OptionalInt persistentKeepalive() {
        return persistentKeepalive;
    }

    void appendTo(StringBuilder sb) {
        sb.append("[Peer]\n");
        InterfaceConfig.line(sb, "PublicKey", publicKey.toBase64());
        presharedKey.ifPresent(k -> InterfaceConfig.line(sb, "PresharedKey", k.toBase64()));
        if (!allowedIps.isEmpty()) InterfaceConfig.line(sb, "AllowedIPs", InterfaceConfig.join(allowedIps));
        endpoint.ifPresent(e -> InterfaceConfig.line(sb, "Endpoint", e.toString()));
        persistentKeepalive.ifPresent(k -> InterfaceConfig.line(sb, "PersistentKeepalive", Integer.toString(k)));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerConfig p
                && publicKey.equals(p.publicKey)
                && presharedKey.equals(p.presharedKey)
                && allowedIps.equals(p.allowedIps)
                && endpoint.equals(p.endpoint)
                && persistentKeepalive.equals(p.persistentKeepalive);
    }

    @Override
    public int hashCode() {
        return Objects.hash(publicKey, presharedKey, allowedIps, endpoint, persistentKeepalive);
    }

    /** Shows the public key; never the pre-shared key. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("PeerConfig{publicKey=").append(publicKey.toBase64());
        if (presharedKey.isPresent()) sb.append(", presharedKey=(redacted)");
        sb.append(", allowedIps=").append(allowedIps);
        endpoint.ifPresent(e -> sb.append(", endpoint=").append(e));
        persistentKeepalive.ifPresent(k -> sb.append(", persistentKeepalive=").append(k));
        return sb.append('}').toString();
    }

    /** Builds a {@link PeerConfig}; every setter validates and throws IllegalArgumentException. */
    public static final class Builder {
        private Key publicKey;
        private Optional<Key> presharedKey = Optional.empty();
        private final List<IpPrefix> allowedIps = new ArrayList<>();
        private Optional<Endpoint> endpoint = Optional.empty();
        private OptionalInt persistentKeepalive = OptionalInt.empty();

        Builder() {}

        private Builder(PeerConfig p) {
            publicKey = p.publicKey;
            presharedKey = p.presharedKey;
            allowedIps.addAll(p.allowedIps);
            endpoint = p.endpoint;
            persistentKeepalive = p.persistentKeepalive;
        }

        public Builder publicKey(Key publicKey) {
            this.publicKey = Objects.requireNonNull(publicKey, "publicKey");
            return this;
        }

        public Builder presharedKey(Key presharedKey) {
            this.presharedKey = Optional.of(presharedKey);
            return this;
        }

        public Builder clearPresharedKey() {
            presharedKey = Optional.empty();
            return this;
        }

        public Builder addAllowedIp(IpPrefix prefix) {
            allowedIps.add(Objects.requireNonNull(prefix, "prefix"));
            return this;
        }

        /** Replaces the allowed IPs. */
        public Builder allowedIps(Collection<IpPrefix> prefixes) {
            List<IpPrefix> copy = List.copyOf(prefixes);
            allowedIps.clear();
            allowedIps.addAll(copy);
            return this;
        }

        public Builder endpoint(Endpoint endpoint) {
            this.endpoint = Optional.of(endpoint);
            return this;
        }

        public Builder clearEndpoint() {
            endpoint = Optional.empty();
            return this;
        }

        /** 0-65535 seconds; 0 turns it off (clears it). */
        public Builder persistentKeepalive(int seconds) {
            if (seconds < 0 || seconds > 65535) {
                throw new IllegalArgumentException("`" + seconds + "' is neither 0/off nor 1-65535");
            }
            persistentKeepalive = seconds == 0 ? OptionalInt.empty() : OptionalInt.of(seconds);
            return this;
        }

        public PeerConfig build() {
            return new PeerConfig(this);
        }
    }
}
