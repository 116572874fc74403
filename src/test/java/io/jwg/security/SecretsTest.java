package io.jwg.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.config.Config;
import io.jwg.config.ConfigFiles;
import io.jwg.crypto.Key;
import io.jwg.device.Device;
import io.jwg.device.Peer;
import io.jwg.net.MemoryUdp;
import io.jwg.noise.Clock;
import io.jwg.noise.IndexTable;
import io.jwg.noise.LocalIdentity;
import io.jwg.noise.Tunnel;
import io.jwg.tun.MemoryTun;
import io.jwg.uapi.DeviceSnapshot;
import io.jwg.uapi.SetRequest;
import io.jwg.uapi.UapiBackend;
import io.jwg.uapi.UapiProtocol;
import io.jwg.uapi.UapiServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets stay secret: no toString() shows a private or pre-shared key (base64 or hex), MACs are
 * compared in constant time, and files and sockets that hold or expose keys get owner-only modes.
 * The live half (jwg's own log with -v during a handshake, the running interface's UAPI socket) is
 * in {@link HostileNetworkLiveTest}.
 */
@Timeout(60)
class SecretsTest {
    @TempDir Path tmp;

    static final Key PRIVATE = Key.generatePrivate();
    static final Key PSK = Key.generatePreshared();
    static final Key PEER = Key.generatePrivate().publicKey();

    /** Every form a 32-byte key could be printed in. */
    static List<String> forms(Key k) {
        byte[] b = k.bytes();
        return List.of(k.toBase64(), HexFormat.of().formatHex(b), HexFormat.of().withUpperCase().formatHex(b),
                k.toBase64().substring(0, 20), java.util.Arrays.toString(b));
    }

    static void assertNoSecret(String shown) {
        for (Key k : List.of(PRIVATE, PSK)) {
            for (String f : forms(k)) assertThat(shown).as("shows key material").doesNotContain(f);
        }
    }

    @Test
    void toStringOfEveryObjectHoldingKeysShowsNoKeyMaterial() throws Exception {
        List<String> shown = new ArrayList<>();
        shown.add(PRIVATE.toString());
        shown.add(PSK.toString());
        LocalIdentity id = new LocalIdentity(PRIVATE);
        shown.add(id.toString());
        Tunnel t = new Tunnel(id, PEER, PSK, 25, new IndexTable(), Clock.SYSTEM);
        shown.add(t.toString());

        Config c = Config.parse("[Interface]\nPrivateKey = " + PRIVATE.toBase64() + "\nAddress = 10.0.0.1/24\nListenPort = 51820\n\n"
                + "[Peer]\nPublicKey = " + PEER.toBase64() + "\nPresharedKey = " + PSK.toBase64() + "\nAllowedIPs = 10.0.0.2/32\n", "t.conf");
        shown.add(c.toString());
        shown.add(c.interfaceConfig().toString());
        shown.add(c.peers().getFirst().toString());

        Device d = new Device(PRIVATE, new MemoryTun("s", 16), port -> new MemoryUdp.Network().open("192.0.2.1", port), 0, 1420, Clock.SYSTEM);
        try {
            Peer p = d.addPeer(PEER);
            d.setPresharedKey(p, PSK);
            shown.add(d.toString());
            shown.add(p.toString());
            shown.add(String.valueOf(d.privateKey()));
            shown.add(String.valueOf(p.presharedKey()));
        } finally {
            d.close();
        }

        SetRequest r = UapiProtocol.parseSet("private_key=" + UapiProtocol.hex(PRIVATE) + "\npublic_key=" + UapiProtocol.hex(PEER)
                + "\npreshared_key=" + UapiProtocol.hex(PSK) + "\n\n");
        shown.add(r.toString());
        shown.add(r.peers().getFirst().toString());
        DeviceSnapshot snap = new DeviceSnapshot(PRIVATE, 51820, 0, List.of());
        shown.add(snap.toString());

        for (String s : shown) assertNoSecret(s);
        // and the checks above would have caught it: the forms are what a careless toString prints
        assertThat(c.toWgQuickText()).contains(PRIVATE.toBase64()).contains(PSK.toBase64());
    }

    @Test
    void configErrorsNeverQuoteKeys() {
        String almostKey = PRIVATE.toBase64().substring(0, 43) + "!"; // one character wrong
        for (String text : List.of("[Interface]\nPrivateKey = " + almostKey + "\n",
                "[Interface]\nPrivateKey = " + PRIVATE.toBase64() + "x\n",
                "[Interface]\nPrivateKey = " + PRIVATE.toBase64() + "\n[Peer]\nPublicKey = " + PEER.toBase64() + "\nPresharedKey = " + PSK.toBase64() + "==\n",
                "PrivateKey = " + PRIVATE.toBase64() + "\n",
                // regression (found by ConfigParseFuzzTest): a key on the section header's line was
                // quoted in "unknown section `[Interface]PrivateKey=...'"
                "[Interface] PrivateKey = " + PRIVATE.toBase64() + "\n",
                "[Interface PrivateKey = " + PRIVATE.toBase64() + "\n",
                "[Peer]PresharedKey=" + PSK.toBase64() + "\n",
                // regression (found by ConfigParseFuzzTest): a value quoted in an error held a key of a
                // joined line (CR-only line ends, or two lines run together)
                "[Interface]\rListenPort = 51820\rPrivateKey = " + PRIVATE.toBase64() + "\r",
                "[Interface]\nListenPort = 51820\rPrivateKey = " + PRIVATE.toBase64() + "\n",
                "[Interface]\nPrivateKey = " + PRIVATE.toBase64() + "\nTable = 12 PrivateKey = " + PRIVATE.toBase64() + "\n",
                "[Interface]\nPrivateKey = " + PRIVATE.toBase64() + "\n[Peer]\nPublicKey = " + PEER.toBase64()
                        + "\nEndpoint = 192.0.2.1:1 PresharedKey = " + PSK.toBase64() + "\n")) {
            try {
                Config.parse(text, "t.conf");
                throw new AssertionError("should not parse: " + text);
            } catch (io.jwg.config.ConfigException e) {
                assertNoSecret(e.getMessage());
                assertThat(e.getMessage()).doesNotContain(almostKey.substring(0, 20));
            }
        }
    }

    /**
     * MAC1/MAC2 checks and the AEAD's Poly1305 tag check must use the constant-time helpers; a plain
     * Arrays.equals would leak how many leading bytes of a forged MAC or tag are right.
     */
    @Test
    void macsAreComparedInConstantTime() throws IOException {
        String checker = source("noise/CookieChecker.java");
        for (String method : List.of("checkMac1", "checkMac2")) {
            String body = methodBody(checker, method);
            assertThat(body).as(method).containsPattern("Bytes\\.constantTimeEquals\\(|MessageDigest\\.isEqual\\(");
            assertThat(body).as(method).doesNotContainPattern("Arrays\\.equals|\\.equals\\(|Arrays\\.mismatch|compare\\(");
        }
        // the helpers themselves: no early exit in the loop, and the 2-argument form is MessageDigest.isEqual
        String bytes = source("crypto/Bytes.java");
        String ranged = bytes.substring(bytes.indexOf("public static boolean constantTimeEquals(byte[] a, int aOff"));
        ranged = ranged.substring(0, ranged.indexOf("\n    }\n"));
        assertThat(ranged).contains("diff |=").doesNotContain("return false").doesNotContain("break");
        assertThat(methodBody(bytes, "constantTimeEquals")).contains("MessageDigest.isEqual");
        // nothing else in the protocol core or crypto compares secret bytes with a short-circuiting equals
        for (String dir : List.of("noise", "crypto")) {
            try (var files = Files.list(Path.of("src/main/java/io/jwg", dir))) {
                for (Path f : files.toList()) {
                    assertThat(Files.readString(f)).as(f.toString()).doesNotContain("Arrays.equals(").doesNotContain("Arrays.mismatch(");
                }
            }
        }
        assertThat(methodBody(source("crypto/Key.java"), "equals")).contains("constantTimeEquals");
        // the AEAD's tag check (our Poly1305 since the JDK's combined cipher was replaced)
        String aead = source("crypto/ChaCha20Poly1305.java");
        if (aead.contains("Poly1305 mac")) assertThat(aead).contains("Bytes.constantTimeEquals(e.tag");
        // and behaviour: equal and unequal in any position
        byte[] a = new byte[16], b = new byte[16];
        assertThat(io.jwg.crypto.Bytes.constantTimeEquals(a, 0, b, 0, 16)).isTrue();
        for (int i = 0; i < 16; i++) {
            b[i] = 1;
            assertThat(io.jwg.crypto.Bytes.constantTimeEquals(a, 0, b, 0, 16)).isFalse();
            b[i] = 0;
        }
    }

    @Test
    void configFilesAreWrittenOwnerOnlyEvenOverAWorldReadableFile() throws Exception {
        Config c = Config.parse("[Interface]\nPrivateKey = " + PRIVATE.toBase64() + "\n", "t.conf");
        Path f = tmp.resolve("wg9.conf");
        Files.writeString(f, "old");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        ConfigFiles.save(f, c);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(Files.readString(f)).contains(PRIVATE.toBase64());
        Path g = tmp.resolve("new.conf");
        ConfigFiles.save(g, c);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(g))).isEqualTo("rw-------");
        assertThat(Files.exists(tmp.resolve("new.conf.tmp"))).isFalse();
        // and reading warns like wg-quick when a key file is world-readable
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(ConfigFiles.permissionWarning(f)).hasValueSatisfying(w -> assertThat(w).contains("world accessible"));
    }

    @Test
    void uapiSocketIsOwnerOnlyInAnOwnerOnlyDirectory() throws Exception {
        Path dir = tmp.resolve("run").resolve("wireguard");
        UapiBackend backend = new UapiBackend() {
            @Override
            public DeviceSnapshot snapshot() {
                return new DeviceSnapshot(PRIVATE, 0, 0, List.of());
            }

            @Override
            public void apply(SetRequest request) {}
        };
        try (UapiServer s = UapiServer.start("jsec0", backend, dir)) {
            Path sock = s.socketPath();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock, LinkOption.NOFOLLOW_LINKS))).isEqualTo("rw-------");
            assertThat(Files.getOwner(sock, LinkOption.NOFOLLOW_LINKS).getName()).isEqualTo(System.getProperty("user.name"));
            try (var entries = Files.list(dir)) {
                assertThat(entries.map(p -> p.getFileName().toString()).toList()).containsExactly("jsec0.sock"); // no temporary left
            }
        }
    }

    /**
     * {@code jwg genkey > FILE} under umask 022 creates a world-readable key file: jwg warns exactly
     * as wg does, and the key still goes to the file. Skipped until the genkey command exists.
     */
    @Test
    void genkeyWarnsWhenWritingToAWorldReadableFile() throws Exception {
        Path out = tmp.resolve("private.key"), err = tmp.resolve("err.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cmd = "umask 022; exec '" + java + "' --enable-native-access=ALL-UNNAMED -cp '" + System.getProperty("java.class.path") + "' io.jwg.cli.Main genkey > '" + out + "' 2> '" + err + "'";
        Process p = new ProcessBuilder("bash", "-c", cmd).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        Assumptions.assumeFalse(stderr.contains("Unmatched argument") || stderr.contains("Unknown"), "jwg has no genkey command yet: " + stderr.strip());
        assertThat(p.exitValue()).as(stderr).isZero();
        assertThat(stderr).isEqualTo("Warning: writing to world accessible file.\nConsider setting the umask to 077 and trying again.\n");
        assertThat(Key.fromBase64(Files.readString(out).strip()).isZero()).isFalse();
        // umask 077: no warning
        Path quiet = tmp.resolve("quiet.key");
        p = new ProcessBuilder("bash", "-c", cmd.replace("umask 022", "umask 077").replace(out.toString(), quiet.toString())).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(err)).isEmpty();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(quiet))).isEqualTo("rw-------");
    }

    static String source(String rel) throws IOException {
        return Files.readString(Path.of("src/main/java/io/jwg", rel));
    }

    /** The text of the first method with this name (from its signature to its closing brace at 4 spaces). */
    static String methodBody(String source, String name) {
        Matcher m = Pattern.compile("\\n    (public |private |static |synchronized |final )*[\\w<>\\[\\]]+ " + name + "\\(").matcher(source);
        assertThat(m.find()).as("method " + name).isTrue();
        int end = source.indexOf("\n    }\n", m.start());
        return source.substring(m.start(), end);
    }
}
