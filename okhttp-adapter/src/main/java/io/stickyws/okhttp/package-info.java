/**
 * The stickyws transport on OkHttp 5: {@link io.stickyws.okhttp.OkHttpTransport} opens the
 * engine's WebSocket connections with the application's own {@code OkHttpClient}, and
 * {@link io.stickyws.okhttp.OkHttpCookieJar} lets the application's REST calls share the stickyws
 * cookie jar.
 */
package io.stickyws.okhttp;
