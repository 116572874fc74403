package io.jwg.api;

import io.jwg.config.Config;
import io.jwg.config.ConfigException;
import io.jwg.config.Endpoint;
import io.jwg.config.InterfaceConfig;
import io.jwg.config.InterfaceName;
import io.jwg.config.IpPrefix;
import io.jwg.config.PeerConfig;
import io.jwg.crypto.Key;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The configuration of a tunnel: an interface name and a wg-quick configuration (the
 * {@code [Interface]} and {@code [Peer]} sections of a {@code wg0.conf}). Immutable; build one with
 * {@link #builder}, or read a file with {@link #parse(Path)}.
 *
 * <p>A {@link UserspaceTunnel} uses PrivateKey, ListenPort, FwMark, Address (as its own addresses:
 * {@link UserspaceTunnel#addresses()}), MTU (default 1420) and the peers; a {@link SystemTunnel}
 * uses everything wg-quick does (DNS, Table, hooks, SaveConfig too).
 */
public final class TunnelConfig {
    private final String name;
    private final Config config;

    private TunnelConfig(String name, Config config) {
        this.name = InterfaceName.validate(name);
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Wraps a parsed configuration.
     *
     * @param name the interface name (1-15 characters of {@code [a-zA-Z0-9_=+.-]})
     */
    public static TunnelConfig of(String name, Config config) {
        return new TunnelConfig(name, config);
    }

    /**
     * Reads a wg-quick config file; the interface is named after the file ({@code wg0.conf} →
     * {@code wg0}).
     *
     * @throws ConfigException {@code FILE:LINE: what is wrong}, for the first problem in the file
     * @throws IllegalArgumentException if the file name is not {@code NAME.conf} with a valid name
     */
    public static TunnelConfig parse(Path file) throws IOException, ConfigException {
        return new TunnelConfig(InterfaceName.interfaceNameOf(file), Config.parse(file));
    }

    /** Parses wg-quick config text for an interface called {@code name}. */
    public static TunnelConfig parse(String name, String text) throws ConfigException {
        return new TunnelConfig(name, Config.parse(text, name + ".conf"));
    }

    /** Starts a configuration for an interface called {@code name}. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Starts a {@code [Peer]} section for the peer with this public key. */
    public static PeerBuilder peer(Key publicKey) {
        return new PeerBuilder(publicKey);
    }

    /** Starts a {@code [Peer]} section for the peer with this public key (base64, as wg prints it). */
    public static PeerBuilder peer(String publicKeyBase64) {
        return new PeerBuilder(Key.fromBase64(publicKeyBase64));
    }

    /** The interface name. */
    public String name() {
        return name;
    }

    /** The wg-quick configuration. */
    public Config config() {
        return config;
    }

    /** The public key peers must be configured with (derived from the private key). */
    public Key publicKey() {
        return config.interfaceConfig().privateKey().publicKey();
    }

    /** The configuration as a wg-quick file's text (it contains the private key: keep it private). */
    public String toWgQuickText() {
        return config.toWgQuickText();
    }

    /** Shows the name and the peers; never key material. */
    @Override
    public String toString() {
        return "TunnelConfig{" + name + ", " + config + "}";
    }

    /** Builds a {@link TunnelConfig}: at least {@link #privateKey} is required. */
    public static final class Builder {
        private final String name;
        private Key privateKey;
        private Integer listenPort;
        private Integer mtu;
        private Long fwmark;
        private final List<IpPrefix> addresses = new ArrayList<>();
        private final List<PeerConfig> peers = new ArrayList<>();

        private Builder(String name) {
            this.name = InterfaceName.validate(name);
        }

        /** The interface's private key. */
        public Builder privateKey(Key key) {
            this.privateKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /** The interface's private key, base64 as {@code wg genkey} prints it. */
        public Builder privateKey(String base64) {
            return privateKey(Key.fromBase64(base64));
        }

        /** The UDP port to listen on (default: any free port). */
        public Builder listenPort(int port) {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("listen port out of range: " + port);
            this.listenPort = port;
            return this;
        }

        /** The MTU: the largest IP packet the tunnel carries (default 1420). */
        public Builder mtu(int mtu) {
            this.mtu = mtu;
            return this;
        }

        /** The firewall mark of the tunnel's UDP packets (0 = none). */
        public Builder fwmark(long mark) {
            this.fwmark = mark;
            return this;
        }

        /** Adds an address of the interface, e.g. {@code 10.7.0.2/32} or {@code fd00::2/128}. */
        public Builder address(String cidr) {
            addresses.add(IpPrefix.parse(cidr));
            return this;
        }

        /** Adds a peer. */
        public Builder peer(PeerBuilder peer) {
            peers.add(peer.build());
            return this;
        }

        /**
         * The configuration.
         *
         * @throws IllegalArgumentException if a value is invalid (no private key, two peers with one key, ...)
         */
        public TunnelConfig build() {
            if (privateKey == null) throw new IllegalArgumentException("a tunnel needs a private key");
            InterfaceConfig.Builder ib = InterfaceConfig.builder(privateKey);
            if (listenPort != null) ib.listenPort(listenPort);
            if (mtu != null) ib.mtu(mtu);
            if (fwmark != null) ib.fwMark(fwmark);
            ib.addresses(addresses);
            return new TunnelConfig(name, Config.of(ib.build(), peers));
        }
    }

    /** Builds one {@code [Peer]} section. */
    public static final class PeerBuilder {
        private final PeerConfig.Builder b;

        private PeerBuilder(Key publicKey) {
            b = PeerConfig.builder(publicKey);
        }

        /** Where to send the first handshake: {@code host:port}, {@code 1.2.3.4:51820} or {@code [fd00::1]:51820}. */
        public PeerBuilder endpoint(String hostAndPort) {
            b.endpoint(Endpoint.parse(hostAndPort));
            return this;
        }

        /** Where to send the first handshake. */
        public PeerBuilder endpoint(InetAddress address, int port) {
            b.endpoint(Endpoint.of(address, port));
            return this;
        }

        /** Adds AllowedIPs: comma-separated prefixes, e.g. {@code 10.7.0.0/24, fd00::/64}. */
        public PeerBuilder allowedIps(String prefixes) {
            for (String p : prefixes.split(",")) {
                if (!p.isBlank()) b.addAllowedIp(IpPrefix.parse(p.strip()));
            }
            return this;
        }

        /** The pre-shared key (an extra symmetric secret, {@code wg genpsk}). */
        public PeerBuilder presharedKey(Key psk) {
            b.presharedKey(psk);
            return this;
        }

        /** Sends a keepalive this often (seconds, 1-65535) so that NAT mappings stay open; 0 = off. */
        public PeerBuilder persistentKeepalive(int seconds) {
            b.persistentKeepalive(seconds);
            return this;
        }

        PeerConfig build() {
            return b.build();
        }
    }
}
