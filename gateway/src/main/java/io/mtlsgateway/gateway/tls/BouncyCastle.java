package io.mtlsgateway.gateway.tls;

import java.security.Provider;
import java.security.Security;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/** The one BouncyCastle provider instance, registered last so no JDK default changes. */
public final class BouncyCastle {
    private static final Provider PROVIDER = register();

    private BouncyCastle() {}

    /** The provider, registered with {@link Security} on first use. */
    public static Provider provider() {
        return PROVIDER;
    }

    private static Provider register() {
        Provider existing = Security.getProvider(BouncyCastleProvider.PROVIDER_NAME);
        if (existing != null) {
            return existing;
        }
        Provider provider = new BouncyCastleProvider();
        Security.addProvider(provider);
        return provider;
    }
}
