package io.mtlsgateway.bench;

import io.mtlsgateway.config.LimitsConfig;
import io.mtlsgateway.config.RequestLimits;
import io.mtlsgateway.gateway.identity.PeerIdentity;
import io.mtlsgateway.gateway.limits.RequestLimiter;
import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the per-identity limits add to one request, as the request path asks them: nothing but the
 * {@code active()} check when no limit is configured ({@code none}); a rate, an in-flight cap and
 * a route limit taken and released when they are ({@code identity}). Run with several threads
 * ({@code -t 2}) to see the cost of sharing one client's entry between event loops.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RequestLimitBenchmark {
    @Param({"none", "identity"})
    public String limits;

    private RequestLimiter limiter;
    private PeerIdentity identity;

    @Setup
    public void setUp() {
        IssuedCertificate ca = new CertificateBuilder().subject("CN=bench limits CA").ca(0).selfSigned();
        identity = PeerIdentity.of(List.of(new CertificateBuilder().subject("CN=client").forClient().signedBy(ca)
                .certificate()));
        if (limits.equals("none")) {
            limiter = RequestLimiter.NONE;
        } else {
            // A rate far above what the benchmark reaches, so every request is admitted.
            RequestLimits perIdentity = new RequestLimits(1_000_000, 10_000_000, 0, 1_000_000);
            LimitsConfig listener = new LimitsConfig(Optional.empty(), Optional.of(perIdentity), Optional.empty(),
                    1000);
            limiter = new RequestLimiter(listener, Map.of("route", listener), new RequestLimiter.State(), r -> {});
        }
    }

    @Benchmark
    public boolean admitAndFinish() {
        if (!limiter.active()) {
            return true;
        }
        RequestLimiter.Admission admission = limiter.admit(identity, "route");
        admission.done();
        return admission.admitted();
    }
}
