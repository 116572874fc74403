package io.jwg.uapi;

import io.jwg.config.IpPrefix;
import io.jwg.crypto.Key;
import io.jwg.device.AllowedIps;
import io.jwg.device.Device;
import io.jwg.device.DropReason;
import io.jwg.device.Peer;
import io.jwg.net.Endpoint;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The UAPI of a jwg {@link Device}: {@code get=1} reads it, {@code set=1} changes it the way
 * wireguard-go changes its device for the same request.
 *
 * <p>Errors: a listen port that cannot be bound or a fwmark that cannot be set is EADDRINUSE (as in
 * wireguard-go, which uses it for both); a peer that cannot be created is EINVAL. Changes made before
 * the failing one stay, as in wireguard-go. A peer section naming the interface's own public key is
 * ignored (wireguard-go treats it as a placeholder).
 */
public final class DeviceBackend implements UapiBackend {
    private final Device device;

    public DeviceBackend(Device device) {
        this.device = device;
    }

    @Override
    public DeviceSnapshot snapshot() {
        return snapshot(false);
    }

    /** With {@code extended}, adds the drop counters and keypair ages ({@link JwgExtensions}). */
    @Override
    public DeviceSnapshot snapshot(boolean extended) {
        List<PeerSnapshot> peers = new ArrayList<>();
        for (Peer p : device.peers()) {
            List<IpPrefix> allowed = new ArrayList<>();
            for (AllowedIps.Entry<Peer> e : device.allowedIpsOf(p)) allowed.add(IpPrefix.of(e.address(), e.prefixLength()));
            Endpoint ep = p.endpoint();
            PeerSnapshot ps = PeerSnapshot.of(p.publicKey(), p.presharedKey(), ep == null ? null : ep.socketAddress(),
                    p.lastHandshakeWallNanos(), p.rxBytes(), p.txBytes(), p.persistentKeepaliveSeconds(), allowed);
            peers.add(extended ? ps.withExtensions(peerExtensions(p)) : ps);
        }
        DeviceSnapshot d = new DeviceSnapshot(device.privateKey(), device.listenPort(), Integer.toUnsignedLong(device.fwmark()), peers);
        if (!extended) return d;
        Map<String, Long> ext = new LinkedHashMap<>();
        for (DropReason r : DropReason.values()) ext.put(JwgExtensions.dropKey(r), device.drops().get(r));
        return d.withExtensions(ext);
    }

    private Map<String, Long> peerExtensions(Peer p) {
        Map<String, Long> ext = new LinkedHashMap<>();
        for (DropReason r : DropReason.values()) {
            if (r.peerLevel()) ext.put(JwgExtensions.dropKey(r), p.drops().get(r));
        }
        long age = device.keypairAgeNanos(p);
        if (age >= 0) ext.put(JwgExtensions.KEYPAIR_AGE_MSEC, age / 1_000_000);
        return ext;
    }

    @Override
    public void apply(SetRequest r) throws UapiException {
        if (r.privateKey().isPresent()) {
            Key k = r.privateKey().get();
            device.setPrivateKey(k.isZero() ? null : k);
        }
        if (r.listenPort().isPresent()) {
            try {
                device.setListenPort(r.listenPort().getAsInt());
            } catch (IOException | RuntimeException e) {
                throw new UapiException(Errno.EADDRINUSE, "failed to set listen_port: " + e.getMessage(), e);
            }
        }
        if (r.fwmark().isPresent()) {
            try {
                device.setFwmark((int) r.fwmark().getAsLong());
            } catch (IOException | RuntimeException e) {
                throw new UapiException(Errno.EADDRINUSE, "failed to update fwmark: " + e.getMessage(), e);
            }
        }
        device.batch(() -> {
            if (r.replacePeers()) device.removeAllPeers();
            for (SetRequest.PeerUpdate u : r.peers()) apply(u);
        });
    }

    private void apply(SetRequest.PeerUpdate u) throws UapiException {
        Key own = device.publicKey();
        if (own != null && own.equals(u.publicKey())) return;
        Peer p = device.peer(u.publicKey());
        if (u.remove()) {
            if (p != null) device.removePeer(p);
            return;
        }
        if (p == null) {
            if (u.updateOnly()) return;
            try {
                p = device.addPeer(u.publicKey());
            } catch (RuntimeException e) {
                throw new UapiException(Errno.EINVAL, "failed to create new peer: " + e.getMessage(), e);
            }
        }
        if (u.presharedKey().isPresent()) {
            Key psk = u.presharedKey().get();
            device.setPresharedKey(p, psk.isZero() ? null : psk);
        }
        if (u.endpoint().isPresent()) {
            try {
                p.setEndpoint(Endpoint.of(u.endpoint().get()));
            } catch (IllegalArgumentException e) {
                throw new UapiException(Errno.EINVAL, "failed to set endpoint: " + e.getMessage(), e);
            }
        }
        if (u.persistentKeepalive().isPresent()) device.setPersistentKeepalive(p, u.persistentKeepalive().getAsInt());
        if (u.replaceAllowedIps()) device.clearAllowedIps(p);
        for (SetRequest.AllowedIpChange c : u.allowedIps()) {
            IpPrefix prefix = c.prefix();
            if (c.remove()) device.removeAllowedIp(p, prefix.addressBytes(), prefix.length());
            else device.allowIp(p, prefix.addressBytes(), prefix.length());
        }
    }
}
