package io.mtlsgateway.bench;
