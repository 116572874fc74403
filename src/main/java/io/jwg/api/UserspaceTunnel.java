package io.jwg.api;

import io.jwg.config.InterfaceConfig;
import io.jwg.config.IpPrefix;
import io.jwg.device.Device;
import io.jwg.net.LinuxUdp;
import io.jwg.noise.Clock;
import io.jwg.quick.QuickInterface;
import io.jwg.uapi.DeviceBackend;
import io.jwg.uapi.DeviceSnapshot;
import io.jwg.uapi.SetRequest;
import io.jwg.uapi.UapiException;
import io.jwg.uapi.UapiServer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A tunnel without an OS interface, for applications that run without root: the application is
 * the tunnel's network stack. It {@link #send sends} whole IPv4/IPv6 packets (whose destination is
 * in some peer's AllowedIPs) and gets the peers' packets (whose source is in that peer's
 * AllowedIPs) from {@link #receive} or a {@link #onReceive handler}. Only a UDP socket is opened
 * (on the config's ListenPort, or any free port); it lives in the network namespace of the thread
 * that called {@link Tunnel#userspace}.
 *
 * <p>The packets are IP packets as on a TUN interface: the application builds and parses the IP
 * headers itself (e.g. ICMP echo, or UDP to a service behind the peer), with one of
 * {@link #addresses()} as its source address.
 */
public final class UserspaceTunnel extends Tunnel {
    /** Packets waiting in each direction before more are dropped. */
    static final int QUEUE = 1024;
    /** The MTU when the configuration gives none. */
    public static final int DEFAULT_MTU = 1420;

    private final TunnelConfig config;
    private final BufferTun tun;
    private final Device device;
    private final DeviceBackend backend;
    private final int mtu;
    private volatile UapiServer uapi;
    private boolean closed;

    private UserspaceTunnel(TunnelConfig config, BufferTun tun, Device device, int mtu) {
        super(config.name());
        this.config = config;
        this.tun = tun;
        this.device = device;
        this.backend = new DeviceBackend(device);
        this.mtu = mtu;
    }

    static UserspaceTunnel start(TunnelConfig config) throws IOException {
        InterfaceConfig ic = config.config().interfaceConfig();
        int mtu = ic.mtu().orElse(DEFAULT_MTU);
        BufferTun tun = new BufferTun(config.name(), QUEUE);
        Device device = new Device(ic.privateKey(), tun, LinuxUdp::open, ic.listenPort().orElse(0), mtu, Clock.SYSTEM);
        try {
            QuickInterface.configure(device, config.config());
            device.start();
        } catch (IOException | RuntimeException e) {
            device.close();
            throw e;
        }
        return new UserspaceTunnel(config, tun, device, mtu);
    }

    /**
     * Sends one IP packet (the buffer's remaining bytes, which are copied: the buffer may be reused
     * at once) to the peer whose AllowedIPs contain its destination. The first packet to a peer
     * starts a handshake; packets wait (up to 128 per peer) until it completes.
     *
     * @return false if the packet was dropped because the send queue is full or the tunnel is closed
     * @throws IllegalArgumentException if the packet is longer than the MTU or is not IPv4/IPv6
     */
    public boolean send(ByteBuffer ipPacket) {
        int n = ipPacket.remaining();
        if (n > mtu) throw new IllegalArgumentException("packet of " + n + " bytes exceeds the MTU of " + mtu);
        int version = n == 0 ? 0 : (ipPacket.get(ipPacket.position()) >> 4) & 0xf;
        if (!(version == 4 && n >= 20) && !(version == 6 && n >= 40)) {
            throw new IllegalArgumentException("not an IPv4 or IPv6 packet");
        }
        return tun.offer(ipPacket);
    }

    /**
     * The next packet a peer sent through the tunnel, waiting at most {@code timeout}; null if
     * none came. The buffer is the caller's. Not to be used together with {@link #onReceive}.
     */
    public ByteBuffer receive(Duration timeout) throws InterruptedException {
        return tun.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Delivers every packet from now on to {@code handler} instead of {@link #receive} (packets
     * already queued first). The handler runs on the tunnel's delivery thread, one packet at a
     * time in arrival order; the buffer is read-only and valid only during the call (copy what you
     * keep), and a slow handler slows the tunnel down. {@code null} goes back to queueing.
     */
    public void onReceive(Consumer<ByteBuffer> handler) {
        tun.handler(handler);
    }

    /** The tunnel's own addresses (the configuration's Address): the source addresses for {@link #send}. */
    public List<InetAddress> addresses() {
        List<InetAddress> out = new ArrayList<>();
        for (IpPrefix p : config.config().interfaceConfig().addresses()) out.add(p.address());
        return out;
    }

    /** The largest packet {@link #send} takes. */
    public int mtu() {
        return mtu;
    }

    /** Packets dropped because the application sent faster than the tunnel could take them. */
    public long sendQueueDrops() {
        return tun.outboundDropped();
    }

    /** Packets dropped because the application did not {@link #receive} them fast enough. */
    public long receiveQueueDrops() {
        return tun.inboundDropped();
    }

    /**
     * Serves the tunnel's UAPI on {@code directory/NAME.sock}, so that {@code wg} and
     * {@code jwg show} can see and change it (with the UAPI directory pointed there, or
     * /var/run/wireguard when allowed). Closed with the tunnel.
     */
    public synchronized Path serveUapi(Path directory) throws IOException {
        if (uapi == null) uapi = UapiServer.start(name(), backend, directory);
        return uapi.socketPath();
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        UapiServer u = uapi;
        if (u != null) u.close();
        device.close();
        tun.close();
    }

    @Override
    Device device() {
        return device;
    }

    @Override
    synchronized DeviceSnapshot snapshot() {
        UapiServer u = uapi;
        return u != null ? u.snapshot(true) : backend.snapshot(true);
    }

    @Override
    synchronized void apply(SetRequest request) throws UapiException {
        UapiServer u = uapi;
        if (u != null) u.apply(request);
        else backend.apply(request);
    }
}
