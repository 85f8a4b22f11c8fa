/** Client-certificate verification: chain, policy and revocation, and the verdict it gives the handshake. */
package io.mtlsgateway.gateway.verify;
