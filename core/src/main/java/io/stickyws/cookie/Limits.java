package io.stickyws.cookie;

/** Validation shared by the jar builders. Stateless and thread-safe. */
final class Limits {
  private Limits() {}

  static void check(int maxCookiesPerDomain, int maxCookies) {
    if (maxCookiesPerDomain < 1) {
      throw new IllegalArgumentException(
          "maxCookiesPerDomain (" + maxCookiesPerDomain + ") must be >= 1");
    }
    if (maxCookies < 1) {
      throw new IllegalArgumentException("maxCookies (" + maxCookies + ") must be >= 1");
    }
  }
}
