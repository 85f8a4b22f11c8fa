/** PEM files, the BouncyCastle provider and the BoringSSL server contexts; the only code that touches SslContextBuilder. */
package io.mtlsgateway.gateway.tls;
