package io.stickyws.jakarta;

import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An inherited contract test that one container cannot pass, with the reason; it is reported as
 * skipped with that reason, and the test class proves what the container does instead.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(KnownLimit.List.class)
@ExtendWith(KnownLimit.Condition.class)
public @interface KnownLimit {
  /** The name of the inherited test method. */
  public String test();

  /** What the container hides, as the adapter's README says. */
  String why();

  /** The repeated form. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.TYPE)
  @ExtendWith(KnownLimit.Condition.class)
  public @interface List {
    KnownLimit[] value();
  }

  /** Skips the methods a {@link KnownLimit} names. */
  public final class Condition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      Optional<String> method = context.getTestMethod().map(m -> m.getName());
      if (method.isEmpty()) {
        return ConditionEvaluationResult.enabled("not a test method");
      }
      Class<?> type = context.getRequiredTestClass();
      return Arrays.stream(type.getAnnotationsByType(KnownLimit.class))
          .filter(limit -> limit.test().equals(method.get()))
          .findFirst()
          .map(limit -> ConditionEvaluationResult.disabled(limit.why()))
          .orElse(ConditionEvaluationResult.enabled("no known limit"));
    }
  }
}
