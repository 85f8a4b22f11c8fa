/** PEM files and the BoringSSL server contexts built from them; the only code that touches SslContextBuilder. */
package io.mtlsgateway.gateway.tls;
