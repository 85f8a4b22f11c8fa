/** The route file: YAML parsed into immutable, validated records; no Netty here. */
package io.mtlsgateway.config;
