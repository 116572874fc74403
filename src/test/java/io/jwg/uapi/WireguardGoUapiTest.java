package io.jwg.uapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.crypto.Key;
import io.jwg.testing.Netns;
import io.jwg.testing.WireguardGo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * jwg's UAPI client and show/showconf against wireguard-go, and jwg's UAPI server against
 * wireguard-go's: the same requests get the same errno replies.
 */
@Timeout(90)
class WireguardGoUapiTest {
    @TempDir
    Path tmp;

    static String ifname(String tag) {
        return "jwg" + tag + (ProcessHandle.current().pid() % 100000);
    }

    Path keyFile(Key k) throws Exception {
        Path f = Files.createTempFile(tmp, "key", "");
        Files.writeString(f, k.toBase64() + "\n");
        return f;
    }

    @Test
    void jwgShowMatchesWgShowOnWireguardGo() throws Exception {
        Netns.assumeRoot();
        WireguardGo.assumeInstalled();
        String name = ifname("g");
        try (Netns ns = Netns.create("wggo"); WireguardGo wgo = WireguardGo.start(ns, name, tmp)) {
            Key priv = Key.generatePrivate();
            Key a = Key.generatePrivate().publicKey();
            wgo.wg("set", name, "listen-port", "51820", "fwmark", "0x1f", "private-key", keyFile(priv).toString(),
                    "peer", a.toBase64(), "preshared-key", keyFile(Key.generatePreshared()).toString(), "endpoint", "10.7.0.2:51820",
                    "persistent-keepalive", "25", "allowed-ips", "10.9.0.1/24,fd00::1/64,10.8.0.7/32");
            // one peer: wireguard-go reports peers in map order, so with several only the set of lines is stable
            for (String field : io.jwg.cli.WgText.FIELDS) {
                assertThat(UapiWgToolTest.jwg("show", name, field).out()).as(field).isEqualTo(wgo.wg("show", name, field));
            }
            assertThat(UapiWgToolTest.jwg("show", name).out()).isEqualTo(wgo.wg("show", name));
            assertThat(UapiWgToolTest.jwg("showconf", name).out()).isEqualTo(wgo.wg("showconf", name));

            Key b = Key.generatePrivate().publicKey();
            Key c = Key.generatePrivate().publicKey();
            wgo.wg("set", name, "peer", b.toBase64(), "endpoint", "[fd00::7]:1234", "allowed-ips", "::/0",
                    "peer", c.toBase64(), "allowed-ips", "0.0.0.0/0");
            assertThat(sortedLines(UapiWgToolTest.jwg("show", name, "dump").out())).isEqualTo(sortedLines(wgo.wg("show", name, "dump")));
            assertThat(sortedLines(UapiWgToolTest.jwg("show", name, "endpoints").out()))
                    .isEqualTo(sortedLines(wgo.wg("show", name, "endpoints")));
            assertThat(UapiWgToolTest.jwg("show", "interfaces").out()).contains(name);

            // jwg's client can configure wireguard-go too
            UapiClient.create().set(name, new SetRequest(java.util.Optional.empty(), java.util.OptionalInt.of(51821),
                    java.util.OptionalLong.empty(), false, List.of(SetRequest.PeerUpdate.removal(c))));
            assertThat(wgo.wg("show", name, "listen-port")).isEqualTo("51821\n");
            assertThat(wgo.wg("show", name, "peers")).doesNotContain(c.toBase64());
        }
    }

    static List<String> sortedLines(String s) {
        return Arrays.stream(s.split("\n")).sorted().toList();
    }

    /** Requests whose errno wireguard-go (0.0.20220316 and later) and jwg must agree on. */
    static final List<String> REQUESTS = List.of(
            "set=1\nbogus\n\n",
            "set=1\nbogus=1\n\n",
            "set=1\nprivate_key=\n\n",
            "set=1\nprivate_key=00\n\n",
            "set=1\nprivate_key=" + "zz".repeat(32) + "\n\n",
            "set=1\nlisten_port=65536\n\n",
            "set=1\nlisten_port=-1\n\n",
            "set=1\nfwmark=4294967296\n\n",
            "set=1\nreplace_peers=false\n\n",
            "set=1\nprotocol_version=1\n\n",
            "set=1\nendpoint=1.2.3.4:5\n\n",
            "set=1\npublic_key=\n\n",
            "set=1\npublic_key=%s\nendpoint=fd00::1:51820\n\n",
            "set=1\npublic_key=%s\nendpoint=example.com:51820\n\n",
            "set=1\npublic_key=%s\nendpoint=[1.2.3.4]:5\n\n",
            "set=1\npublic_key=%s\nendpoint=1.2.3.4\n\n",
            "set=1\npublic_key=%s\nallowed_ip=10.0.0.1\n\n",
            "set=1\npublic_key=%s\nallowed_ip=10.0.0.1/33\n\n",
            "set=1\npublic_key=%s\nallowed_ip=fe80::1%%lo/64\n\n",
            "set=1\npublic_key=%s\nprotocol_version=2\n\n",
            "set=1\npublic_key=%s\nremove=1\n\n",
            "set=1\npublic_key=%s\nupdate_only=false\n\n",
            "set=1\npublic_key=%s\nreplace_allowed_ips=yes\n\n",
            "set=1\npublic_key=%s\npersistent_keepalive_interval=65536\n\n",
            "set=1\npublic_key=%s\npreshared_key=123\n\n",
            "set=1\npublic_key=%s\nlisten_port=1\n\n",
            "set=1\npublic_key=%s\nnoequals\n\n",
            "set=1\npublic_key=%s\nupdate_only=true\nallowed_ip=10.0.0.1/24\n\n",
            "set=1\npublic_key=%s\nallowed_ip=10.0.0.1/24\nendpoint=[fd00::1]:5\npersistent_keepalive_interval=0\n\n",
            "set=1\npublic_key=%s\nremove=true\n\n",
            "set=1\nprivate_key=" + "00".repeat(32) + "\n\n",
            "set=1\n\n",
            "get=1\nx\n",
            "get=1\n\n");

    @Test
    void errnoRepliesMatchWireguardGo() throws Exception {
        Netns.assumeRoot();
        WireguardGo.assumeInstalled();
        String name = ifname("e");
        String mine = ifname("f");
        String pub = UapiProtocol.hex(Key.generatePrivate().publicKey());
        try (Netns ns = Netns.create("wgerr"); WireguardGo wgo = WireguardGo.start(ns, name, tmp);
                UapiServer server = UapiServer.start(mine, new FakeBackend(), tmp.resolve("run"))) {
            assertThat(wgo.ifname()).isEqualTo(name);
            for (String template : REQUESTS) {
                String request = template.contains("%s") ? template.formatted(pub) : template;
                String theirs;
                try (UapiServerTest.Conn c = new UapiServerTest.Conn(WireguardGo.socket(name))) {
                    theirs = lastErrno(c.send(request).reply());
                }
                String ours;
                try (UapiServerTest.Conn c = new UapiServerTest.Conn(server.socketPath())) {
                    ours = lastErrno(c.send(request).reply());
                }
                assertThat(ours).as(request.replace("\n", "\\n")).startsWith("errno=").isEqualTo(theirs);
            }
        }
    }

    private static String lastErrno(String reply) {
        String[] lines = reply.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) if (lines[i].startsWith("errno=")) return lines[i];
        return "(no errno in " + reply.replace("\n", "\\n") + ")";
    }
}
