package io.jwg.noise;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.crypto.Key;
import io.jwg.testing.IcmpPackets;
import io.jwg.testing.Netns;
import io.jwg.testing.WireguardGo;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance test of the protocol core: the noise package, driven from this test over a plain
 * UDP socket, completes handshakes with wireguard-go in both directions and exchanges an ICMP echo
 * through its interface.
 */
@Timeout(60)
class WireguardGoInteropTest {
    static final byte[] MARKER = "jwg-interop-marker".getBytes(StandardCharsets.US_ASCII);
    @TempDir Path tmp;
    Netns wgNs, me;
    WireguardGo wg;
    final Key wgPriv = Key.generatePrivate();
    final Key myPriv = Key.generatePrivate();
    final LocalIdentity myId = new LocalIdentity(myPriv);
    final IndexTable indices = new IndexTable();
    Tunnel tunnel;
    InetAddress wgInner, myInner;

    @BeforeEach
    void setUp() throws Exception {
        Netns.assumeRoot();
        WireguardGo.assumeInstalled();
        wgNs = Netns.create("wggo");
        me = Netns.create("me");
        Netns.pair(me, wgNs, "10.201.0.2/24", "10.201.0.1/24");
        String ifname = "jwgi" + (ProcessHandle.current().pid() % 100000);
        wg = WireguardGo.start(wgNs, ifname, tmp);
        Path key = tmp.resolve("wg.key");
        Files.writeString(key, wgPriv.toBase64() + "\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        wg.wg("set", ifname, "private-key", key.toString(), "listen-port", "51820",
                "peer", myPriv.publicKey().toBase64(), "allowed-ips", "10.202.0.2/32");
        wgNs.run("ip", "addr", "add", "10.202.0.1/24", "dev", ifname);
        wgNs.run("ip", "link", "set", ifname, "up");
        tunnel = new Tunnel(myId, wgPriv.publicKey(), null, 0, indices, Clock.SYSTEM);
        wgInner = InetAddress.getByName("10.202.0.1");
        myInner = InetAddress.getByName("10.202.0.2");
    }

    @AfterEach
    void tearDown() {
        if (wg != null) wg.close();
        if (me != null) me.close();
        if (wgNs != null) wgNs.close();
    }

    static DatagramPacket receive(DatagramSocket s) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        s.receive(p);
        return p;
    }

    /** Seals an inner packet with the tunnel's current keypair into a new datagram buffer. */
    byte[] seal(byte[] inner) {
        Keypair kp = tunnel.sendingKeypair();
        assertThat(kp).as("a keypair to send with").isNotNull();
        int padded = (inner.length + 15) & ~15;
        byte[] buf = new byte[16 + padded + 16];
        System.arraycopy(inner, 0, buf, 16, inner.length);
        int n = kp.seal(kp.nextCounter(), buf, 0, padded);
        tunnel.packetSent(true);
        return Arrays.copyOf(buf, n);
    }

    /** Opens a transport message; returns the inner packet (padding included). */
    byte[] open(byte[] msg, int len) {
        assertThat(Messages.typeOf(msg, 0, len)).isEqualTo(Constants.TYPE_TRANSPORT);
        IndexTable.Entry e = indices.lookup(Messages.getInt(msg, Messages.DATA_RECEIVER));
        assertThat(e).as("index table entry").isNotNull();
        Keypair kp = e.keypair();
        int n = kp.open(msg, 0, len);
        assertThat(n).as("authentic transport message").isGreaterThanOrEqualTo(0);
        tunnel.packetReceived(kp, n > 0);
        return Arrays.copyOfRange(msg, 16, 16 + n);
    }

    @Test
    void weInitiateAndPingWireguardGo() throws Exception {
        CookieChecker checker = new CookieChecker(myId, Clock.SYSTEM);
        me.runInside(() -> {
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("10.201.0.2", 0))) {
                s.setSoTimeout(5000);
                InetSocketAddress wgAddr = new InetSocketAddress("10.201.0.1", 51820);
                byte[] init = tunnel.initiateHandshake();
                s.send(new DatagramPacket(init, init.length, wgAddr));

                DatagramPacket resp = receive(s);
                assertThat(resp.getLength()).isEqualTo(Constants.RESPONSE_SIZE);
                byte[] r = Arrays.copyOf(resp.getData(), resp.getLength());
                assertThat(checker.checkMac1(r, 0, r.length)).as("wireguard-go's MAC1 on the response").isTrue();
                assertThat(indices.lookup(Messages.getInt(r, Messages.RESP_RECEIVER)).tunnel()).isSameAs(tunnel);
                assertThat(tunnel.consumeResponse(r, 0)).as("response accepted").isTrue();

                byte[] echo = IcmpPackets.echo(myInner, wgInner, 8, 0x1234, 1, MARKER);
                byte[] sealed = seal(echo);
                s.send(new DatagramPacket(sealed, sealed.length, wgAddr));

                DatagramPacket reply = receive(s);
                byte[] inner = open(reply.getData(), reply.getLength());
                assertThat(inner[9]).as("ICMP").isEqualTo((byte) 1);
                assertThat(inner[20]).as("echo reply").isEqualTo((byte) 0);
                assertThat(Arrays.copyOfRange(inner, 12, 16)).isEqualTo(wgInner.getAddress());
                assertThat(Arrays.copyOfRange(inner, 16, 20)).isEqualTo(myInner.getAddress());
                assertThat(Arrays.copyOfRange(inner, 28, 28 + MARKER.length)).isEqualTo(MARKER);

                long[] t = wg.transfer();
                assertThat(t[0]).as("wireguard-go rx bytes").isEqualTo(init.length + sealed.length);
                assertThat(t[1]).as("wireguard-go tx bytes").isEqualTo(resp.getLength() + reply.getLength());
                assertThat(wg.latestHandshake()).isGreaterThan(0);
            }
        });
    }

    @Test
    void wireguardGoInitiatesAndWeAnswerItsPing() throws Exception {
        PeerDirectory dir = pub -> Arrays.equals(pub, wgPriv.publicKey().bytes()) ? tunnel : null;
        CookieChecker checker = new CookieChecker(myId, Clock.SYSTEM);
        me.runInside(() -> {
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("10.201.0.2", 0))) {
                s.setSoTimeout(8000);
                wg.wg("set", wg.ifname(), "peer", myPriv.publicKey().toBase64(), "endpoint", "10.201.0.2:" + s.getLocalPort());
                Process ping = wgNs.start(List.of("ping", "-c", "1", "-W", "8", "-p", "6a77672d696e7465726f70", "10.202.0.2"),
                        tmp.resolve("ping.log"));

                DatagramPacket initPkt = receive(s);
                assertThat(initPkt.getLength()).isEqualTo(Constants.INITIATION_SIZE);
                byte[] init = Arrays.copyOf(initPkt.getData(), initPkt.getLength());
                assertThat(checker.checkMac1(init, 0, init.length)).as("wireguard-go's MAC1").isTrue();
                Responder.Result r = Responder.consumeInitiation(myId, dir, init, 0);
                assertThat(r).as("initiation accepted").isNotNull();
                s.send(new DatagramPacket(r.response(), r.response().length, initPkt.getSocketAddress()));

                DatagramPacket data = receive(s);
                byte[] inner = open(data.getData(), data.getLength());
                assertThat(inner[20]).as("echo request").isEqualTo((byte) 8);
                assertThat(Arrays.copyOfRange(inner, 12, 16)).isEqualTo(wgInner.getAddress());
                assertThat(Arrays.copyOfRange(inner, 16, 20)).isEqualTo(myInner.getAddress());
                int id = ((inner[24] & 0xff) << 8) | (inner[25] & 0xff);
                int seq = ((inner[26] & 0xff) << 8) | (inner[27] & 0xff);
                int total = ((inner[2] & 0xff) << 8) | (inner[3] & 0xff);
                byte[] payload = Arrays.copyOfRange(inner, 28, total);
                assertThat(new String(payload, StandardCharsets.ISO_8859_1)).contains("jwg-interop");

                byte[] reply = seal(IcmpPackets.echo(myInner, wgInner, 0, id, seq, payload));
                s.send(new DatagramPacket(reply, reply.length, initPkt.getSocketAddress()));
                assertThat(ping.waitFor(10, TimeUnit.SECONDS)).isTrue();
                assertThat(ping.exitValue()).as("ping through wireguard-go answered by the noise core").isZero();
                long[] t = wg.transfer();
                assertThat(t[0]).isEqualTo(r.response().length + reply.length);
                assertThat(t[1]).isEqualTo(init.length + data.getLength());
            }
        });
    }
}
