package io.jwg.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** jwg genkey / genpsk / pubkey, run through Main.run with System.in/out/err redirected. */
class KeyCommandsTest {
    static final Path WG = Path.of("/usr/bin/wg");
    static final String ALICE_PRIV = "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="; // RFC 7748 6.1, unclamped
    static final String ALICE_PUB = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
    static final String BAD = "jwg: Key is not the correct length or format\n";

    record Result(int code, String out, String err) {}

    /** Runs jwg in this JVM with the given stdin (bytes as ISO-8859-1) and captures everything. */
    static synchronized Result jwg(String stdin, String... args) {
        InputStream oldIn = System.in;
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.ISO_8859_1)));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setIn(oldIn);
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** Runs the real wg with the given stdin. */
    static Result wg(String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(WG.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.ISO_8859_1));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out, err);
    }

    static boolean hasWg() {
        return Files.isExecutable(WG);
    }

    static byte[] decodeLine(String out) {
        assertThat(out).matches("[A-Za-z0-9+/]{43}=\n");
        byte[] b = Base64.getDecoder().decode(out.strip());
        assertThat(b).hasSize(32);
        return b;
    }

    /** Stderr of genkey/genpsk is empty, or wg's warning when the JVM's real stdout is an open file. */
    static void assertNoErrorOutput(String err) {
        assertThat(err).isIn("", KeyCommands.WORLD_ACCESSIBLE_WARNING);
    }

    // ---- genkey / genpsk

    @Test
    void genkeyPrintsAClampedPrivateKey() {
        for (int i = 0; i < 20; i++) {
            Result r = jwg("", "genkey");
            assertThat(r.code()).isZero();
            assertNoErrorOutput(r.err());
            byte[] k = decodeLine(r.out());
            assertThat(k[0] & 7).isZero();
            assertThat(k[31] & 0xc0).isEqualTo(0x40);
        }
    }

    @Test
    void genpskPrints32RandomBytesWithoutClamping() {
        boolean sawUnclamped = false;
        String first = null;
        for (int i = 0; i < 20; i++) {
            Result r = jwg("", "genpsk");
            assertThat(r.code()).isZero();
            assertNoErrorOutput(r.err());
            byte[] k = decodeLine(r.out());
            sawUnclamped |= (k[0] & 7) != 0 || (k[31] & 0xc0) != 0x40;
            if (first == null) first = r.out();
            else assertThat(r.out()).isNotEqualTo(first);
        }
        assertThat(sawUnclamped).as("20 clamped psks in a row has probability 2^-100").isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"genkey", "genpsk", "pubkey"})
    void extraArgumentsAreAUsageError(String command) {
        Result r = jwg(ALICE_PRIV + "\n", command, "extra");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("Usage: jwg " + command + "\n");
        Result o = jwg(ALICE_PRIV + "\n", command, "--bogus");
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.err()).isEqualTo("Usage: jwg " + command + "\n");
    }

    @Test
    void unknownSubcommandIsOneLineAndExitCode1() {
        Result r = jwg("", "frobnicate");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("jwg: ").endsWith("\n").containsOnlyOnce("\n").doesNotContain("Exception");
        Result o = jwg("", "--no-such-option");
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.err()).startsWith("jwg: ").containsOnlyOnce("\n");
    }

    @Test
    void helpListsTheKeyCommands() {
        Result r = jwg("", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("genkey", "genpsk", "pubkey");
    }

    // ---- pubkey

    @ParameterizedTest
    @ValueSource(strings = {"\n", "", "\r\n", " \t\n\n", "\0", "\u000b\f\n"})
    void pubkeyOfRfc7748Alice(String trailer) {
        Result r = jwg(ALICE_PRIV + trailer, "pubkey");
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo(ALICE_PUB + "\n");
    }

    @Test
    void pubkeyOfGeneratedKeysRoundTrips() {
        for (int i = 0; i < 5; i++) {
            String priv = jwg("", "genkey").out();
            Result r = jwg(priv, "pubkey");
            assertThat(r.code()).isZero();
            decodeLine(r.out());
        }
    }

    static final String[] BAD_INPUTS = {
        "",                                                  // empty
        "\n",
        "not a key\n",                                       // short
        "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo\n",     // 43 characters
        "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCoA\n",    // 44 without '='
        "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25L!o=\n",    // not base64
        "dwdtCnMY-X08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=\n",    // URL-safe alphabet
        "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LC==\n",    // 31 bytes
        "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCp=\n",    // non-zero padding bits
        "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkq\u00e9Xf7pR25LCo=\n", // non-ASCII byte
    };

    static final String[] TRAILING_INPUTS = {
        "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=x\n",   // 45 characters
        " dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=\n",   // leading space: the 44th byte is 'o'
        ALICE_PRIV + "\n" + ALICE_PRIV + "\n",              // two keys
    };

    @Test
    void badInputIsOneLineOnStderrAndExitCode1() {
        for (String in : BAD_INPUTS) {
            Result r = jwg(in, "pubkey");
            assertThat(r.code()).as("input %s", in).isEqualTo(1);
            assertThat(r.out()).isEmpty();
            assertThat(r.err()).as("input %s", in).isEqualTo(BAD);
        }
        for (String in : TRAILING_INPUTS) {
            Result r = jwg(in, "pubkey");
            assertThat(r.code()).as("input %s", in).isEqualTo(1);
            assertThat(r.out()).isEmpty();
            assertThat(r.err()).as("input %s", in).isEqualTo("jwg: Trailing characters found after key\n");
        }
    }

    /** The same bad inputs given to the real wg give the same message (with "wg:" for "jwg:"). */
    @Test
    void badInputMessagesMatchWg() throws Exception {
        assumeTrue(hasWg(), "wg (wireguard-tools) is not installed at /usr/bin/wg: skipping the comparison with wg");
        List<String> all = new ArrayList<>(List.of(BAD_INPUTS));
        all.addAll(List.of(TRAILING_INPUTS));
        all.add(ALICE_PRIV + "\n");
        for (String in : all) {
            Result w = wg(in, "pubkey");
            Result j = jwg(in, "pubkey");
            assertThat(j.code()).as("exit code for %s", in).isEqualTo(w.code());
            assertThat(j.out()).as("stdout for %s", in).isEqualTo(w.out());
            // wg names itself by argv[0] ("/usr/bin/wg: ...")
            assertThat(j.err()).as("stderr for %s", in).isEqualTo(w.err().replaceFirst("^\\S*wg: ", "jwg: "));
        }
    }

    /** 20 private keys (10 from wg genkey, 10 from jwg genkey) through both wg pubkey and jwg pubkey. */
    @Test
    void pubkeyMatchesWgPubkey() throws Exception {
        assumeTrue(hasWg(), "wg (wireguard-tools) is not installed at /usr/bin/wg: skipping the interop check with wg pubkey");
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Result w = wg("", "genkey");
            assertThat(w.code()).isZero();
            keys.add(w.out());
            Result j = jwg("", "genkey");
            assertThat(j.code()).isZero();
            keys.add(j.out());
        }
        for (String priv : keys) {
            byte[] k = decodeLine(priv); // both clamp the same way
            assertThat(k[0] & 7).isZero();
            assertThat(k[31] & 0xc0).isEqualTo(0x40);
            Result w = wg(priv, "pubkey");
            Result j = jwg(priv, "pubkey");
            assertThat(w.code()).isZero();
            assertThat(j.code()).isZero();
            assertThat(j.out()).as("public key of %s", priv.strip()).isEqualTo(w.out());
        }
    }

    // ---- the world-accessible warning

    @Test
    void worldAccessibleMeansAnyPermissionForOthersOnARegularFile(@TempDir Path dir) throws IOException {
        for (String perms : new String[] {"rw-r--r--", "rw----r--", "rw-----w-", "rw------x", "rwxrwxrwx"}) {
            Path f = Files.createTempFile(dir, "k", null);
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms)); // not subject to the umask
            assertThat(KeyCommands.worldAccessible(f)).as(perms).isTrue();
        }
        for (String perms : new String[] {"rw-------", "rw-r-----", "rw-rw----", "r--------"}) {
            Path f = Files.createTempFile(dir, "k", null);
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
            assertThat(KeyCommands.worldAccessible(f)).as(perms).isFalse();
        }
        assertThat(KeyCommands.worldAccessible(dir)).as("a directory").isFalse();
        assertThat(KeyCommands.worldAccessible(Path.of("/dev/null"))).as("a device").isFalse();
        assertThat(KeyCommands.worldAccessible(dir.resolve("missing"))).isFalse();
    }

    /** End to end in a child JVM, whose real stdout is the file: the warning depends on the file's mode. */
    @Test
    void genkeyToAWorldReadableFileWarnsLikeWg(@TempDir Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        for (String perms : new String[] {"rw-r--r--", "rw-r-----", "rw-------"}) {
            for (String cmd : new String[] {"genkey", "genpsk"}) {
                Path f = Files.createTempFile(dir, "key", null);
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms)); // whatever the umask
                Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", cp, Main.class.getName(), cmd) // as the launchers run it
                        .redirectOutput(f.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
                String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).isZero();
                decodeLine(Files.readString(f));
                String expected = perms.charAt(6) == 'r' ? KeyCommands.WORLD_ACCESSIBLE_WARNING : "";
                assertThat(err).as("%s to a %s file", cmd, perms).isEqualTo(expected);
                if (hasWg() && cmd.equals("genkey")) {
                    Path g = Files.createTempFile(dir, "wgkey", null);
                    Files.setPosixFilePermissions(g, PosixFilePermissions.fromString(perms));
                    Process w = new ProcessBuilder(WG.toString(), "genkey").redirectOutput(g.toFile()).start();
                    String wgErr = new String(w.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertThat(w.waitFor(10, TimeUnit.SECONDS)).isTrue();
                    assertThat(err).as("jwg and wg warn alike for a %s file", perms).isEqualTo(wgErr);
                }
            }
        }
    }
}
