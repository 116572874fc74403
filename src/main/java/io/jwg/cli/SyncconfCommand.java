package io.jwg.cli;

import io.jwg.config.Config;
import io.jwg.config.ConfigException;
import io.jwg.config.ConfigFiles;
import io.jwg.uapi.ConfigDiff;
import io.jwg.uapi.DeviceSnapshot;
import io.jwg.uapi.Errno;
import io.jwg.uapi.SetRequest;
import io.jwg.uapi.UapiClient;
import io.jwg.uapi.UapiException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jwg syncconf IFACE [FILE]}: what {@code wg syncconf IFACE <(wg-quick strip FILE)} does:
 * reads a wg-quick (or wg) config and changes the running interface to match it through its UAPI
 * socket, changing only what differs ({@link ConfigDiff}), so that sessions survive. Works for any
 * userspace interface (jwg's or wireguard-go's). The systemd unit's ExecReload.
 */
@Command(name = "syncconf", mixinStandardHelpOptions = true,
        header = "Apply a config file to a running interface without dropping sessions.",
        description = {"Apply a config file to a running interface, changing only what differs (peers added, removed or",
                "updated; keys, port, fwmark if changed), without dropping the sessions of unchanged peers, as",
                "`wg syncconf IFACE <(wg-quick strip FILE)` does. FILE defaults to /etc/jwg/IFACE.conf, else /etc/wireguard/IFACE.conf."})
public final class SyncconfCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "INTERFACE", description = "The running interface.")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "FILE", description = "The config file (wg-quick or wg format).")
    Path file;

    @Option(names = {"-n", "--dry-run"}, description = "Print the UAPI request instead of applying it (keys are shown as written to the socket).")
    boolean dryRun;

    @Spec
    CommandSpec spec;

    UapiClient client = UapiClient.create();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            Path path = file != null ? file : ConfigFiles.locate(name);
            Config desired;
            try {
                desired = Config.parse(path);
            } catch (ConfigException e) {
                err.println(e.getMessage());
                return 1;
            } catch (IOException e) {
                err.println("jwg: cannot read " + path + ": " + Errors.describe(e));
                return 1;
            }
            DeviceSnapshot current;
            try {
                current = client.get(name);
            } catch (UapiException e) {
                err.println("Unable to access interface: " + Errno.message(e.errno()));
                return 1;
            }
            SetRequest r;
            try {
                r = ConfigDiff.diff(current, desired);
            } catch (IOException e) {
                err.println("jwg: cannot resolve an endpoint: " + Errors.describe(e));
                return 1;
            }
            if (dryRun) {
                out.print(io.jwg.uapi.UapiProtocol.formatSet(r));
                return 0;
            }
            if (ConfigDiff.isEmpty(r)) return 0;
            try {
                client.set(name, r);
            } catch (UapiException e) {
                err.println("Unable to modify interface: " + Errno.message(e.errno()));
                return 1;
            }
            return 0;
        } finally {
            out.flush();
            err.flush();
        }
    }
}
