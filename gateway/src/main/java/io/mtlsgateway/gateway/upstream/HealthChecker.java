package io.mtlsgateway.gateway.upstream;

import io.mtlsgateway.config.HealthCheckConfig;
import io.mtlsgateway.config.UpstreamConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Active health checks of one upstream's endpoints: every interval, a GET of the check path on a
 * fresh connection to each endpoint (never a pooled one, so checks and traffic cannot disturb each
 * other), off the request path on one event loop. The verdicts go to the shared {@link EndpointHealth}.
 */
final class HealthChecker {
    private final HealthCheckConfig config;
    private final UpstreamConfig upstream;
    private final List<EndpointHealth> endpoints;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final UpstreamPipelines pipelines;
    private final List<ScheduledFuture<?>> schedules = new ArrayList<>();
    private volatile boolean stopped;

    HealthChecker(UpstreamConfig upstream, List<EndpointHealth> endpoints, EventLoop loop, Bootstrap template,
            UpstreamPipelines pipelines) {
        this.upstream = upstream;
        this.config = upstream.healthCheck().orElseThrow();
        this.pipelines = pipelines;
        this.endpoints = endpoints;
        this.loop = loop;
        this.bootstrap = template.clone(loop).option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis()));
    }

    void start() {
        long interval = config.interval().toMillis();
        loop.execute(() -> {
            for (EndpointHealth endpoint : endpoints) {
                if (!stopped) {
                    schedules.add(loop.scheduleWithFixedDelay(() -> check(endpoint), 0, interval, TimeUnit.MILLISECONDS));
                }
            }
        });
    }

    void stop() {
        stopped = true;
        loop.execute(() -> schedules.forEach(s -> s.cancel(false)));
    }

    private void check(EndpointHealth endpoint) {
        if (stopped) {
            return;
        }
        HealthProbe probe = new HealthProbe(config.path(), endpoint, () -> stopped);
        Channel channel = bootstrap.clone().handler(pipelines.healthCheck(upstream, endpoint.endpoint(), probe)).connect(endpoint.endpoint().host(), endpoint.endpoint().port()).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                probe.finish(false);
            }
        }).channel();
        probe.timeout(loop.schedule(() -> {
            probe.finish(false);
            channel.close();
        }, config.timeout().toMillis(), TimeUnit.MILLISECONDS));
    }
}
