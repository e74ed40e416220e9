package io.stickyws.cookie;

/**
 * Told when a {@link FileCookieJar} stops being able to persist its cookies and when it can again,
 * once per transition (not once per write). Subscribe with
 * {@link FileCookieJar#addStorageListener(CookieStorageListener)}; works without any logging
 * binding.
 *
 * <p>Calls are made one at a time, in the order of the transitions, never under a lock of the jar,
 * on the thread that saw the transition: the jar's writer thread, the caller of
 * {@link FileCookieJar#flush()} or {@link FileCookieJar#close()}, the JVM's shutdown hook, or the
 * caller of {@code addStorageListener} for the replay of a current failure. An exception thrown
 * by a listener is logged at WARN and otherwise ignored.
 *
 * <p>Implementations must be thread-safe and should return quickly; do not call
 * {@link FileCookieJar#flush()} or {@link FileCookieJar#close()} from a callback.
 */
public interface CookieStorageListener {

  /**
   * The jar could not use its file and now keeps cookies in memory only.
   *
   * @param health the new health, {@link CookieStorageHealth.Status#DEGRADED}, with the failure
   */
  default void onStorageFailed(CookieStorageHealth health) {}

  /**
   * The jar wrote its file again after a failure.
   *
   * @param health the new health, {@link CookieStorageHealth.Status#WRITABLE}, still naming the
   *     last failure
   */
  default void onStorageRecovered(CookieStorageHealth health) {}
}
