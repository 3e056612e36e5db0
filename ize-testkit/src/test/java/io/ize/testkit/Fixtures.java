package io.ize.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks a fixture test class that only {@link IzeExtensionTest} runs, through JUnit's {@code
 * EngineTestKit}: surefire skips nested classes, and this condition keeps them off even when a
 * pattern given with {@code -Dtest} matches them, since several fail on purpose.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(Fixtures.OnlyInEngineTestKit.class)
@interface Fixtures {
  /** The configuration parameter that {@link IzeExtensionTest} sets. */
  String RUN = "io.ize.testkit.fixtures";

  /** Enables a fixture only where {@link #RUN} is set. */
  final class OnlyInEngineTestKit implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      return context.getConfigurationParameter(RUN).isPresent()
          ? ConditionEvaluationResult.enabled("run by EngineTestKit")
          : ConditionEvaluationResult.disabled("a fixture, run only by IzeExtensionTest");
    }
  }
}
