package io.jwg.api;

import io.jwg.config.IpPrefix;
import io.jwg.crypto.Key;
import io.jwg.device.Device;
import io.jwg.device.DropReason;
import io.jwg.uapi.ConfigDiff;
import io.jwg.uapi.DeviceSnapshot;
import io.jwg.uapi.JwgExtensions;
import io.jwg.uapi.PeerSnapshot;
import io.jwg.uapi.SetRequest;
import io.jwg.uapi.UapiException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A running WireGuard tunnel: its peers' status, its drop counters, changes to its configuration,
 * and {@link #close()}. Start one with {@link #up} (an OS interface, as {@code jwg up}) or
 * {@link #userspace} (no OS interface, packets through the API). Thread-safe.
 */
public abstract sealed class Tunnel implements AutoCloseable permits SystemTunnel, UserspaceTunnel {
    private final String name;

    Tunnel(String name) {
        this.name = name;
    }

    /**
     * Brings up an OS interface the way {@code wg-quick up} does (TUN device, addresses, MTU,
     * routes, hooks) with a UAPI socket for {@code wg}; needs CAP_NET_ADMIN. This is what
     * {@code jwg up} runs.
     *
     * @throws IOException with a one-line reason; whatever was set up is undone
     */
    public static SystemTunnel up(TunnelConfig config) throws IOException {
        return SystemTunnel.start(config, null);
    }

    /**
     * Like {@link #up(TunnelConfig)}, appending every handshake's secrets to {@code keyLog} in
     * Wireshark's WireGuard key log format (debugging only: the file decrypts the tunnel).
     */
    public static SystemTunnel up(TunnelConfig config, Path keyLog) throws IOException {
        return SystemTunnel.start(config, keyLog);
    }

    /**
     * Starts a tunnel without an OS interface: the application sends and receives the tunnel's IP
     * packets through the returned object. Only a UDP socket is opened (on ListenPort, or any free
     * port), so no privileges are needed.
     */
    public static UserspaceTunnel userspace(TunnelConfig config) throws IOException {
        return UserspaceTunnel.start(config);
    }

    /** The interface name. */
    public String name() {
        return name;
    }

    /** The interface's public key (what peers configure), or null after the private key was removed. */
    public Key publicKey() {
        return device().publicKey();
    }

    /** The UDP port the tunnel listens on. */
    public int listenPort() {
        return device().listenPort();
    }

    /** Every peer's current status, in no particular order. */
    public List<PeerStatus> peers() {
        DeviceSnapshot d = snapshot();
        List<PeerStatus> out = new ArrayList<>(d.peers().size());
        for (PeerSnapshot p : d.peers()) out.add(status(p));
        return out;
    }

    /** The status of the peer with this public key, if it is configured. */
    public Optional<PeerStatus> peer(Key publicKey) {
        return peers().stream().filter(p -> p.publicKey().equals(publicKey)).findFirst();
    }

    /** Packets the tunnel dropped so far, by reason (every reason present, 0 if none). */
    public Map<DropReason, Long> drops() {
        return device().drops().snapshot();
    }

    /**
     * Waits until the peer has completed a handshake (it is reachable), at most {@code timeout}.
     * A handshake starts when a packet is sent to the peer or a keepalive is due; this only waits.
     *
     * @return true if the peer has a handshake
     */
    public boolean awaitHandshake(Key peer, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (peer(peer).map(PeerStatus::hasHandshake).orElse(false)) return true;
            if (System.nanoTime() - deadline >= 0) return false;
            Thread.sleep(20);
        }
    }

    /**
     * Changes the running tunnel to match {@code config} as {@code wg syncconf} would: only what
     * differs is changed (peers added, removed or updated; the private key, listen port and fwmark
     * if given and different), so sessions of unchanged peers survive. Settings outside the UAPI
     * (Address, DNS, MTU, Table, hooks) are not changed. The change is applied exactly as a
     * {@code set=1} request on the interface's UAPI socket would be.
     *
     * @return true if anything was changed
     * @throws IOException if a change fails (e.g. the listen port is taken) or an endpoint's host name cannot be resolved
     */
    public boolean sync(TunnelConfig config) throws IOException {
        SetRequest r = ConfigDiff.diff(snapshot(), config.config());
        if (ConfigDiff.isEmpty(r)) return false;
        try {
            apply(r);
        } catch (UapiException e) {
            throw new IOException(e.getMessage(), e);
        }
        return true;
    }

    /** Stops the tunnel and releases everything it set up. Idempotent. */
    @Override
    public abstract void close();

    /** The device behind the tunnel. */
    abstract Device device();

    /** A UAPI snapshot with jwg's extension values. */
    abstract DeviceSnapshot snapshot();

    /** Applies a UAPI set request (serialised with the interface's other UAPI requests). */
    abstract void apply(SetRequest request) throws UapiException;

    private static PeerStatus status(PeerSnapshot p) {
        Optional<Instant> hs = p.lastHandshakeSeconds() == 0 && p.lastHandshakeNanos() == 0 ? Optional.empty()
                : Optional.of(Instant.ofEpochSecond(p.lastHandshakeSeconds(), p.lastHandshakeNanos()));
        Long age = p.extensions().get(JwgExtensions.KEYPAIR_AGE_MSEC);
        List<IpPrefix> allowed = new ArrayList<>(p.allowedIps());
        return new PeerStatus(p.publicKey(), Optional.ofNullable(p.endpoint()), hs,
                age == null ? Optional.empty() : Optional.of(Duration.ofMillis(age)), p.rxBytes(), p.txBytes(),
                Duration.ofSeconds(p.persistentKeepalive()), allowed, JwgExtensions.drops(p.extensions()));
    }
}
