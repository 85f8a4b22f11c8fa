package io.mtlsgateway.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/1.1 upstream that reads whatever it is sent and never answers: shows the request head
 * it got, and when the gateway gave up on the request by closing the connection.
 */
public final class StalledUpstream implements AutoCloseable {
    private final ServerSocket server;
    private final CompletableFuture<String> head = new CompletableFuture<>();
    private final CountDownLatch closed = new CountDownLatch(1);

    public StalledUpstream() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "stalled-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The head of the first request, up to its blank line. */
    public String awaitHead() throws Exception {
        return head.get(10, TimeUnit.SECONDS);
    }

    /** Whether the gateway closed the first connection within 10 s. */
    public boolean awaitClosedByGateway() throws InterruptedException {
        return closed.await(10, TimeUnit.SECONDS);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread reader = new Thread(() -> read(socket), "stalled-upstream-conn");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void read(Socket socket) {
        try (socket; InputStream in = socket.getInputStream()) {
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            int matched = 0;
            byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            for (int b; matched < 4 && (b = in.read()) >= 0; ) {
                seen.write(b);
                matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            head.complete(seen.toString(StandardCharsets.US_ASCII));
            byte[] body = new byte[8192];
            while (in.read(body) >= 0) {
                // the body, if any: swallowed
            }
            closed.countDown();
        } catch (IOException e) {
            closed.countDown(); // a reset is a close too
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
