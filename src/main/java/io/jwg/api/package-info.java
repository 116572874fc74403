/**
 * jwg as a library: configure a WireGuard tunnel, start it, watch its peers, change it, stop it.
 *
 * <pre>{@code
 * TunnelConfig cfg = TunnelConfig.builder("app0")
 *         .privateKey(myPrivateKey)
 *         .address("10.7.0.2/32")
 *         .peer(TunnelConfig.peer(serverPublicKey)
 *                 .endpoint("203.0.113.5:51820")
 *                 .allowedIps("10.7.0.0/24")
 *                 .persistentKeepalive(25))
 *         .build();                                  // or TunnelConfig.parse(Path.of("wg0.conf"))
 *
 * try (UserspaceTunnel t = Tunnel.userspace(cfg)) {   // no root: IP packets in and out as ByteBuffers
 *     t.send(ipPacket);
 *     ByteBuffer reply = t.receive(Duration.ofSeconds(5));
 *     for (PeerStatus p : t.peers()) System.out.println(p.publicKey() + " " + p.latestHandshake());
 * }
 *
 * try (SystemTunnel t = Tunnel.up(cfg)) { ... }      // root: a kernel interface, as wg-quick up
 * }</pre>
 *
 * <p>Two kinds of tunnel share one implementation of the protocol ({@link io.jwg.device.Device})
 * and one way of being configured and changed (the UAPI's: {@link Tunnel#sync} computes what
 * {@code wg syncconf} would send and applies it as a {@code set=1} on the interface's UAPI would):
 * <ul>
 *   <li>{@link SystemTunnel} ({@link Tunnel#up}): what {@code jwg up} runs: a TUN interface with
 *       addresses, routes, hooks and a UAPI socket for {@code wg}; needs CAP_NET_ADMIN.
 *   <li>{@link UserspaceTunnel} ({@link Tunnel#userspace}): no OS interface at all. The
 *       application hands IP packets to {@link UserspaceTunnel#send} and gets the peers' packets
 *       from {@link UserspaceTunnel#receive} or a callback; only a UDP socket is opened, so no
 *       privileges are needed.
 * </ul>
 */
package io.jwg.api;
