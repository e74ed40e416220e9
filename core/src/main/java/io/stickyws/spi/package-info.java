/**
 * The transport contract that adapters implement: how the stickyws engine drives one WebSocket
 * library.
 *
 * <p>An adapter translates; it decides nothing. What an adapter author may rely on:
 * <ul>
 *   <li>The engine calls {@link io.stickyws.spi.Transport#open} once per connection attempt, never
 *       while it holds a lock. A reconnect due at once is opened on the thread that reported the
 *       end of the previous attempt, from inside its terminal callback ({@code onClosed} or
 *       {@code onFailure}): {@code open} must not wait for that thread (Java-WebSocket's
 *       {@code reconnect()} would; a new client per attempt does not). The request already carries every header the engine wants sent, including
 *       {@code Cookie}; the adapter sends them as given and adds no cookies of its own.</li>
 *   <li>The adapter reports exactly one terminal event per attempt:
 *       {@link io.stickyws.spi.TransportListener#onClosed} or
 *       {@link io.stickyws.spi.TransportListener#onFailure}. A second terminal event is tolerated
 *       by the engine (logged at WARN and ignored), but it is a bug in the adapter.</li>
 *   <li>On a completed handshake the adapter reports the status and <em>every</em> response header,
 *       repeated headers (two {@code Set-Cookie}) as separate values, in
 *       {@link io.stickyws.spi.HandshakeResponse}. On a failed handshake it reports the response it
 *       got, if any, with the failure.</li>
 *   <li>Listener methods may be called on any thread, one at a time per connection. The engine
 *       never blocks in them and never throws out of them.</li>
 *   <li>The adapter never reconnects, retries or schedules anything of its own, and never lets an
 *       exception escape into the foreign library's threads.</li>
 *   <li>{@link io.stickyws.spi.TransportConnection} methods may be called from any thread; they
 *       must not block on the network.</li>
 *   <li>Helpers for the translation, so that an adapter holds no generic plumbing of its own:
 *       {@link io.stickyws.spi.SerialEvents} delivers a library's events one at a time with exactly
 *       one terminal event (every adapter uses it, as does the engine);
 *       {@link io.stickyws.spi.HandshakeResponse#builder} folds header lines;
 *       {@link io.stickyws.spi.ResponseHead} reads a raw response head keeping every repeated header;
 *       {@link io.stickyws.spi.NoDelaySocketFactory} enables {@code TCP_NODELAY};
 *       {@link io.stickyws.spi.WatchedSocketFactory} shows an adapter each read and write of the
 *       sockets its library makes;
 *       {@link io.stickyws.spi.CloseArguments} checks a close code and reason for a library that
 *       sends whatever it is given;
 *       {@link io.stickyws.spi.Loggable#failure} is the one redaction step for a library's
 *       exceptions before they reach a log line or the listener;
 *       {@link io.stickyws.spi.AsciiCookies} leaves out the cookies a library that writes ASCII only
 *       cannot send;
 *       {@link io.stickyws.spi.HeaderLines} joins a request's headers one line per name and reads
 *       the values of one header; {@link io.stickyws.spi.HandshakeResponse#ofLatin1} decodes
 *       headers a library read as ISO-8859-1; {@link io.stickyws.spi.HandshakeKeys} computes
 *       {@code Sec-WebSocket-Accept}; {@link io.stickyws.spi.Buffers} copies a payload;
 *       {@link io.stickyws.spi.MessageParts} assembles a message a library delivers in parts;
 *       {@link io.stickyws.spi.SharedJar} lets a library's cookie hook share the engine's jar;
 *       {@link io.stickyws.spi.LateConfirmations} confirms delivery with a library's own pings;
 *       {@link io.stickyws.spi.PongBacklog} bounds the pongs a ping flood makes a library
 *       queue.</li>
 *   <li>A handshake is never redirected: a 3xx is reported as a failed handshake with its status
 *       and headers, and the adapter's library must not follow it.</li>
 * </ul>
 * The engine handles handshake timeouts, heartbeats, reconnects, cookies and affinity.
 */
package io.stickyws.spi;
