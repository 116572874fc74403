package io.jwg.security;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jwg.config.Config;
import io.jwg.config.ConfigException;
import io.jwg.config.PeerConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the wg-quick config parser, {@link Config#parse(String, String)}: any text gives a Config
 * or a {@link ConfigException}, never another exception. Beyond that: a parsed config writes back
 * ({@link Config#toWgQuickText()}) to text that parses to an equal config; {@code toString()} of
 * the config and its parts never shows the private or a pre-shared key; an error message never
 * quotes the value of a PrivateKey or PresharedKey line. Seeds:
 * src/test/resources/io/jwg/security/ConfigParseFuzzTestInputs/parse/.
 */
class ConfigParseFuzzTest {
    @BeforeAll
    static void java25() {
        JazzerJava25.install();
    }

    @FuzzTest(maxDuration = "45s")
    void parse(byte[] data) {
        check(new String(data, StandardCharsets.UTF_8));
    }

    static void check(String text) {
        Config c;
        try {
            c = Config.parse(text, "fuzz.conf");
        } catch (ConfigException e) {
            for (String secret : secretValues(text)) {
                if (e.getMessage().contains(secret)) throw new AssertionError("error message quotes key material: " + e.getMessage());
            }
            return;
        }
        String written = c.toWgQuickText();
        Config again;
        try {
            again = Config.parse(written, "written.conf");
        } catch (ConfigException e) {
            throw new AssertionError("toWgQuickText() of a parsed config does not parse: " + e.getMessage() + "\n" + written, e);
        }
        if (!again.equals(c)) throw new AssertionError("round trip changed the config:\n" + written + "\n" + again.toWgQuickText());
        List<String> shown = new ArrayList<>(List.of(c.toString(), c.interfaceConfig().toString()));
        for (PeerConfig p : c.peers()) shown.add(p.toString());
        // a key is checked unless the config also holds its text elsewhere (the fuzzer likes to use
        // a key as a DNS search domain or a hook, which toString shows legitimately): written out,
        // the private key then occurs exactly once, a pre-shared key once per peer that has it
        String priv = c.interfaceConfig().privateKey().toBase64();
        List<String> secrets = new ArrayList<>();
        if (occurrences(written, priv) == 1) secrets.add(priv);
        for (PeerConfig p : c.peers()) {
            p.presharedKey().map(io.jwg.crypto.Key::toBase64).ifPresent(k -> {
                long holders = c.peers().stream().filter(q -> q.presharedKey().map(x -> x.toBase64().equals(k)).orElse(false)).count();
                if (occurrences(written, k) == holders) secrets.add(k);
            });
        }
        for (String s : shown) {
            for (String secret : secrets) {
                if (s.contains(secret)) throw new AssertionError("toString shows key material: " + s);
            }
        }
    }

    static int occurrences(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }

    static boolean isKey(String s) {
        try {
            io.jwg.crypto.Key.fromBase64(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The keys written after {@code PrivateKey =} or {@code PresharedKey =} anywhere on a line (also
     * on a malformed one, e.g. after a section header), whitespace removed; only well-formed keys
     * (a mangled value that is no longer a key may be quoted). A value
     * that also occurs on a line that names no key is left out: an error may quote that other line
     * (a Table value the fuzzer filled with the key's text is not a leak of the key).
     */
    static List<String> secretValues(String text) {
        List<String> out = new ArrayList<>();
        List<String> otherLines = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            String lower = line.toLowerCase(Locale.ROOT);
            int at = Math.max(lower.indexOf("privatekey"), lower.indexOf("presharedkey"));
            int eq = at < 0 ? -1 : line.indexOf('=', at);
            if (eq < 0) {
                otherLines.add(line.replaceAll("\\s+", ""));
                continue;
            }
            String value = line.substring(eq + 1);
            int hash = value.indexOf('#');
            if (hash >= 0) value = value.substring(0, hash);
            value = value.replaceAll("\\s+", "");
            if (isKey(value)) out.add(value);
        }
        out.removeIf(v -> otherLines.stream().anyMatch(l -> l.contains(v)));
        return out;
    }
}
