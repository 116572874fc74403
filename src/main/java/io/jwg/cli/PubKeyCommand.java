package io.jwg.cli;

import io.jwg.crypto.Key;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/** {@code jwg pubkey}: reads a private key on stdin and writes its public key, like {@code wg pubkey}. */
@Command(name = "pubkey", description = "Reads a private key from stdin and writes a public key to stdout.")
final class PubKeyCommand implements Callable<Integer> {
    @Unmatched
    List<String> unexpected = new ArrayList<>();

    @Override
    public Integer call() {
        if (!unexpected.isEmpty()) return KeyCommands.usage("pubkey");
        Key priv;
        try {
            priv = KeyCommands.readKey(System.in);
        } catch (IllegalArgumentException e) {
            return KeyCommands.fail(e.getMessage());
        } catch (IOException e) {
            return KeyCommands.fail("could not read the key from stdin: " + e.getMessage());
        }
        Key pub = priv.publicKey();
        priv.destroy();
        return KeyCommands.printKey(pub);
    }
}
