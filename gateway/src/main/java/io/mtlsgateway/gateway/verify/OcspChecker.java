package io.mtlsgateway.gateway.verify;

import io.mtlsgateway.config.OcspMode;
import io.mtlsgateway.gateway.LogText;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * OCSP for client leaves whose Authority Information Access names a responder (RFC 6960). Answers
 * are verified and checked for freshness ({@link OcspResponses}), cached per certificate until
 * their nextUpdate, and shared by
 * concurrent handshakes of the same certificate (one request in flight per certificate). Failures
 * are remembered briefly so a dead responder is not hammered.
 *
 * <p>{@code soft-fail} rejects only on a verified "revoked"; {@code hard-fail} requires a fresh,
 * verified "good". A leaf without an OCSP responder is not checked in either mode.
 *
 * <p>Blocking: {@link #check} with {@code mayFetch} waits for the network (bounded by the timeout)
 * and must run on the verification executor, never on an event loop; without it only cached
 * answers count.
 */
final class OcspChecker {
    enum Status { GOOD, REVOKED, UNKNOWN, FAILED }

    /** A verified answer (or a failure) and until when it may be used. */
    record Answer(Status status, String detail, Instant validUntil) {}

    private static final Logger LOG = Logger.getLogger(OcspChecker.class.getName());

    private final OcspMode mode;
    private final Duration timeout;
    private final Duration failureTtl;
    private final OcspFetcher fetcher;
    private final Clock clock;
    private final int capacity;
    private final ConcurrentHashMap<CertificateID, CompletableFuture<Answer>> answers = new ConcurrentHashMap<>();

    OcspChecker(OcspMode mode, Duration timeout, Duration failureTtl, OcspFetcher fetcher, Clock clock, int capacity) {
        this.mode = mode;
        this.timeout = timeout;
        this.failureTtl = failureTtl;
        this.fetcher = fetcher;
        this.clock = clock;
        this.capacity = capacity;
    }

    /**
     * @param issuer the leaf's issuer from the validated path
     * @param mayFetch false on an event loop (resumption, or verification run inline under
     *     overload): only a cached answer counts then
     * @return null when acceptable, else why not
     */
    Verdict.Rejected check(X509Certificate leaf, X509Certificate issuer, Instant at, boolean mayFetch) {
        if (mode == OcspMode.OFF) {
            return null;
        }
        URI responder = responder(leaf);
        if (responder == null) {
            return null;
        }
        CertificateID id;
        try {
            id = new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                    new JcaX509CertificateHolder(issuer), leaf.getSerialNumber());
        } catch (Exception e) {
            return new Verdict.Rejected(HandshakeReason.REVOCATION_UNKNOWN,
                    "cannot build an OCSP request for " + Certificates.describe(leaf));
        }
        return judge(answer(id, responder, issuer, at, mayFetch), leaf, responder);
    }

    private Verdict.Rejected judge(Answer answer, X509Certificate leaf, URI responder) {
        String who = Certificates.describe(leaf);
        if (answer != null && answer.status() == Status.REVOKED) {
            return new Verdict.Rejected(HandshakeReason.REVOKED, who + " is revoked according to the OCSP responder "
                    + responder + " (" + answer.detail() + ")");
        }
        if (answer != null && answer.status() != Status.GOOD) {
            LOG.fine(() -> LogText.of("OCSP for " + who + " at " + responder + ": " + answer.detail()));
        }
        if (mode == OcspMode.SOFT_FAIL) {
            return null;
        }
        if (answer == null) {
            return new Verdict.Rejected(HandshakeReason.REVOCATION_UNKNOWN, "no fresh OCSP answer for " + who
                    + " is cached and none could be fetched here (resumed session or overload); ocsp: hard-fail"
                    + " requires one, so the client must connect again");
        }
        return switch (answer.status()) {
            case GOOD, REVOKED -> null;
            case UNKNOWN -> new Verdict.Rejected(HandshakeReason.REVOCATION_UNKNOWN, "the OCSP responder "
                    + responder + " does not know " + who + "; ocsp: hard-fail requires a verified \"good\"");
            case FAILED -> new Verdict.Rejected(HandshakeReason.REVOCATION_UNKNOWN, "OCSP check of " + who
                    + " at " + responder + " failed: " + answer.detail()
                    + "; ocsp: hard-fail requires a fresh, verified \"good\"");
        };
    }

    private Answer answer(CertificateID id, URI responder, X509Certificate issuer, Instant at, boolean mayFetch) {
        CompletableFuture<Answer> pending = answers.get(id);
        if (pending != null && pending.isDone() && pending.join().validUntil().isBefore(at)) {
            answers.remove(id, pending);
            pending = null;
        }
        if (pending == null) {
            if (!mayFetch) {
                return null;
            }
            CompletableFuture<Answer> mine = new CompletableFuture<>();
            pending = answers.putIfAbsent(id, mine);
            if (pending == null) {
                pending = mine;
                evictIfFull(at);
                start(mine, id, responder, issuer);
            }
        }
        if (!mayFetch) {
            return pending.isDone() ? pending.join() : null;
        }
        try {
            // The fetch has its own timeout; this bound only guards against a fetcher that ignores it.
            return pending.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return new Answer(Status.FAILED, "no answer within " + timeout.toMillis() + " ms", at);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(Status.FAILED, "interrupted while waiting for the responder", at);
        } catch (ExecutionException e) {
            return new Answer(Status.FAILED, String.valueOf(e.getCause()), at);
        }
    }

    private void start(CompletableFuture<Answer> result, CertificateID id, URI responder, X509Certificate issuer) {
        CompletableFuture<byte[]> response;
        try {
            response = fetcher.fetch(responder, new OCSPReqBuilder().addRequest(id).build().getEncoded());
        } catch (Exception e) {
            result.complete(failed("cannot send the request to " + responder));
            return;
        }
        response.whenComplete((der, error) -> result.complete(
                error != null ? failed(describe(error, responder))
                        : OcspResponses.read(der, id, issuer, clock.instant(), failureTtl)));
    }

    private Answer failed(String detail) {
        return new Answer(Status.FAILED, detail, clock.instant().plus(failureTtl));
    }

    private String describe(Throwable error, URI responder) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
            return "no answer from " + responder + " within " + timeout.toMillis() + " ms";
        }
        if (cause instanceof ConnectException) {
            return "cannot connect to " + responder;
        }
        if (cause instanceof java.net.UnknownHostException) {
            return "cannot resolve the host of " + responder;
        }
        if (cause instanceof javax.net.ssl.SSLException) {
            return "TLS with " + responder + " failed";
        }
        if (cause.getClass() == java.io.IOException.class && cause.getMessage() != null) {
            // Our fetcher's own failures (a status other than 200, an oversized answer), worded already.
            return cause.getMessage() + " (" + responder + ")";
        }
        return "the exchange with " + responder + " failed (connection closed or reset)";
    }

    private void evictIfFull(Instant at) {
        if (answers.size() <= capacity) {
            return;
        }
        answers.entrySet().removeIf(e -> e.getValue().isDone() && e.getValue().join().validUntil().isBefore(at));
        if (answers.size() > capacity) {
            answers.entrySet().removeIf(e -> e.getValue().isDone());
        }
    }

    /** The first http(s) OCSP responder in the leaf's Authority Information Access, or null. */
    static URI responder(X509Certificate leaf) {
        byte[] value = leaf.getExtensionValue(Extension.authorityInfoAccess.getId());
        if (value == null) {
            return null;
        }
        AuthorityInformationAccess access =
                AuthorityInformationAccess.getInstance(ASN1OctetString.getInstance(value).getOctets());
        for (AccessDescription description : access.getAccessDescriptions()) {
            GeneralName location = description.getAccessLocation();
            if (description.getAccessMethod().equals(AccessDescription.id_ad_ocsp)
                    && location.getTagNo() == GeneralName.uniformResourceIdentifier) {
                String uri = location.getName().toString();
                if (uri.startsWith("http://") || uri.startsWith("https://")) {
                    return URI.create(uri);
                }
            }
        }
        return null;
    }
}
