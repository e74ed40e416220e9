/**
 * The stickyws transport on OkHttp 4.12 and 5: {@link io.stickyws.okhttp.OkHttpTransport} opens
 * the engine's connections on the application's own {@code OkHttpClient};
 * {@link io.stickyws.okhttp.OkHttpCookieJar} lets its REST calls share the stickyws cookie jar.
 */
package io.stickyws.okhttp;
