package io.jwg.cli;

import io.jwg.uapi.DeviceSnapshot;
import io.jwg.uapi.Errno;
import io.jwg.uapi.UapiClient;
import io.jwg.uapi.UapiException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jwg showconf IFACE}: the interface's configuration in wg's config format, as {@code wg showconf} prints it. */
@Command(name = "showconf", mixinStandardHelpOptions = true,
        description = "Shows the configuration of an interface in the format `wg setconf` reads, as `wg showconf` does.")
public final class ShowconfCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "INTERFACE", description = "The interface.")
    String name;

    @Spec
    CommandSpec spec;

    UapiClient client = UapiClient.create();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            DeviceSnapshot d = client.get(name);
            out.print(WgText.showconf(d));
            return 0;
        } catch (UapiException e) {
            err.println("Unable to access interface: " + Errno.message(e.errno()));
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }
}
