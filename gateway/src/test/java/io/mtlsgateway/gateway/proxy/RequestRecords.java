package io.mtlsgateway.gateway.proxy;

/** Request records made outside a request, for tests of what consumes them (the access log). */
public final class RequestRecords {
    private RequestRecords() {}

    /** A finished, anonymous request on {@code listener}. */
    public static RequestRecord finished(String listener, String method, String target) {
        RequestRecord record = new RequestRecord(listener, method, target, null);
        record.status(200);
        record.finish();
        return record;
    }
}
