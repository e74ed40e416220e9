/**
 * The stickyws transport for the JDK's {@code java.net.http.WebSocket}: {@link
 * io.stickyws.jdk.JdkTransport} drives handshakes on an {@link java.net.http.HttpClient} built from
 * the application's own builder, and {@link io.stickyws.jdk.JdkCookieHandler} bridges a stickyws
 * {@link io.stickyws.cookie.CookieJar} into that client, so the 101 response headers reach the
 * engine and the application's plain HTTP requests can share the jar.
 */
package io.stickyws.jdk;
