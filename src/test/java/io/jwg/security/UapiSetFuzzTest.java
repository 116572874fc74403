package io.jwg.security;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jwg.uapi.SetRequest;
import io.jwg.uapi.UapiException;
import io.jwg.uapi.UapiProtocol;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the UAPI {@code set=1} parser the way the server feeds it (bytes read as ISO-8859-1): the
 * whole-body {@link UapiProtocol#parseSet} and the line-by-line {@link UapiProtocol.SetParser} give a
 * {@link SetRequest} or a {@link UapiException}, never another exception, and agree with each other.
 * A parsed request formats ({@link UapiProtocol#formatSet}) to text that parses to an equal request,
 * and its {@code toString()} never shows the private or a pre-shared key. Seeds:
 * src/test/resources/io/jwg/security/UapiSetFuzzTestInputs/parseSet/.
 */
class UapiSetFuzzTest {
    @BeforeAll
    static void java25() {
        JazzerJava25.install();
    }

    @FuzzTest(maxDuration = "45s")
    void parseSet(byte[] data) {
        check(new String(data, StandardCharsets.ISO_8859_1));
    }

    static void check(String body) {
        SetRequest whole;
        try {
            whole = UapiProtocol.parseSet(body);
        } catch (UapiException e) {
            whole = null;
        }
        SetRequest lines = null;
        try {
            UapiProtocol.SetParser p = new UapiProtocol.SetParser();
            int start = 0;
            boolean more = true;
            while (more && start < body.length()) {
                int nl = body.indexOf('\n', start);
                String line = nl < 0 ? body.substring(start) : body.substring(start, nl);
                start = nl < 0 ? body.length() : nl + 1;
                more = p.accept(line);
            }
            lines = p.finish();
        } catch (UapiException e) {
            lines = null;
        }
        if ((whole == null) != (lines == null) || (whole != null && !whole.equals(lines))) {
            throw new AssertionError("parseSet and SetParser disagree: " + whole + " / " + lines);
        }
        if (whole == null) return;
        String text = UapiProtocol.formatSet(whole);
        SetRequest again;
        try {
            again = UapiProtocol.parseSet(text.substring("set=1\n".length()));
        } catch (UapiException e) {
            throw new AssertionError("formatSet() of a parsed request does not parse: " + e.getMessage() + "\n" + text, e);
        }
        if (!again.equals(whole)) throw new AssertionError("round trip changed the request:\n" + text);
        String shown = whole.toString();
        // public keys are shown on purpose; a secret that equals one of them (the fuzzer reuses
        // bytes) is not a leak
        java.util.Set<io.jwg.crypto.Key> visible = new java.util.HashSet<>();
        for (SetRequest.PeerUpdate p : whole.peers()) visible.add(p.publicKey());
        java.util.List<io.jwg.crypto.Key> secrets = new java.util.ArrayList<>();
        whole.privateKey().ifPresent(secrets::add);
        for (SetRequest.PeerUpdate p : whole.peers()) p.presharedKey().ifPresent(secrets::add);
        for (io.jwg.crypto.Key k : secrets) {
            if (k.isZero() || visible.contains(k)) continue;
            if (shown.contains(k.toBase64()) || shown.contains(UapiProtocol.hex(k))) {
                throw new AssertionError("toString shows a private or pre-shared key: " + shown);
            }
        }
    }
}
