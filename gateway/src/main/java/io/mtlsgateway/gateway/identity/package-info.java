/**
 * The caller's identity, read once per connection from the verified client certificate (names
 * written as OpenSSL writes them, and compared by meaning), and the header writer that strips
 * client-sent identity headers before setting trustworthy ones.
 */
package io.mtlsgateway.gateway.identity;
