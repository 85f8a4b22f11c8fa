package io.mtlsgateway.gateway.verify;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * An OCSP responder is named by the client's certificate and spoken to in plain HTTP, so whoever
 * answers may send a body without end, or trickle one: the gateway reads at most
 * {@link HttpOcspFetcher#MAX_RESPONSE_BYTES} of it and gives up the exchange, connection included,
 * at the OCSP timeout, instead of buffering it for ever.
 */
class OcspResponseBoundsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    /** Answers 200 with {@code bodyBytes} of a body that never ends, then waits for the gateway to hang up. */
    private static final class EndlessResponder implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        final CountDownLatch hungUp = new CountDownLatch(1);
        private final Thread thread;

        EndlessResponder(int bodyBytes) throws IOException {
            thread = new Thread(() -> serve(bodyBytes), "endless-ocsp");
            thread.setDaemon(true);
            thread.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/ocsp");
        }

        private void serve(int bodyBytes) {
            try (Socket socket = server.accept()) {
                OutputStream out = socket.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/ocsp-response\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                byte[] block = new byte[Math.min(bodyBytes, 16 * 1024)];
                for (int sent = 0; sent < bodyBytes; sent += block.length) {
                    out.write(block);
                }
                out.flush();
                // The body never ends: only the gateway closing the connection ends this read.
                InputStream in = socket.getInputStream();
                while (in.read() != -1) {
                    // the request, then nothing
                }
                hungUp.countDown();
            } catch (IOException closed) {
                hungUp.countDown();
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    @Test
    void aBodyPastTheLimitIsRefusedAndItsConnectionClosed() throws Exception {
        try (EndlessResponder responder = new EndlessResponder(8 * 1024 * 1024)) {
            ExecutionException failed = assertThrows(ExecutionException.class, () -> new HttpOcspFetcher(TIMEOUT)
                    .fetch(responder.uri(), new byte[] {1}).get(30, TimeUnit.SECONDS));
            IOException cause = assertInstanceOf(IOException.class, failed.getCause());
            assertTrue(cause.getMessage().contains("larger than " + HttpOcspFetcher.MAX_RESPONSE_BYTES),
                    cause.getMessage());
            assertTrue(responder.hungUp.await(30, TimeUnit.SECONDS), "the gateway kept reading the endless body");
        }
    }

    @Test
    void aTrickledBodyEndsAtTheTimeoutWithItsConnection() throws Exception {
        try (EndlessResponder responder = new EndlessResponder(10)) {
            ExecutionException failed = assertThrows(ExecutionException.class, () -> new HttpOcspFetcher(TIMEOUT)
                    .fetch(responder.uri(), new byte[] {1}).get(30, TimeUnit.SECONDS));
            assertInstanceOf(TimeoutException.class, failed.getCause());
            assertTrue(responder.hungUp.await(30, TimeUnit.SECONDS),
                    "the exchange outlived its timeout, connection open");
        }
    }
}
