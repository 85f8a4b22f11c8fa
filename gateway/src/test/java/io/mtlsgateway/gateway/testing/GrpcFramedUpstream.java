package io.mtlsgateway.gateway.testing;

import io.grpc.testing.protobuf.SimpleResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP/1.1 upstream that answers every request with a gRPC response stream, as a bridge
 * speaking gRPC over HTTP/1.1 would: {@code count} length-prefixed {@code SimpleResponse}
 * messages of {@code size} characters, one per chunk, and {@code grpc-status: 0} as a chunked
 * trailer. Writes block when the gateway stops reading (TCP backpressure).
 */
public final class GrpcFramedUpstream implements AutoCloseable {
    private final ServerSocket server;
    private final int count;
    private final byte[] frame;
    private final AtomicLong written = new AtomicLong();

    public GrpcFramedUpstream(int count, int size) throws IOException {
        this.count = count;
        byte[] message = SimpleResponse.newBuilder().setResponseMessage("m".repeat(size)).build().toByteArray();
        frame = new byte[5 + message.length];
        frame[1] = (byte) (message.length >>> 24);
        frame[2] = (byte) (message.length >>> 16);
        frame[3] = (byte) (message.length >>> 8);
        frame[4] = (byte) message.length;
        System.arraycopy(message, 0, frame, 5, message.length);
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "grpc-framed-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Messages written to the gateway's connection so far. */
    public long written() {
        return written.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread handler = new Thread(() -> serve(socket), "grpc-framed-upstream-conn");
                handler.setDaemon(true);
                handler.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            // The head, then the chunked request body up to its last chunk and empty trailer.
            skipPast(in, "\r\n\r\n");
            skipPast(in, "0\r\n\r\n");
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/grpc\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] size = (Integer.toHexString(frame.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] crlf = {'\r', '\n'};
            for (int i = 0; i < count; i++) {
                out.write(size);
                out.write(frame);
                out.write(crlf);
                written.incrementAndGet();
            }
            out.write("0\r\ngrpc-status: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            in.read(); // until the gateway closes or reuses the connection
        } catch (IOException e) {
            // the test is over
        }
    }

    private static void skipPast(InputStream in, String end) throws IOException {
        byte[] marker = end.getBytes(StandardCharsets.US_ASCII);
        int matched = 0;
        for (int b; matched < marker.length && (b = in.read()) >= 0; ) {
            matched = b == marker[matched] ? matched + 1 : (b == marker[0] ? 1 : 0);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
