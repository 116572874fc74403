/*
 * Pings a host through a WireGuard tunnel without root and without a network interface: jwg's
 * userspace mode (io.jwg.api.UserspaceTunnel) carries the ICMP packets this program builds itself.
 *
 *   mvn -q -DskipTests package
 *   java --enable-native-access=ALL-UNNAMED -cp 'target/jwg.jar:target/lib/*' \
 *       docs/examples/PingThroughWireGuard.java client.conf 10.0.0.1 [COUNT]
 *
 * client.conf is an ordinary wg-quick config: its first IPv4 Address is the source address of the
 * pings, and a [Peer] whose AllowedIPs contain the target must have an Endpoint. The peer can be
 * anything that speaks WireGuard (the Linux kernel, wireguard-go, jwg) and must route the target.
 */

import io.jwg.api.PeerStatus;
import io.jwg.api.Tunnel;
import io.jwg.api.TunnelConfig;
import io.jwg.api.UserspaceTunnel;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;

public final class PingThroughWireGuard {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: PingThroughWireGuard CONFIG TARGET_IPv4 [COUNT]");
            throw new IllegalArgumentException("missing arguments");
        }
        TunnelConfig config = TunnelConfig.parse(Path.of(args[0]));
        InetAddress target = InetAddress.getByName(args[1]);
        int count = args.length > 2 ? Integer.parseInt(args[2]) : 3;

        try (UserspaceTunnel tunnel = Tunnel.userspace(config)) {
            InetAddress source = tunnel.addresses().stream().filter(a -> a instanceof Inet4Address).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("the config has no IPv4 Address"));
            System.out.println("PING " + target.getHostAddress() + " from " + source.getHostAddress() + " through " + config.name()
                    + " (UDP port " + tunnel.listenPort() + ")");
            int replies = 0;
            for (int seq = 1; seq <= count; seq++) {
                if (ping(tunnel, source, target, seq)) replies++;
            }
            for (PeerStatus p : tunnel.peers()) {
                System.out.println("peer " + p.publicKey().toBase64() + ": endpoint " + p.endpoint().map(Object::toString).orElse("none")
                        + ", handshake " + p.latestHandshake().map(Object::toString).orElse("never")
                        + ", " + p.rxBytes() + " bytes in, " + p.txBytes() + " bytes out");
            }
            System.out.println(count + " packets transmitted, " + replies + " received");
            if (replies == 0) throw new IllegalStateException("no reply from " + target.getHostAddress());
        }
    }

    /** Sends one echo request and waits up to 5 s for its reply. */
    static boolean ping(UserspaceTunnel tunnel, InetAddress source, InetAddress target, int seq) throws InterruptedException {
        int id = (int) (ProcessHandle.current().pid() & 0xffff);
        long sent = System.nanoTime();
        tunnel.send(ByteBuffer.wrap(echoRequest(source, target, id, seq)));
        long deadline = sent + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            ByteBuffer p = tunnel.receive(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (p == null) break;
            if (isEchoReply(p, target, id, seq)) {
                System.out.printf("%d bytes from %s: icmp_seq=%d ttl=%d time=%.2f ms%n", p.remaining() - 20, target.getHostAddress(), seq,
                        p.get(p.position() + 8) & 0xff, (System.nanoTime() - sent) / 1e6);
                return true;
            }
        }
        System.out.println("no reply for icmp_seq=" + seq);
        return false;
    }

    /** An IPv4 packet carrying an ICMP echo request with 32 bytes of payload. */
    static byte[] echoRequest(InetAddress src, InetAddress dst, int id, int seq) {
        byte[] p = new byte[20 + 8 + 32];
        p[0] = 0x45;                           // IPv4, 20-byte header
        p[2] = (byte) (p.length >>> 8);
        p[3] = (byte) p.length;
        p[8] = 64;                             // TTL
        p[9] = 1;                              // ICMP
        System.arraycopy(src.getAddress(), 0, p, 12, 4);
        System.arraycopy(dst.getAddress(), 0, p, 16, 4);
        putChecksum(p, 0, 20, 10);
        p[20] = 8;                             // echo request
        p[24] = (byte) (id >>> 8);
        p[25] = (byte) id;
        p[26] = (byte) (seq >>> 8);
        p[27] = (byte) seq;
        for (int i = 28; i < p.length; i++) p[i] = (byte) i;
        putChecksum(p, 20, p.length - 20, 22);
        return p;
    }

    static boolean isEchoReply(ByteBuffer b, InetAddress from, int id, int seq) {
        int o = b.position();
        if (b.remaining() < 28 || (b.get(o) >> 4) != 4 || b.get(o + 9) != 1) return false;
        int ihl = (b.get(o) & 0xf) * 4;
        byte[] src = new byte[4];
        b.get(o + 12, src);
        return java.util.Arrays.equals(src, from.getAddress()) && b.get(o + ihl) == 0
                && (b.getShort(o + ihl + 4) & 0xffff) == id && (b.getShort(o + ihl + 6) & 0xffff) == seq;
    }

    static void putChecksum(byte[] b, int off, int len, int at) {
        long sum = 0;
        for (int i = 0; i < len - 1; i += 2) sum += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        if ((len & 1) != 0) sum += (b[off + len - 1] & 0xff) << 8;
        while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
        int c = (int) (~sum & 0xffff);
        b[at] = (byte) (c >>> 8);
        b[at + 1] = (byte) c;
    }
}
