package io.jwg.quick;

import io.jwg.config.Config;
import io.jwg.config.InterfaceConfig;
import io.jwg.config.IpPrefix;
import io.jwg.config.PeerConfig;
import io.jwg.config.RouteTable;
import io.jwg.device.Device;
import io.jwg.device.Peer;
import io.jwg.gateway.FullTunnel;
import io.jwg.gateway.NatGateway;
import io.jwg.net.LinuxUdp;
import io.jwg.net.UdpTransport;
import io.jwg.noise.Clock;
import io.jwg.os.Firewall;
import io.jwg.os.IpCommand;
import io.jwg.os.Privileges;
import io.jwg.os.Resolvconf;
import io.jwg.os.Sysctl;
import io.jwg.tun.LinuxTun;
import io.jwg.tun.Tun;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code wg-quick up} does, for a jwg device: creates the TUN interface, configures the
 * device from a wg-quick config, sets MTU, addresses, DNS and routes (full tunnel and Gateway: io.jwg.gateway),
 * runs the hooks; {@link #close()}
 * undoes all of it in reverse order. Used by {@code jwg up}.
 */
public final class QuickInterface implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(QuickInterface.class);
    static final int DEFAULT_MTU = 1420;

    private final String name;
    private final Config config;
    private final List<Runnable> undo = new ArrayList<>();
    private final IpCommand ip = IpCommand.host();
    private Device device;
    private io.jwg.uapi.UapiServer uapi;
    private java.nio.file.Path keyLog;
    private java.nio.file.Path saveTo;

    /** With SaveConfig = true, where the running configuration is written back on teardown. */
    public void saveConfigTo(java.nio.file.Path file) {
        this.saveTo = file;
    }

    /** The device's current configuration in wg-quick form (what SaveConfig writes). */
    public Config currentConfig() {
        InterfaceConfig.Builder ib = config.interfaceConfig().newBuilder();
        io.jwg.crypto.Key pk = device.privateKey();
        if (pk != null) ib.privateKey(pk);
        ib.listenPort(device.listenPort());
        if (device.fwmark() != 0) ib.fwMark(device.fwmark() & 0xffffffffL);
        List<PeerConfig> peers = new ArrayList<>();
        for (Peer p : device.peers()) {
            PeerConfig.Builder pb = PeerConfig.builder(p.publicKey());
            if (p.presharedKey() != null) pb.presharedKey(p.presharedKey());
            for (io.jwg.device.AllowedIps.Entry<Peer> e : device.allowedIpsOf(p)) pb.addAllowedIp(IpPrefix.of(e.address(), e.prefixLength()));
            if (p.endpoint() != null) pb.endpoint(io.jwg.config.Endpoint.of(p.endpoint().socketAddress()));
            if (p.persistentKeepaliveSeconds() > 0) pb.persistentKeepalive(p.persistentKeepaliveSeconds());
            peers.add(pb.build());
        }
        return Config.of(ib.build(), peers);
    }
    private boolean closed;
    /** Set once bring-up finished: only then do PreDown/PostDown and SaveConfig run (as in wg-quick). */
    private boolean upComplete;

    private QuickInterface(String name, Config config) {
        this.name = name;
        this.config = config;
    }

    public String name() {
        return name;
    }

    public Device device() {
        return device;
    }

    /** The interface's UAPI server (configuration changes go through it, as `wg set` does). */
    public io.jwg.uapi.UapiServer uapi() {
        return uapi;
    }

    /** The configuration the interface was brought up with. */
    public Config config() {
        return config;
    }

    /** Runs action when the interface disappears from under us (e.g. `ip link delete`). */
    public void onInterfaceGone(Runnable action) {
        device.onTunGone(action);
    }

    /**
     * Brings the interface up. On any failure everything done so far is undone and an IOException
     * with a one-line message is thrown.
     */
    public static QuickInterface up(String name, Config config) throws IOException {
        return up(name, config, null);
    }

    /**
     * Like {@link #up(String, Config)}; with keyLog non-null, every handshake's secrets are appended
     * to that file in Wireshark's format (debugging only: the file decrypts the tunnel).
     */
    public static QuickInterface up(String name, Config config, java.nio.file.Path keyLog) throws IOException {
        QuickInterface q = new QuickInterface(name, config);
        q.keyLog = keyLog;
        try {
            q.bringUp();
            return q;
        } catch (IOException | RuntimeException e) {
            q.close();
            throw e;
        }
    }

    private void bringUp() throws IOException {
        InterfaceConfig ic = config.interfaceConfig();
        Privileges.requireNetAdmin();
        Preload.start();
        if (ip.exists(name)) throw new IOException("interface " + name + " already exists");
        Hooks.run("PreUp", ic.preUp(), name);

        // before the TUN device exists (which does not change the routes), while the native
        // bindings it needs may still be initialising on another thread (prepare)
        int mtu = ic.mtu().isPresent() ? ic.mtu().getAsInt() : derivedMtu();
        Tun tun = LinuxTun.create(name);
        undo.add(() -> closeQuietly(tun));
        device = new Device(ic.privateKey(), tun, LinuxUdp::open, ic.listenPort().orElse(0), mtu, Clock.SYSTEM);
        undo.add(0, device::close);
        if (keyLog != null) {
            io.jwg.device.KeyLogFile kl = new io.jwg.device.KeyLogFile(keyLog);
            device.setKeyLog(kl);
            undo.add(() -> closeQuietly(kl));
            log.warn("KEY LOGGING IS ON: handshake secrets go to {}; anyone who reads it can decrypt this tunnel", keyLog);
        }
        configure(device, config);
        uapi = io.jwg.uapi.UapiServer.start(name, new io.jwg.uapi.DeviceBackend(device));
        undo.add(0, uapi::close);
        // running before the link is up, so that the first packet routed into it starts a handshake at once
        device.start();

        List<String> addresses = ic.addresses().stream().map(IpPrefix::toString).toList();
        ip.configureLink(name, mtu, addresses); // one `ip -batch`: MTU, addresses, up
        undo.add(0, Resolvconf.system().apply(name, ic.dnsServers(), ic.dnsSearchDomains())::close);
        addRoutes(ic.table());
        if (ic.gateway().isPresent()) {
            List<IpPrefix> allowed = config.peers().stream().flatMap(pc -> pc.allowedIps().stream()).toList();
            undo.add(0, NatGateway.install(name, ic.gateway().get(), ic.addresses(), allowed, ip, Sysctl.system(), Firewall.backend())::close);
        }
        Hooks.run("PostUp", ic.postUp(), name);
        upComplete = true;
        log.info("interface {} is up: listening on UDP port {}, MTU {}, {} peer(s)", name, device.listenPort(), mtu, config.peers().size());
    }

    /**
     * Applies a config's UAPI part to a new device: its fwmark and every [Peer] (the private key,
     * listen port and MTU are given when the device is created). Also used by the embeddable API's
     * userspace tunnels, so both kinds are configured the same way.
     */
    public static void configure(Device device, Config config) throws IOException {
        InterfaceConfig ic = config.interfaceConfig();
        if (ic.fwMark().isPresent()) device.setFwmark((int) ic.fwMark().getAsLong());
        device.batch(() -> {
            for (PeerConfig pc : config.peers()) configurePeer(device, pc);
        });
    }

    /** Applies one [Peer] section to the device. */
    public static Peer configurePeer(Device device, PeerConfig pc) throws IOException {
        Peer p = device.addPeer(pc.publicKey());
        device.setPresharedKey(p, pc.presharedKey().orElse(null));
        for (IpPrefix a : pc.allowedIps()) device.allowIp(p, a.addressBytes(), a.length());
        if (pc.endpoint().isPresent()) {
            io.jwg.config.Endpoint spec = pc.endpoint().get();
            InetSocketAddress resolved = spec.resolve();
            p.setConfiguredEndpoint(io.jwg.net.Endpoint.of(resolved));
            if (!spec.isIpLiteral()) p.setEndpointHost(spec.host(), spec.port());
        }
        device.setPersistentKeepalive(p, pc.persistentKeepalive().orElse(0));
        return p;
    }

    /** wg-quick's MTU: the largest MTU of the routes to the endpoints (or the default route) - 80. */
    private int derivedMtu() throws IOException {
        List<java.net.InetAddress> endpoints = new ArrayList<>();
        for (PeerConfig pc : config.peers()) {
            if (pc.endpoint().isPresent()) endpoints.add(pc.endpoint().get().resolve().getAddress());
        }
        return ip.autoMtu(endpoints);
    }

    private void addRoutes(RouteTable table) throws IOException {
        if (table instanceof RouteTable.Off) return;
        List<IpPrefix> prefixes = new ArrayList<>();
        List<IpPrefix> defaults = new ArrayList<>();
        for (PeerConfig pc : config.peers()) prefixes.addAll(pc.allowedIps());
        prefixes.sort(Comparator.comparingInt(IpPrefix::length).reversed());
        for (IpPrefix p : prefixes) {
            String t = switch (table) {
                case RouteTable.Id id -> Long.toString(id.id());
                case RouteTable.Named n -> n.name();
                default -> null;
            };
            if (t == null && p.isDefaultRoute()) {
                defaults.add(p); // full tunnel: policy routing as wg-quick's add_default, below
                continue;
            }
            String cidr = p.masked().toString();
            String family = p.isIpv6() ? "-6" : "-4";
            if (t == null && !ip.run(family, "route", "show", "dev", name, "match", cidr).isBlank()) continue;
            if (t == null) ip.addRoute(cidr, name);
            else ip.addRoute(cidr, name, t);
        }
        if (!defaults.isEmpty()) {
            undo.add(0, FullTunnel.install(name, config.interfaceConfig().addresses(), defaults, device.fwmark(), device::setFwmark,
                    ip, Sysctl.system(), Firewall.backend())::close);
        }
    }

    /** Tears everything down in reverse order: PreDown, device, interface, PostDown. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        long t0 = System.nanoTime();
        InterfaceConfig ic = config.interfaceConfig();
        boolean wasUp = device != null && upComplete;
        if (wasUp && saveTo != null && ic.saveConfig()) {
            try {
                io.jwg.config.ConfigFiles.save(saveTo, currentConfig());
                log.info("[#] saved the configuration of {} to {}", name, saveTo);
            } catch (IOException | RuntimeException e) {
                log.warn("SaveConfig: could not write {}: {}", saveTo, e.getMessage());
            }
        }
        if (wasUp) {
            try {
                Hooks.run("PreDown", ic.preDown(), name);
            } catch (IOException e) {
                log.warn("{}", e.getMessage());
            }
        }
        for (Runnable r : undo) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("teardown step failed: {}", e.toString());
            }
        }
        try {
            if (device != null && ip.exists(name)) ip.deleteLink(name);
        } catch (IOException e) {
            log.warn("{}", e.getMessage());
        }
        if (wasUp) {
            try {
                Hooks.run("PostDown", ic.postDown(), name);
            } catch (IOException e) {
                log.warn("{}", e.getMessage());
            }
        }
        log.debug("teardown of {} took {} ms", name, (System.nanoTime() - t0) / 1_000_000);
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // teardown: nothing more to do
        }
    }
}
