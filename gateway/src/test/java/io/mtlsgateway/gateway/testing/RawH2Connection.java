package io.mtlsgateway.gateway.testing;

import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * An h2 connection written frame by frame, for attacks no well-behaved client would send:
 * a blocking TLS socket (ALPN {@code h2}, client certificate), the preface sent at connect.
 */
public final class RawH2Connection implements AutoCloseable {
    public static final int DATA = 0;
    public static final int HEADERS = 1;
    public static final int RST_STREAM = 3;
    public static final int SETTINGS = 4;
    public static final int PING = 6;
    public static final int GOAWAY = 7;
    public static final int CONTINUATION = 9;
    public static final int END_STREAM = 0x1;
    public static final int END_HEADERS = 0x4;

    private final SSLSocket socket;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final OutputStream out;
    private final DataInputStream in;
    private final DefaultHttp2HeadersDecoder hpackDecoder = new DefaultHttp2HeadersDecoder(false);
    private final Http2HeadersEncoder hpack = new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, true);
    /** The payload of the server's first SETTINGS frame. */
    private byte[] serverSettings = new byte[0];

    /** One frame read from the server. */
    public record Frame(int type, int flags, int streamId, byte[] payload) {
        /** The error code of a GOAWAY or RST_STREAM. */
        public long errorCode() {
            int offset = type == GOAWAY ? 4 : 0;
            return ((payload[offset] & 0xffL) << 24) | ((payload[offset + 1] & 0xff) << 16)
                    | ((payload[offset + 2] & 0xff) << 8) | (payload[offset + 3] & 0xff);
        }
    }

    private RawH2Connection(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    public static RawH2Connection connect(InetSocketAddress address, X509Certificate trustedServerRoot,
            IssuedCertificate client) throws Exception {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        keyStore.setKeyEntry("client", client.privateKey(), new char[0],
                client.chainWithoutRoot().toArray(X509Certificate[]::new));
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore, new char[0]);
        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        trustStore.load(null, null);
        trustStore.setCertificateEntry("server-root", trustedServerRoot);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trustStore);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(address.getAddress(), address.getPort());
        socket.setSoTimeout(20_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"h2"});
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        if (!"h2".equals(socket.getApplicationProtocol())) {
            socket.close();
            throw new IllegalStateException("server chose " + socket.getApplicationProtocol() + ", not h2");
        }
        RawH2Connection connection = new RawH2Connection(socket);
        connection.pending.writeBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        connection.frame(SETTINGS, 0, 0, new byte[0]);
        connection.flush();
        // The server applies its own limits once its SETTINGS are acknowledged.
        Frame frame;
        while ((frame = connection.read()) != null && !(frame.type() == SETTINGS && (frame.flags() & 1) == 0)) {
            // skip
        }
        if (frame != null) {
            connection.serverSettings = frame.payload();
        }
        connection.frame(SETTINGS, 1, 0, new byte[0]).flush();
        return connection;
    }

    /** The value the server's SETTINGS gave setting {@code id}, or {@code otherwise} when it gave none. */
    public long serverSetting(int id, long otherwise) {
        long value = otherwise;
        for (int i = 0; i + 6 <= serverSettings.length; i += 6) {
            if (((serverSettings[i] & 0xff) << 8 | (serverSettings[i + 1] & 0xff)) == id) {
                value = (serverSettings[i + 2] & 0xffL) << 24 | (serverSettings[i + 3] & 0xff) << 16
                        | (serverSettings[i + 4] & 0xff) << 8 | (serverSettings[i + 5] & 0xff);
            }
        }
        return value;
    }

    /** Buffers one frame; {@link #flush()} sends what is buffered. */
    public RawH2Connection frame(int type, int flags, int streamId, byte[] payload) {
        byte[] head = {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
            (byte) type, (byte) flags, (byte) (streamId >>> 24), (byte) (streamId >>> 16), (byte) (streamId >>> 8),
            (byte) streamId};
        pending.writeBytes(head);
        pending.writeBytes(payload);
        return this;
    }

    /**
     * Sends what is buffered, in one write. A server that has cut the connection off may make
     * the write fail; what it answered before that is still there to read.
     */
    public void flush() {
        try {
            out.write(pending.toByteArray());
            out.flush();
        } catch (IOException e) {
            // the server closed the connection: the test reads what it said last
        }
        pending.reset();
    }

    /** The HPACK block of {@code headers}, using (and growing) this connection's dynamic table. */
    public byte[] encode(Http2Headers headers) throws Exception {
        ByteBuf buf = Unpooled.buffer();
        try {
            hpack.encodeHeaders(0, headers, buf);
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    /** Decodes the HPACK block of a HEADERS frame from the server. */
    public Http2Headers decode(Frame frame) throws Exception {
        ByteBuf buf = Unpooled.wrappedBuffer(frame.payload());
        try {
            return hpackDecoder.decodeHeaders(frame.streamId(), buf);
        } finally {
            buf.release();
        }
    }

    public static byte[] rst(long errorCode) {
        return new byte[] {(byte) (errorCode >>> 24), (byte) (errorCode >>> 16), (byte) (errorCode >>> 8),
            (byte) errorCode};
    }

    /** The next frame, or null when the server closed the connection. */
    public Frame read() throws IOException {
        try {
            int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int streamId = in.readInt() & 0x7fffffff;
            byte[] payload = new byte[length];
            in.readFully(payload);
            return new Frame(type, flags, streamId, payload);
        } catch (EOFException | SocketException e) {
            return null;
        }
    }

    /** The answer on {@code stream}: its :status lines, then its body, or what ended it instead (a reset, GOAWAY, the close). */
    public String answer(int stream) throws Exception {
        StringBuilder seen = new StringBuilder();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        Frame frame;
        while ((frame = read()) != null) {
            if (frame.type() == GOAWAY) {
                return seen + "GOAWAY " + frame.errorCode();
            }
            if (frame.streamId() != stream) {
                continue;
            }
            if (frame.type() == RST_STREAM) {
                return seen + "RST_STREAM " + frame.errorCode();
            }
            if (frame.type() == HEADERS) {
                CharSequence status = decode(frame).status();
                if (status != null) {
                    seen.append(status).append('\n');
                }
            } else if (frame.type() == DATA) {
                body.writeBytes(frame.payload());
            }
            if ((frame.flags() & END_STREAM) != 0) {
                return seen + body.toString(StandardCharsets.UTF_8);
            }
        }
        return seen + "closed";
    }

    /** Reads until a GOAWAY (returned) or the end of the connection (null), skipping other frames. */
    public Frame awaitGoAway() throws IOException {
        Frame frame;
        while ((frame = read()) != null && frame.type() != GOAWAY) {
            // skip
        }
        return frame;
    }

    /** Reads until a frame of {@code type} on {@code streamId}, or null at the end of the connection. */
    public Frame await(int type, int streamId) throws IOException {
        Frame frame;
        while ((frame = read()) != null && !(frame.type() == type && frame.streamId() == streamId)) {
            if (frame.type() == GOAWAY) {
                return frame;
            }
        }
        return frame;
    }

    /** Reads (and drops) everything until the server closes; true when it did. */
    public boolean closedByServer() throws IOException {
        InputStream raw = in;
        byte[] sink = new byte[8192];
        try {
            while (raw.read(sink) >= 0) {
                // drain
            }
            return true;
        } catch (SocketException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }
}
