/** The mtls-gateway runtime: listeners, verification, routing, forwarding, and the CLI. */
package io.mtlsgateway.gateway;
