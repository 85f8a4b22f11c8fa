package io.mtlsgateway.gateway.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;

/** Plain HTTP to the admin endpoint, and reading values out of a Prometheus scrape. */
public final class AdminClient {
    private final HttpClient http = HttpClient.newHttpClient();
    private final InetSocketAddress address;

    public AdminClient(InetSocketAddress address) {
        this.address = address;
    }

    public HttpResponse<String> send(String method, String path, String accept) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + address.getPort() + path)).method(method, HttpRequest.BodyPublishers.noBody());
        if (accept != null) {
            request.header("Accept", accept);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public int status(String path) throws IOException, InterruptedException {
        return send("GET", path, null).statusCode();
    }

    public String scrape() throws IOException, InterruptedException {
        return send("GET", "/metrics", null).body();
    }

    /**
     * The value of the sample {@code name} whose labels include every {@code key, value} pair
     * given, or NaN when there is none.
     */
    public static double value(String scrape, String name, String... labels) {
        for (String line : scrape.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            boolean all = true;
            for (int i = 0; i < labels.length; i += 2) {
                all &= line.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
            }
            if (all) {
                String[] parts = line.trim().split(" ");
                return Double.parseDouble(parts[parts.length - 1]);
            }
        }
        return Double.NaN;
    }

    /** Labels as pairs, for messages. */
    public static String describe(String name, String... labels) {
        return name + Arrays.toString(labels);
    }
}
