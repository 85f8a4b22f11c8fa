package io.mtlsgateway.gateway.verify;

import java.net.URI;
import java.util.concurrent.CompletableFuture;

/** Sends one DER OCSP request to a responder and completes with the DER response. */
@FunctionalInterface
public interface OcspFetcher {
    CompletableFuture<byte[]> fetch(URI responder, byte[] request);
}
