package io.mtlsgateway.gateway.server;

import io.mtlsgateway.config.ConfigException;
import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.ListenerConfig;
import io.mtlsgateway.config.TlsConfig;
import io.mtlsgateway.gateway.jwt.KeySources;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/** The files a config is read from, which the file watcher watches: a pure function of the config. */
final class WatchedFiles {
    private WatchedFiles() {}

    /** What the file watcher of a gateway whose running config is {@code running} watches. */
    static FileWatcher.Watched of(Supplier<GatewayConfig> running) {
        return new FileWatcher.Watched() {
            @Override
            public Path routeFile() {
                return running.get().source();
            }

            @Override
            public Set<Path> running() {
                return of(running.get());
            }

            @Override
            public Set<Path> namedBy(byte[] routeFileContent) {
                return WatchedFiles.namedBy(running.get().source(), routeFileContent);
            }
        };
    }

    /**
     * The files the route file {@code source} names when it holds {@code content}, with the route
     * file itself. When that does not load (the reload reading it then refuses it, and says why),
     * still every file it names as far as it can be read: a file it names that does not exist yet
     * (a new CRL, CA or certificate) is watched, so creating it applies the change.
     */
    static Set<Path> namedBy(Path source, byte[] content) {
        String text = new String(content, StandardCharsets.UTF_8);
        try {
            return of(ConfigLoader.load(source, new StringReader(text)));
        } catch (ConfigException | RuntimeException e) {
            Set<Path> files = new LinkedHashSet<>();
            files.add(source);
            try {
                files.addAll(ConfigLoader.filesNamedBy(source, text));
            } catch (RuntimeException unreadable) {
                // nothing more to watch than the route file
            }
            return Collections.unmodifiableSet(files);
        }
    }

    /**
     * The route file, then per listener its certificate, key, client CA bundle, CRLs and session
     * ticket key files, then per upstream with TLS its CA bundle, client certificate and key and
     * CRLs, then the JWKS files of the token issuers, in config order without repeats. The access
     * log is written, not read, so it is not among them.
     */
    static Set<Path> of(GatewayConfig config) {
        Set<Path> files = new LinkedHashSet<>();
        files.add(config.source());
        for (ListenerConfig listener : config.listeners()) {
            // Every host entry's files; none for tls: none.
            for (TlsConfig tls : listener.tlsPolicies()) {
                files.add(tls.certificate());
                files.add(tls.privateKey());
                files.add(tls.clientCa());
                files.addAll(tls.crl());
                files.addAll(tls.sessionTicketKeys());
            }
        }
        config.upstreams().values().forEach(upstream -> upstream.tls().ifPresent(tls -> {
            files.add(tls.ca());
            tls.certificate().ifPresent(files::add);
            tls.privateKey().ifPresent(files::add);
            files.addAll(tls.crl());
        }));
        files.addAll(KeySources.files(config));
        files.removeIf(Objects::isNull);
        return Collections.unmodifiableSet(files);
    }
}
