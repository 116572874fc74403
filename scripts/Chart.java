import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Draws the results file of scripts/bench (TSV) as a PNG: TCP throughput a2b/b2a per pair, CPU
 * seconds per GB, and the UDP loss-free rate when it was measured; all medians, with each pair's
 * ratio to wggo:wggo under its name. Dependency-free (headless AWT + ImageIO), run in source-file
 * mode by scripts/chart:  java scripts/Chart.java target/bench.tsv docs/performance.png
 */
public final class Chart {
    private static final Color A2B = new Color(0x2f6db5), B2A = new Color(0xe08a2c);
    private static final Color WGGO = new Color(0x8c8c8c), JWG = new Color(0x2a9d8f);
    private static final Color AXIS = new Color(0x333333), GRID = new Color(0xe4e4e4);
    private static final int WIDTH_PER_PANEL = 560, HEIGHT = 640, TOP = 110, BOTTOM = 120, LEFT = 80, RIGHT = 30;

    /** One pair's medians (NaN where missing) and its ratios to wggo:wggo (null where none). */
    record Row(String pair, double rtt, double a2b, double b2a, double cpuPerGb, double udp, Map<String, String> ratios) {}

    /** One bar chart: groups of bars (one group per pair), with a value over each bar. */
    record Panel(String title, String yLabel, List<String> series, List<Color> seriesColors, List<double[]> values,
                 List<Color> groupColors, List<String> groupNotes) {}

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        if (args.length != 2) {
            System.err.println("usage: java scripts/Chart.java RESULTS.tsv OUT.png");
            System.exit(2);
        }
        Path in = Path.of(args[0]);
        if (!Files.isReadable(in)) {
            System.err.println("chart: cannot read " + in + " (run sudo scripts/bench first)");
            System.exit(1);
        }
        Map<String, String> meta = new LinkedHashMap<>();
        Map<String, Row> rows = new LinkedHashMap<>();
        Map<String, Map<String, String>> ratios = new LinkedHashMap<>();
        List<String> header = null;
        for (String line : Files.readAllLines(in)) {
            if (line.isBlank()) continue;
            String[] f = line.split("\t", -1);
            if (line.startsWith("#")) {
                meta.put(f[0].substring(1), f.length > 1 ? f[1] : "");
            } else if (f[0].equals("kind")) {
                header = List.of(f);
            } else if (header != null && f[0].equals("median")) {
                rows.put(f[1], new Row(f[1], num(f, header, "rtt_ms"), num(f, header, "a2b_mbps"), num(f, header, "b2a_mbps"),
                        num(f, header, "cpu_s_per_GB"), num(f, header, "udp_lossfree_mbps"), Map.of()));
            } else if (header != null && f[0].equals("ratio")) {
                Map<String, String> r = new LinkedHashMap<>();
                for (String c : List.of("a2b_mbps", "b2a_mbps", "cpu_s_per_GB", "udp_lossfree_mbps")) {
                    int i = header.indexOf(c);
                    if (i >= 0 && i < f.length && !f[i].equals("-") && !f[i].isEmpty()) r.put(c, f[i]);
                }
                ratios.put(f[1], r);
            }
        }
        if (rows.isEmpty()) {
            System.err.println("chart: no 'median' rows in " + in + " (is it a scripts/bench results file?)");
            System.exit(1);
        }
        List<Row> data = new ArrayList<>();
        for (Row r : rows.values()) data.add(new Row(r.pair, r.rtt, r.a2b, r.b2a, r.cpuPerGb, r.udp, ratios.getOrDefault(r.pair, Map.of())));

        List<String> pairs = data.stream().map(Row::pair).toList();
        List<Color> pairColors = pairs.stream().map(p -> p.equals("wggo:wggo") ? WGGO : JWG).toList();
        List<Panel> panels = new ArrayList<>();
        panels.add(new Panel("TCP throughput (higher is better)", "Mbit/s", List.of("a2b", "b2a"), List.of(A2B, B2A),
                data.stream().map(r -> new double[] {r.a2b, r.b2a}).toList(), null,
                data.stream().map(r -> note(r, "a2b_mbps", "b2a_mbps")).toList()));
        panels.add(new Panel("CPU seconds per GB moved (lower is better)", "CPU s / GB (both ends)", List.of(), List.of(),
                data.stream().map(r -> new double[] {r.cpuPerGb}).toList(), pairColors,
                data.stream().map(r -> note(r, "cpu_s_per_GB")).toList()));
        if (data.stream().anyMatch(r -> !Double.isNaN(r.udp))) {
            panels.add(new Panel("UDP loss-free rate a2b (higher is better)", "Mbit/s offered, loss <= 0.1%", List.of(), List.of(),
                    data.stream().map(r -> new double[] {r.udp}).toList(), pairColors,
                    data.stream().map(r -> note(r, "udp_lossfree_mbps")).toList()));
        }

        int width = WIDTH_PER_PANEL * panels.size();
        BufferedImage img = new BufferedImage(width, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, HEIGHT);

        g.setColor(AXIS);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 22));
        centered(g, "jwg vs wireguard-go (scripts/bench), " + meta.getOrDefault("date", "date unknown"), width / 2, 34);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        centered(g, "median of " + meta.getOrDefault("runs", "?") + " interleaved runs per pair, " + meta.getOrDefault("seconds", "?")
                + " s per iperf3 run; pair A:B = client:server implementation; \u00d7 = ratio to wggo:wggo in the same run", width / 2, 60);
        centered(g, "commit " + meta.getOrDefault("commit", "?") + ", kernel " + meta.getOrDefault("host", "?"), width / 2, 80);

        for (int i = 0; i < panels.size(); i++) draw(g, panels.get(i), pairs, i * WIDTH_PER_PANEL);
        g.dispose();
        Path out = Path.of(args[1]);
        if (out.getParent() != null) Files.createDirectories(out.getParent());
        ImageIO.write(img, "png", out.toFile());
        System.out.println("chart: wrote " + out);
    }

    private static double num(String[] f, List<String> header, String column) {
        int i = header.indexOf(column);
        if (i < 0 || i >= f.length) return Double.NaN;
        try {
            return Double.parseDouble(f[i]);
        } catch (NumberFormatException e) {
            return Double.NaN; // "-": not measured
        }
    }

    private static String note(Row r, String... columns) {
        if (r.pair.equals("wggo:wggo")) return "baseline";
        List<String> parts = new ArrayList<>();
        for (String c : columns) {
            String v = r.ratios.get(c);
            if (v != null) parts.add("\u00d7" + v);
        }
        return String.join(" / ", parts);
    }

    private static void draw(Graphics2D g, Panel p, List<String> pairs, int x0) {
        int left = x0 + LEFT, right = x0 + WIDTH_PER_PANEL - RIGHT, top = TOP + 30, bottom = HEIGHT - BOTTOM;
        double max = 0;
        for (double[] v : p.values) for (double d : v) if (!Double.isNaN(d)) max = Math.max(max, d);
        double step = niceStep(max == 0 ? 1 : max / 5);
        double axisMax = Math.max(step, Math.ceil(max * 1.12 / step) * step);

        g.setColor(AXIS);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        centered(g, p.title, (left + right) / 2, TOP);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (double t = 0; t <= axisMax + step / 2; t += step) { // grid and tick labels
            int y = bottom - (int) Math.round(t / axisMax * (bottom - top));
            g.setColor(GRID);
            g.drawLine(left, y, right, y);
            g.setColor(AXIS);
            String label = format(t);
            g.drawString(label, left - 8 - g.getFontMetrics().stringWidth(label), y + 4);
        }
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        rotated.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        centered(rotated, p.yLabel, -(top + bottom) / 2, x0 + 18);
        rotated.dispose();
        g.setColor(AXIS);
        g.setStroke(new BasicStroke(1.5f));
        g.drawLine(left, top, left, bottom);
        g.drawLine(left, bottom, right, bottom);

        int groups = pairs.size();
        double groupWidth = (right - left) / (double) groups;
        for (int i = 0; i < groups; i++) {
            double[] v = p.values.get(i);
            double barWidth = Math.min(60, groupWidth * 0.7 / v.length);
            double gx = left + groupWidth * i + (groupWidth - barWidth * v.length) / 2;
            for (int s = 0; s < v.length; s++) {
                int x = (int) Math.round(gx + s * barWidth);
                g.setColor(p.groupColors != null ? p.groupColors.get(i) : p.seriesColors.get(s));
                if (Double.isNaN(v[s])) {
                    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                    centered(g, "n/a", x + (int) barWidth / 2, bottom - 6);
                    continue;
                }
                int h = (int) Math.round(v[s] / axisMax * (bottom - top));
                g.fillRect(x, bottom - h, (int) Math.round(barWidth) - 3, h);
                g.setColor(AXIS);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                centered(g, format(v[s]), x + (int) barWidth / 2 - 1, bottom - h - 5);
            }
            int cx = (int) Math.round(left + groupWidth * (i + 0.5));
            g.setColor(AXIS);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            centered(g, pairs.get(i), cx, bottom + 20);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            centered(g, p.groupNotes.get(i), cx, bottom + 38);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int lx = left + 10;
        for (int s = 0; s < p.series.size(); s++) { // legend
            g.setColor(p.seriesColors.get(s));
            g.fillRect(lx, bottom + 62, 14, 14);
            g.setColor(AXIS);
            g.drawString(p.series.get(s), lx + 20, bottom + 74);
            lx += 30 + g.getFontMetrics().stringWidth(p.series.get(s)) + 20;
        }
        if (!p.series.isEmpty()) g.drawString("a2b: client A sends to B; b2a: B sends to A", lx, bottom + 74);
    }

    private static double niceStep(double raw) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) if (m * magnitude >= raw) return m * magnitude;
        return 10 * magnitude;
    }

    private static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) return String.format(Locale.ROOT, "%d", (long) v);
        return String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.1f", v);
    }

    private static void centered(Graphics2D g, String s, int cx, int y) {
        FontMetrics fm = g.getFontMetrics();
        g.drawString(s, cx - fm.stringWidth(s) / 2, y);
    }
}
