package io.jwg.cli;

import io.jwg.device.DropReason;
import io.jwg.uapi.DeviceSnapshot;
import io.jwg.uapi.JwgExtensions;
import io.jwg.uapi.PeerSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code jwg show --prometheus}: interfaces in the Prometheus text exposition format (version
 * 0.0.4). Every family has HELP and TYPE lines and its samples together; label values are escaped
 * as the format requires. Per-peer series carry the labels {@code interface}, {@code public_key}
 * and {@code endpoint} (empty without one; it changes when the peer roams). The drop counters and
 * keypair ages come from jwg's UAPI extension ({@link JwgExtensions}) and are absent for
 * interfaces that do not report them (wireguard-go).
 */
final class PrometheusText {
    /** One interface's snapshot and name. */
    record Iface(String name, DeviceSnapshot snapshot) {}

    private PrometheusText() {}

    static String format(List<Iface> interfaces) {
        StringBuilder sb = new StringBuilder(1024);
        family(sb, "jwg_interface_info", "gauge", "Interfaces served by this host's userspace WireGuard; the value is always 1.",
                interfaces, i -> List.of(sample(labels("interface", i.name(), "public_key",
                        i.snapshot().publicKey() == null ? "" : i.snapshot().publicKey().toBase64(),
                        "listen_port", Integer.toString(i.snapshot().listenPort())), "1")));
        family(sb, "jwg_interface_peers", "gauge", "Configured peers.", interfaces,
                i -> List.of(sample(labels("interface", i.name()), Integer.toString(i.snapshot().peers().size()))));
        family(sb, "jwg_dropped_packets_total", "counter", "Packets the interface dropped, by reason.", interfaces, i -> {
            List<String> out = new ArrayList<>();
            for (Map.Entry<DropReason, Long> e : JwgExtensions.drops(i.snapshot().extensions()).entrySet()) {
                out.add(sample(labels("interface", i.name(), "reason", e.getKey().key()), Long.toUnsignedString(e.getValue())));
            }
            return out;
        });
        peerFamily(sb, "jwg_peer_receive_bytes_total", "counter", "Bytes received from the peer (WireGuard messages, as wg's transfer).",
                interfaces, (i, p) -> List.of(peerSample(i, p, Long.toUnsignedString(p.rxBytes()))));
        peerFamily(sb, "jwg_peer_transmit_bytes_total", "counter", "Bytes sent to the peer (WireGuard messages, as wg's transfer).",
                interfaces, (i, p) -> List.of(peerSample(i, p, Long.toUnsignedString(p.txBytes()))));
        peerFamily(sb, "jwg_peer_latest_handshake_seconds", "gauge",
                "Unix time of the latest completed handshake with the peer; 0 if none.", interfaces,
                (i, p) -> List.of(peerSample(i, p, p.lastHandshakeSeconds() == 0 ? "0"
                        : p.lastHandshakeSeconds() + "." + String.format("%03d", p.lastHandshakeNanos() / 1_000_000))));
        peerFamily(sb, "jwg_peer_keypair_age_seconds", "gauge", "Age of the peer's current session keys; absent without a session.",
                interfaces, (i, p) -> {
                    Long ms = p.extensions().get(JwgExtensions.KEYPAIR_AGE_MSEC);
                    return ms == null ? List.of() : List.of(peerSample(i, p, ms / 1000 + "." + String.format("%03d", ms % 1000)));
                });
        peerFamily(sb, "jwg_peer_dropped_packets_total", "counter", "Packets of the peer that were dropped, by reason.", interfaces,
                (i, p) -> {
                    List<String> out = new ArrayList<>();
                    for (Map.Entry<DropReason, Long> e : JwgExtensions.drops(p.extensions()).entrySet()) {
                        out.add(sample(peerLabels(i, p) + ",reason=\"" + e.getKey().key() + "\"", Long.toUnsignedString(e.getValue())));
                    }
                    return out;
                });
        return sb.toString();
    }

    private static void family(StringBuilder sb, String name, String type, String help, List<Iface> interfaces,
            Function<Iface, List<String>> samples) {
        List<String> lines = new ArrayList<>();
        for (Iface i : interfaces) lines.addAll(samples.apply(i));
        emit(sb, name, type, help, lines);
    }

    private interface PeerSamples {
        List<String> of(Iface i, PeerSnapshot p);
    }

    private static void peerFamily(StringBuilder sb, String name, String type, String help, List<Iface> interfaces, PeerSamples samples) {
        List<String> lines = new ArrayList<>();
        for (Iface i : interfaces) {
            for (PeerSnapshot p : i.snapshot().peers()) lines.addAll(samples.of(i, p));
        }
        emit(sb, name, type, help, lines);
    }

    private static void emit(StringBuilder sb, String name, String type, String help, List<String> samples) {
        if (samples.isEmpty()) return;
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        for (String s : samples) sb.append(name).append(s).append('\n');
    }

    private static String sample(String labels, String value) {
        return "{" + labels + "} " + value;
    }

    private static String peerSample(Iface i, PeerSnapshot p, String value) {
        return sample(peerLabels(i, p), value);
    }

    private static String peerLabels(Iface i, PeerSnapshot p) {
        return labels("interface", i.name(), "public_key", p.publicKey().toBase64(), "endpoint",
                p.endpoint() == null ? "" : WgText.endpoint(p.endpoint()));
    }

    private static String labels(String... kv) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < kv.length; k += 2) {
            if (k > 0) sb.append(',');
            sb.append(kv[k]).append("=\"").append(escape(kv[k + 1])).append('"');
        }
        return sb.toString();
    }

    /** Label value escaping of the text format: backslash, double quote and line feed. */
    static String escape(String v) {
        StringBuilder sb = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
