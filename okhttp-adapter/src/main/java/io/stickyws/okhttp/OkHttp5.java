package io.stickyws.okhttp;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * The OkHttp 5 cookie API that OkHttp 4.12 lacks ({@code Cookie.sameSite()}, {@code
 * Cookie.Builder.sameSite(String)}), reached by reflection so that the adapter runs on both lines.
 * OkHttp 4.12 drops the SameSite attribute of the cookies it parses, so there is nothing to carry
 * there. Stateless; thread-safe.
 */
final class OkHttp5 {
  private static final Method SAME_SITE = find(okhttp3.Cookie.class, "sameSite");
  private static final Method BUILDER_SAME_SITE =
      find(okhttp3.Cookie.Builder.class, "sameSite", String.class);

  private OkHttp5() {}

  private static Method find(Class<?> type, String name, Class<?>... parameters) {
    try {
      return type.getMethod(name, parameters);
    } catch (NoSuchMethodException e) {
      return null; // OkHttp 4.x
    }
  }

  /** {@code cookie.sameSite()} on OkHttp 5; null on OkHttp 4.12 or when the cookie has none. */
  static String sameSite(okhttp3.Cookie cookie) {
    return SAME_SITE == null ? null : (String) invoke(SAME_SITE, cookie);
  }

  /** {@code builder.sameSite(value)} on OkHttp 5; nothing on OkHttp 4.12. */
  static void sameSite(okhttp3.Cookie.Builder builder, String value) {
    if (BUILDER_SAME_SITE != null) {
      invoke(BUILDER_SAME_SITE, builder, value);
    }
  }

  private static Object invoke(Method method, Object target, Object... args) {
    try {
      return method.invoke(target, args);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("OkHttp's " + method.getName() + " is not accessible", e);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof RuntimeException ? (RuntimeException) e.getCause()
          : new IllegalStateException("OkHttp's " + method.getName() + " failed", e.getCause());
    }
  }
}
