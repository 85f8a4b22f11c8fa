package io.mtlsgateway.bench.load;

import io.mtlsgateway.bench.ServerVerificationCounter;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;

/**
 * Closed-loop mutual-TLS HTTP/1.1 and HTTP/2 load client for the end-to-end benchmark ({@code bench/load/run.sh}).
 *
 * <p>Presents a client certificate with BoringSSL (netty-tcnative), verifies the server against a CA file and
 * a server name, and talks to a loopback address only. {@code --mode keepalive} keeps C connections busy with
 * back-to-back GETs and reports requests/s and latency percentiles; {@code --mode handshake} opens a new
 * connection, with a full handshake, for every request and reports connections/s; {@code --mode resume} does
 * the same but keeps the client's session cache, so every connection after a slot's first resumes;
 * {@code --mode h2} keeps C h2 connections (ALPN h2) with S GET streams in flight on each, and {@code --mode grpc}
 * does the same with gRPC unary calls, checking {@code grpc-status} in the trailers. Each run
 * has a warm-up, a fixed measurement window and a bounded wind-down, then prints one JSON line on stdout and a
 * summary on stderr. Exit status: 0 valid run, 1 run with errors (not a result), 2 bad usage or setup.
 */
public final class LoadClient {
    private LoadClient() {}

    public static void main(String[] args) throws Exception {
        LoadOptions options;
        try {
            options = LoadOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(LoadOptions.USAGE);
            System.exit(2);
            return;
        }
        if (!OpenSsl.isAvailable()) {
            System.err.println("load: BoringSSL (netty-tcnative) is not available: " + OpenSsl.unavailabilityCause());
            System.exit(2);
        }
        ServerVerificationCounter trust = ServerVerificationCounter.trusting(options.ca());
        SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(SslProvider.OPENSSL_REFCNT)
                .keyManager(options.cert().toFile(), options.key().toFile())
                .trustManager(trust)
                // Explicit although it is Netty's default: the server certificate must match --server-name.
                .endpointIdentificationAlgorithm("HTTPS")
                .protocols(options.protocols());
        if (!options.groups().isEmpty()) {
            builder.option(OpenSslContextOption.GROUPS, options.groups().toArray(String[]::new));
        }
        if (options.mode().multiplexed()) {
            // h2 only: a server that does not choose it fails the run (ALPN error) rather than measuring HTTP/1.1.
            builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2));
        }
        SslContext context = builder.build();
        int status;
        try {
            if (options.mode() == LoadOptions.Mode.HANDSHAKE) {
                // Without this, TLS 1.3 tickets from the previous connection would make most handshakes resumptions
                // (resume mode keeps the cache for exactly that).
                ((OpenSslSessionContext) context.sessionContext()).setSessionCacheEnabled(false);
            }
            LoadResult result = new LoadRun(options, context, trust).execute();
            System.out.println(result.toJson());
            System.err.println(result.summary());
            status = result.valid() ? 0 : 1;
        } finally {
            ReferenceCountUtil.release(context);
        }
        System.exit(status);
    }
}
