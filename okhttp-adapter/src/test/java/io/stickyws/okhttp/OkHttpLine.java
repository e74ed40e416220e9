package io.stickyws.okhttp;

/**
 * The OkHttp line the tests run on: surefire runs the suite once on OkHttp 5 (okhttp-jvm) and once
 * on OkHttp 4.12 (okhttp), naming the line in {@code -Dstickyws.okhttp.line}.
 */
final class OkHttpLine {
  private OkHttpLine() {}

  /** The version of the OkHttp on the class path, read at run time (the constant is inlined). */
  static String version() {
    try {
      return (String) okhttp3.OkHttp.class.getField("VERSION").get(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("okhttp3.OkHttp.VERSION is missing", e);
    }
  }

  /** Whether the class path holds OkHttp 5. */
  static boolean five() {
    return version().startsWith("5.");
  }
}
