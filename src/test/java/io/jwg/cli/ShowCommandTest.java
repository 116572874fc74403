package io.jwg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.config.IpPrefix;
import io.jwg.crypto.Key;
import io.jwg.uapi.DeviceSnapshot;
import io.jwg.uapi.PeerSnapshot;
import io.jwg.uapi.SetRequest;
import io.jwg.uapi.UapiBackend;
import io.jwg.uapi.UapiPaths;
import io.jwg.uapi.UapiServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code jwg show} and {@code jwg showconf} against UAPI servers in a temporary directory ({@code jwg.uapi.dir}). */
@Timeout(30)
class ShowCommandTest {
    record Run(int exitCode, String out, String err) {}

    static Run jwg(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static UapiBackend fixed(DeviceSnapshot d) {
        return new UapiBackend() {
            @Override
            public DeviceSnapshot snapshot() {
                return d;
            }

            @Override
            public void apply(SetRequest request) {}
        };
    }

    @TempDir
    Path tmp;
    String saved;
    DeviceSnapshot d0;
    DeviceSnapshot d1;
    UapiServer s0;
    UapiServer s1;

    @BeforeEach
    void start() throws Exception {
        saved = System.getProperty(UapiPaths.DIR_PROPERTY);
        System.setProperty(UapiPaths.DIR_PROPERTY, tmp.toString());
        PeerSnapshot p = new PeerSnapshot(WgTextTest.A, WgTextTest.PSK, new InetSocketAddress(InetAddress.getByName("10.0.0.2"), 51820),
                0, 0, 1260, 4669, 25, List.of(IpPrefix.parse("10.9.0.2/32")));
        d0 = new DeviceSnapshot(WgTextTest.PRIV, 51820, 0, List.of(p));
        d1 = new DeviceSnapshot(null, 0, 0, List.of());
        s0 = UapiServer.start("wgs0", fixed(d0), tmp);
        s1 = UapiServer.start("wgs1", fixed(d1), tmp);
    }

    @AfterEach
    void stop() {
        s0.close();
        s1.close();
        if (saved == null) System.clearProperty(UapiPaths.DIR_PROPERTY);
        else System.setProperty(UapiPaths.DIR_PROPERTY, saved);
    }

    @Test
    void showInterface() {
        Run r = jwg("show", "wgs0");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo(WgText.pretty("wgs0", d0, 0, false, false));
        assertThat(jwg("show", "wgs0", "dump").out()).isEqualTo(WgText.dump("wgs0", d0, false));
        for (String f : WgText.FIELDS) assertThat(jwg("show", "wgs0", f).out()).as(f).isEqualTo(WgText.field("wgs0", d0, f, false));
        assertThat(jwg("showconf", "wgs0").out()).isEqualTo(WgText.showconf(d0));
    }

    @Test
    void showAllAndInterfaces() {
        Run names = jwg("show", "interfaces");
        assertThat(names.out()).isIn("wgs0 wgs1\n", "wgs1 wgs0\n");
        boolean zeroFirst = names.out().startsWith("wgs0");
        String p0 = WgText.pretty("wgs0", d0, 0, false, false);
        String p1 = WgText.pretty("wgs1", d1, 0, false, false);
        assertThat(jwg("show").out()).isEqualTo(zeroFirst ? p0 + "\n" + p1 : p1 + "\n" + p0);
        assertThat(jwg("show", "all").out()).isEqualTo(zeroFirst ? p0 + "\n" + p1 : p1 + "\n" + p0);
        String dump0 = WgText.dump("wgs0", d0, true);
        String dump1 = WgText.dump("wgs1", d1, true);
        assertThat(jwg("show", "all", "dump").out()).isEqualTo(zeroFirst ? dump0 + dump1 : dump1 + dump0);
        assertThat(jwg("show", "all", "endpoints").out()).isEqualTo("wgs0\t" + WgTextTest.A.toBase64() + "\t10.0.0.2:51820\n");
    }

    @Test
    void json() {
        Run r = jwg("show", "wgs0", "--json");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("{\"interface\":\"wgs0\"").endsWith("}\n").doesNotContain(WgTextTest.PRIV.toBase64());
        Run all = jwg("show", "--json");
        assertThat(all.out()).startsWith("[{").contains("\"interface\":\"wgs1\"").endsWith("}]\n");
        assertThat(jwg("show", "interfaces", "--json").out()).isIn("[\"wgs0\",\"wgs1\"]\n", "[\"wgs1\",\"wgs0\"]\n");
    }

    @Test
    void errorsAreOneLineAndExit1() {
        Run r = jwg("show", "nosuch");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("Unable to access interface: No such device\n");
        Run c = jwg("showconf", "nosuch");
        assertThat(c.exitCode()).isEqualTo(1);
        assertThat(c.err()).isEqualTo("Unable to access interface: No such device\n");
        Run f = jwg("show", "wgs0", "bogus");
        assertThat(f.exitCode()).isEqualTo(1);
        assertThat(f.err()).startsWith("Invalid parameter: `bogus'\n");
        assertThat(jwg("show", "wgs0", "dump", "--json").exitCode()).isEqualTo(1);
    }

    @Test
    void noInterfacesAtAll() {
        s0.close();
        s1.close();
        Run r = jwg("show");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(jwg("show", "interfaces").out()).isEmpty();
    }

    @Test
    void keysAreShownOnlyInDumpAndShowconf() {
        Key priv = WgTextTest.PRIV;
        assertThat(jwg("show", "wgs0").out()).doesNotContain(priv.toBase64());
        assertThat(jwg("show", "wgs0", "private-key").out()).isEqualTo(priv.toBase64() + "\n");
    }
}
