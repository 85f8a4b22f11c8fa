package io.mtlsgateway.gateway.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** A real HTTP server on loopback serving a JWKS document the test can change, and counting requests. */
public final class JwksServer implements AutoCloseable {
    private final HttpServer server;
    private final AtomicReference<String> body = new AtomicReference<>("{\"keys\":[]}");
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicReference<String> cacheControl = new AtomicReference<>();
    private final AtomicInteger requests = new AtomicInteger();

    public JwksServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/jwks.json", exchange -> {
            requests.incrementAndGet();
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/jwk-set+json");
            if (cacheControl.get() != null) {
                exchange.getResponseHeaders().set("Cache-Control", cacheControl.get());
            }
            exchange.sendResponseHeaders(status.get(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
    }

    public JwksServer serve(String jwks) {
        body.set(jwks);
        return this;
    }

    public JwksServer status(int code) {
        status.set(code);
        return this;
    }

    public JwksServer cacheControl(String value) {
        cacheControl.set(value);
        return this;
    }

    /** How many requests reached the server. */
    public int requests() {
        return requests.get();
    }

    /** Stops serving: connections are refused from now on. */
    @Override
    public void close() {
        server.stop(0);
    }
}
