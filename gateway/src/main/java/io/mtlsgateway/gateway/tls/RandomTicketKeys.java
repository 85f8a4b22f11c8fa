package io.mtlsgateway.gateway.tls;

import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.ReferenceCountUtil;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * One listener's ticket keys when the route file gives none: random, made in this process, never
 * written anywhere. {@link #rotate()} puts a new key first and keeps the previous one for decryption
 * only, so a ticket stays usable for one to two rotation periods. Every context of the listener
 * (the current one and older ones still serving connections after a reload) gets the same keys,
 * so a reload does not cost clients their sessions.
 */
final class RandomTicketKeys {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final List<SslContext> contexts = new ArrayList<>();
    private List<OpenSslSessionTicketKey> keys = List.of(newKey());

    /** Installs the current keys on {@code context} and keeps them current there on rotation. */
    synchronized void install(SslContext context) {
        contexts.removeIf(c -> ReferenceCountUtil.refCnt(c) == 0);
        contexts.add(context);
        set(context, keys);
    }

    /** A new encryption key; the previous one still decrypts; older ones are gone. */
    synchronized void rotate() {
        keys = List.of(newKey(), keys.get(0));
        // A context nobody holds any more is freed; touching it would touch freed native memory.
        contexts.removeIf(context -> !setIfAlive(context, keys));
    }

    private static boolean setIfAlive(SslContext context, List<OpenSslSessionTicketKey> keys) {
        try {
            ReferenceCountUtil.retain(context);
        } catch (IllegalReferenceCountException e) {
            return false;
        }
        try {
            set(context, keys);
            return true;
        } finally {
            ReferenceCountUtil.release(context);
        }
    }

    private static void set(SslContext context, List<OpenSslSessionTicketKey> keys) {
        ((OpenSslSessionContext) context.sessionContext()).setTicketKeys(keys.toArray(OpenSslSessionTicketKey[]::new));
    }

    private static OpenSslSessionTicketKey newKey() {
        byte[] bytes = new byte[TicketKeyFile.KEY_BYTES];
        RANDOM.nextBytes(bytes);
        return TicketKeyFile.key(bytes);
    }
}
