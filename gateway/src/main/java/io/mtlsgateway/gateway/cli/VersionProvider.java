package io.mtlsgateway.gateway.cli;

import picocli.CommandLine.IVersionProvider;

/** The version recorded in the jar manifest at build time. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Main.class.getPackage().getImplementationVersion();
        return new String[] {"mtls-gateway " + (version != null ? version : "(development build)")};
    }
}
