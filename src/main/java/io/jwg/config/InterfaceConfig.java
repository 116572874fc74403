package io.jwg.config;

import io.jwg.crypto.Key;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The {@code [Interface]} section of a wg-quick config: what wg itself reads (PrivateKey,
 * ListenPort, FwMark) plus what only wg-quick handles (Address, DNS, MTU, Table, the hooks and
 * SaveConfig). Immutable; build one with {@link #builder(Key)}.
 *
 * <p>Hook commands are kept verbatim, {@code %i} included (the caller substitutes the interface
 * name) and also any {@code #...}, which wg-quick keeps too and leaves to bash.
 */
public final class InterfaceConfig {
    /**
     * The smallest MTU jwg accepts: 576, the datagram size every IPv4 host must accept (RFC 791).
     * wg-quick does not check (ip(8) and the kernel would take 68); anything below 576 is a typo.
     */
    public static final int MIN_MTU = 576;
    /** The smallest MTU when the interface has an IPv6 address (RFC 8200); Linux drops IPv6 below it. */
    public static final int MIN_IPV6_MTU = 1280;
    /** The largest MTU: Linux's limit for a WireGuard device, 65535 minus 80 bytes of overhead. */
    public static final int MAX_MTU = 65455;

    static final Pattern SEARCH_DOMAIN = Pattern.compile("[\\x21-\\x7e&&[^,#]]{1,253}");

    private final Key privateKey;
    private final OptionalInt listenPort;
    private final OptionalLong fwMark;
    private final List<IpPrefix> addresses;
    private final List<InetAddress> dnsServers;
    private final List<String> dnsSearchDomains;
    private final OptionalInt mtu;
    private final RouteTable table;
    private final Optional<Gateway> gateway;
    private final List<String> preUp;
    private final List<String> postUp;
    private final List<String> preDown;
    private final List<String> postDown;
    private final boolean saveConfig;

    private InterfaceConfig(Builder b) {
        this.privateKey = Objects.requireNonNull(b.privateKey, "privateKey");
        this.listenPort = b.listenPort;
        this.fwMark = b.fwMark;
        this.addresses = List.copyOf(b.addresses);
        this.dnsServers = List.copyOf(b.dnsServers);
        this.dnsSearchDomains = List.copyOf(b.dnsSearchDomains);
        this.mtu = b.mtu;
        this.table = b.table;
        this.gateway = b.gateway;
        this.preUp = List.copyOf(b.preUp);
        this.postUp = List.copyOf(b.postUp);
        this.preDown = List.copyOf(b.preDown);
        this.postDown = List.copyOf(b.postDown);
        this.saveConfig = b.saveConfig;
    }

    public static Builder builder(Key privateKey) {
        return new Builder().privateKey(privateKey);
    }

    /** A builder that starts from this configuration. */
    public Builder newBuilder() {
        return new Builder(this);
    }

    public Key privateKey() {
        return privateKey;
    }

    /** The UDP port to listen on (0-65535; 0 picks one); empty picks one too. */
    public OptionalInt listenPort() {
        return listenPort;
    }

    /** The firewall mark for outgoing packets, 1-0xffffffff (unsigned); empty is wg's 0/off. */
    public OptionalLong fwMark() {
        return fwMark;
    }

    /** The interface's addresses, host bits kept ({@code 10.0.0.1/24}). */
    public List<IpPrefix> addresses() {
        return addresses;
    }

    /** DNS servers: the DNS entries that are IP addresses. */
    public List<InetAddress> dnsServers() {
        return dnsServers;
    }

    /** DNS search domains: the other DNS entries (for example {@code example.com} or {@code ~.}). */
    public List<String> dnsSearchDomains() {
        return dnsSearchDomains;
    }

    /** The MTU, {@link #MIN_MTU}-{@link #MAX_MTU}; empty means wg-quick computes it. */
    public OptionalInt mtu() {
        return mtu;
    }

    /** Where routes go; {@link RouteTable#AUTO} unless set. */
    public RouteTable table() {
        return table;
    }

    /** jwg's Gateway setting: forward and masquerade the peers' traffic out of an uplink; empty is off. */
    public Optional<Gateway> gateway() {
        return gateway;
    }

    public List<String> preUp() {
        return preUp;
    }

    public List<String> postUp() {
        return postUp;
    }

    public List<String> preDown() {
        return preDown;
    }

    public List<String> postDown() {
        return postDown;
    }

    /** Whether {@code wg-quick down} saves the running configuration back to the file. */
    public boolean saveConfig() {
        return saveConfig;
    }

    /** Appends the section; {@code full} adds wg-quick's keys (else only what {@code wg setconf} reads). */
    void appendTo(StringBuilder sb, boolean full) {
        sb.append("[Interface]\n");
        if (full) {
            if (!addresses.isEmpty()) line(sb, "Address", join(addresses));
            if (!dnsServers.isEmpty() || !dnsSearchDomains.isEmpty()) {
                List<String> dns = new ArrayList<>();
                for (InetAddress a : dnsServers) dns.add(InetAddresses.format(a));
                dns.addAll(dnsSearchDomains);
                line(sb, "DNS", String.join(", ", dns));
            }
            mtu.ifPresent(m -> line(sb, "MTU", Integer.toString(m)));
            if (!(table instanceof RouteTable.Auto)) line(sb, "Table", table.toString());
            gateway.ifPresent(g -> line(sb, "Gateway", g.toString()));
            if (saveConfig) line(sb, "SaveConfig", "true");
            for (String c : preUp) line(sb, "PreUp", c);
            for (String c : postUp) line(sb, "PostUp", c);
            for (String c : preDown) line(sb, "PreDown", c);
            for (String c : postDown) line(sb, "PostDown", c);
        }
        listenPort.ifPresent(p -> line(sb, "ListenPort", Integer.toString(p)));
        fwMark.ifPresent(m -> line(sb, "FwMark", "0x" + Long.toHexString(m)));
        line(sb, "PrivateKey", privateKey.toBase64());
    }

    static void line(StringBuilder sb, String key, String value) {
        sb.append(key).append(" = ").append(value).append('\n');
    }

    static String join(List<?> values) {
        StringBuilder sb = new StringBuilder();
        for (Object v : values) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(v);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InterfaceConfig c
                && privateKey.equals(c.privateKey)
                && listenPort.equals(c.listenPort)
                && fwMark.equals(c.fwMark)
                && addresses.equals(c.addresses)
                && dnsServers.equals(c.dnsServers)
                && dnsSearchDomains.equals(c.dnsSearchDomains)
                && mtu.equals(c.mtu)
                && table.equals(c.table)
                && gateway.equals(c.gateway)
                && preUp.equals(c.preUp)
                && postUp.equals(c.postUp)
                && preDown.equals(c.preDown)
                && postDown.equals(c.postDown)
                && saveConfig == c.saveConfig;
    }

    @Override
    public int hashCode() {
        return Objects.hash(privateKey, listenPort, fwMark, addresses, dnsServers, dnsSearchDomains, mtu, table, gateway,
                preUp, postUp, preDown, postDown, saveConfig);
    }

    /** A summary that never shows the private key. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("InterfaceConfig{privateKey=(redacted)");
        listenPort.ifPresent(p -> sb.append(", listenPort=").append(p));
        fwMark.ifPresent(m -> sb.append(", fwMark=0x").append(Long.toHexString(m)));
        if (!addresses.isEmpty()) sb.append(", addresses=").append(addresses);
        if (!dnsServers.isEmpty()) sb.append(", dnsServers=").append(dnsServers.stream().map(InetAddresses::format).toList());
        if (!dnsSearchDomains.isEmpty()) sb.append(", dnsSearchDomains=").append(dnsSearchDomains);
        mtu.ifPresent(m -> sb.append(", mtu=").append(m));
        sb.append(", table=").append(table);
        gateway.ifPresent(g -> sb.append(", gateway=").append(g));
        if (!preUp.isEmpty()) sb.append(", preUp=").append(preUp);
        if (!postUp.isEmpty()) sb.append(", postUp=").append(postUp);
        if (!preDown.isEmpty()) sb.append(", preDown=").append(preDown);
        if (!postDown.isEmpty()) sb.append(", postDown=").append(postDown);
        if (saveConfig) sb.append(", saveConfig=true");
        return sb.append('}').toString();
    }

    /** Validates hook commands: one line of text, stripped, not empty. */
    static String checkHook(String command) {
        String c = command.strip();
        if (c.isEmpty()) throw new IllegalArgumentException("empty hook command");
        if (c.chars().anyMatch(ch -> ch == '\n' || ch == '\r' || ch == 0)) {
            throw new IllegalArgumentException("a hook command must be a single line");
        }
        return c;
    }

    /** Builds an {@link InterfaceConfig}; every setter validates and throws IllegalArgumentException. */
    public static final class Builder {
        private Key privateKey;
        private OptionalInt listenPort = OptionalInt.empty();
        private OptionalLong fwMark = OptionalLong.empty();
        private final List<IpPrefix> addresses = new ArrayList<>();
        private final List<InetAddress> dnsServers = new ArrayList<>();
        private final List<String> dnsSearchDomains = new ArrayList<>();
        private OptionalInt mtu = OptionalInt.empty();
        private RouteTable table = RouteTable.AUTO;
        private Optional<Gateway> gateway = Optional.empty();
        private final List<String> preUp = new ArrayList<>();
        private final List<String> postUp = new ArrayList<>();
        private final List<String> preDown = new ArrayList<>();
        private final List<String> postDown = new ArrayList<>();
        private boolean saveConfig;

        Builder() {}

        private Builder(InterfaceConfig c) {
            privateKey = c.privateKey;
            listenPort = c.listenPort;
            fwMark = c.fwMark;
            addresses.addAll(c.addresses);
            dnsServers.addAll(c.dnsServers);
            dnsSearchDomains.addAll(c.dnsSearchDomains);
            mtu = c.mtu;
            table = c.table;
            gateway = c.gateway;
            preUp.addAll(c.preUp);
            postUp.addAll(c.postUp);
            preDown.addAll(c.preDown);
            postDown.addAll(c.postDown);
            saveConfig = c.saveConfig;
        }

        public Builder privateKey(Key privateKey) {
            this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
            return this;
        }

        /** 0-65535; 0 lets the system pick a port. */
        public Builder listenPort(int port) {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("`" + port + "' is not a valid port (0-65535)");
            listenPort = OptionalInt.of(port);
            return this;
        }

        public Builder clearListenPort() {
            listenPort = OptionalInt.empty();
            return this;
        }

        /** 0-0xffffffff as an unsigned number; 0 means off (clears it). */
        public Builder fwMark(long mark) {
            if (mark < 0 || mark > 0xffffffffL) throw new IllegalArgumentException("`" + mark + "' is neither 0/off nor 0-0xffffffff");
            fwMark = mark == 0 ? OptionalLong.empty() : OptionalLong.of(mark);
            return this;
        }

        public Builder addAddress(IpPrefix address) {
            addresses.add(Objects.requireNonNull(address, "address"));
            return this;
        }

        /** Replaces the addresses. */
        public Builder addresses(Collection<IpPrefix> addresses) {
            List<IpPrefix> copy = List.copyOf(addresses);
            this.addresses.clear();
            this.addresses.addAll(copy);
            return this;
        }

        /** An IPv4 or IPv6 DNS server (an IPv6 scope is not supported). */
        public Builder addDnsServer(InetAddress server) {
            Objects.requireNonNull(server, "server");
            if (server instanceof Inet6Address a6 && (a6.getScopeId() != 0 || a6.getScopedInterface() != null)) {
                throw new IllegalArgumentException("scoped IPv6 DNS servers are not supported");
            }
            dnsServers.add(InetAddresses.toInetAddress(server.getAddress()));
            return this;
        }

        /** Replaces the DNS servers. */
        public Builder dnsServers(Collection<? extends InetAddress> servers) {
            List<InetAddress> copy = List.copyOf(servers);
            dnsServers.clear();
            copy.forEach(this::addDnsServer);
            return this;
        }

        /** A search domain: printable ASCII without spaces, commas or '#' (for example {@code example.com}, {@code ~.}). */
        public Builder addDnsSearchDomain(String domain) {
            if (!SEARCH_DOMAIN.matcher(domain).matches()) {
                throw new IllegalArgumentException("`" + domain + "' is not a valid DNS search domain");
            }
            dnsSearchDomains.add(domain);
            return this;
        }

        /** Replaces the DNS search domains. */
        public Builder dnsSearchDomains(Collection<String> domains) {
            List<String> copy = List.copyOf(domains);
            dnsSearchDomains.clear();
            copy.forEach(this::addDnsSearchDomain);
            return this;
        }

        /** {@link #MIN_MTU}-{@link #MAX_MTU} (at least {@link #MIN_IPV6_MTU} with IPv6 addresses, checked by build()). */
        public Builder mtu(int mtu) {
            if (mtu < MIN_MTU || mtu > MAX_MTU) {
                throw new IllegalArgumentException("`" + mtu + "' is not a valid MTU (" + MIN_MTU + "-" + MAX_MTU + ")");
            }
            this.mtu = OptionalInt.of(mtu);
            return this;
        }

        public Builder clearMtu() {
            mtu = OptionalInt.empty();
            return this;
        }

        public Builder table(RouteTable table) {
            this.table = Objects.requireNonNull(table, "table");
            return this;
        }

        /** Makes the interface a gateway through this uplink ({@link Gateway#AUTO}: the default route's). */
        public Builder gateway(Gateway gateway) {
            this.gateway = Optional.of(Objects.requireNonNull(gateway, "gateway"));
            return this;
        }

        /** No gateway (the default). */
        public Builder clearGateway() {
            gateway = Optional.empty();
            return this;
        }

        public Builder addPreUp(String command) {
            preUp.add(checkHook(command));
            return this;
        }

        public Builder addPostUp(String command) {
            postUp.add(checkHook(command));
            return this;
        }

        public Builder addPreDown(String command) {
            preDown.add(checkHook(command));
            return this;
        }

        public Builder addPostDown(String command) {
            postDown.add(checkHook(command));
            return this;
        }

        /** Replaces the PreUp commands. */
        public Builder preUp(Collection<String> commands) {
            return replaceHooks(preUp, commands);
        }

        /** Replaces the PostUp commands. */
        public Builder postUp(Collection<String> commands) {
            return replaceHooks(postUp, commands);
        }

        /** Replaces the PreDown commands. */
        public Builder preDown(Collection<String> commands) {
            return replaceHooks(preDown, commands);
        }

        /** Replaces the PostDown commands. */
        public Builder postDown(Collection<String> commands) {
            return replaceHooks(postDown, commands);
        }

        private Builder replaceHooks(List<String> hooks, Collection<String> commands) {
            List<String> checked = commands.stream().map(InterfaceConfig::checkHook).toList();
            hooks.clear();
            hooks.addAll(checked);
            return this;
        }

        public Builder saveConfig(boolean saveConfig) {
            this.saveConfig = saveConfig;
            return this;
        }

        /**
         * @throws IllegalArgumentException if the MTU is below {@link #MIN_IPV6_MTU} while there is an
         *     IPv6 address
         * @throws NullPointerException if there is no private key
         */
        public InterfaceConfig build() {
            Objects.requireNonNull(privateKey, "privateKey");
            if (mtu.isPresent() && mtu.getAsInt() < MIN_IPV6_MTU) {
                for (IpPrefix a : addresses) {
                    if (a.isIpv6()) throw new IllegalArgumentException(mtuTooSmallForIpv6(mtu.getAsInt(), a));
                }
            }
            return new InterfaceConfig(this);
        }

        static String mtuTooSmallForIpv6(int mtu, IpPrefix address) {
            return "`" + mtu + "' is below " + MIN_IPV6_MTU + ", the minimum MTU for IPv6 (Address " + address + ")";
        }
    }
}
