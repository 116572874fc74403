package io.jwg.uapi;

import io.jwg.config.Config;
import io.jwg.config.InterfaceConfig;
import io.jwg.config.IpPrefix;
import io.jwg.config.PeerConfig;
import io.jwg.crypto.Key;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What {@code wg syncconf} does, as a pure function: the {@code set=1} request that turns a running
 * interface ({@link DeviceSnapshot}) into what a config file says, changing only what differs, so
 * that sessions of unchanged peers survive.
 *
 * <ul>
 *   <li>the private key, listen port and fwmark are set only if the file gives them and they differ
 *       (a new private key necessarily ends every session);
 *   <li>peers that are running but not in the file are removed; new peers are added;
 *   <li>for a peer in both, only the fields that differ are sent: the pre-shared key (a change takes
 *       effect at the next handshake; the current session stays), the endpoint (if the file gives
 *       one), the persistent keepalive, and the AllowedIPs as individual additions and removals
 *       ({@code allowed_ip=-PREFIX}), so there is no moment without them.
 * </ul>
 * wg-quick-only settings (Address, DNS, MTU, Table, hooks) are not part of the UAPI and are not
 * changed, as with {@code wg syncconf <(wg-quick strip FILE)}.
 */
public final class ConfigDiff {
    private ConfigDiff() {}

    /**
     * The request that makes {@code current} match {@code desired}; {@link SetRequest#empty()}-like
     * (no fields, no peers) when nothing differs.
     *
     * @throws UnknownHostException if a host-name endpoint of the file cannot be resolved
     */
    public static SetRequest diff(DeviceSnapshot current, Config desired) throws UnknownHostException {
        InterfaceConfig ic = desired.interfaceConfig();
        Optional<Key> privateKey = Objects.equals(ic.privateKey(), current.privateKey()) ? Optional.empty() : Optional.of(ic.privateKey());
        OptionalInt port = ic.listenPort().isPresent() && ic.listenPort().getAsInt() != current.listenPort()
                ? OptionalInt.of(ic.listenPort().getAsInt()) : OptionalInt.empty();
        OptionalLong mark = ic.fwMark().isPresent() && ic.fwMark().getAsLong() != current.fwmark()
                ? OptionalLong.of(ic.fwMark().getAsLong()) : OptionalLong.empty();

        Map<Key, PeerSnapshot> running = new HashMap<>();
        for (PeerSnapshot p : current.peers()) running.put(p.publicKey(), p);
        List<SetRequest.PeerUpdate> updates = new ArrayList<>();
        for (PeerSnapshot p : current.peers()) {
            if (desired.peer(p.publicKey()).isEmpty()) updates.add(SetRequest.PeerUpdate.removal(p.publicKey()));
        }
        for (PeerConfig pc : desired.peers()) {
            SetRequest.PeerUpdate u = peerUpdate(running.get(pc.publicKey()), pc);
            if (u != null) updates.add(u);
        }
        return new SetRequest(privateKey, port, mark, false, updates);
    }

    /** True if the request changes nothing. */
    public static boolean isEmpty(SetRequest r) {
        return r.privateKey().isEmpty() && r.listenPort().isEmpty() && r.fwmark().isEmpty() && !r.replacePeers() && r.peers().isEmpty();
    }

    private static SetRequest.PeerUpdate peerUpdate(PeerSnapshot now, PeerConfig pc) throws UnknownHostException {
        Key psk = pc.presharedKey().orElse(null);
        Key nowPsk = now == null ? null : now.presharedKey();
        Optional<Key> setPsk = Objects.equals(psk, nowPsk) ? Optional.empty() : Optional.of(psk == null ? Key.of(new byte[Key.LEN]) : psk);
        Optional<InetSocketAddress> endpoint = Optional.empty();
        if (pc.endpoint().isPresent()) {
            InetSocketAddress want = pc.endpoint().get().resolve();
            if (now == null || !want.equals(now.endpoint())) endpoint = Optional.of(want);
        }
        int keepalive = pc.persistentKeepalive().orElse(0);
        OptionalInt setKeepalive = now != null && now.persistentKeepalive() == keepalive ? OptionalInt.empty()
                : (now == null && keepalive == 0 ? OptionalInt.empty() : OptionalInt.of(keepalive));
        Set<IpPrefix> want = new LinkedHashSet<>();
        for (IpPrefix p : pc.allowedIps()) want.add(p.masked());
        Set<IpPrefix> have = new LinkedHashSet<>();
        if (now != null) for (IpPrefix p : now.allowedIps()) have.add(p.masked());
        List<SetRequest.AllowedIpChange> changes = new ArrayList<>();
        for (IpPrefix p : have) if (!want.contains(p)) changes.add(new SetRequest.AllowedIpChange(p, true));
        for (IpPrefix p : want) if (!have.contains(p)) changes.add(SetRequest.AllowedIpChange.add(p));
        if (now != null && setPsk.isEmpty() && endpoint.isEmpty() && setKeepalive.isEmpty() && changes.isEmpty()) return null;
        return new SetRequest.PeerUpdate(pc.publicKey(), false, false, setPsk, endpoint, setKeepalive, false, changes, OptionalInt.empty());
    }
}
