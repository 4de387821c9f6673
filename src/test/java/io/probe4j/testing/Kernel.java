package io.probe4j.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class or method backed by the live kernel (root and tracefs): tagged {@code kernel}, and
 * skipped with a {@link Skip#KERNEL} reason on a machine that cannot back it.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("kernel")
@ExtendWith(Kernel.Condition.class)
public @interface Kernel {
    /** Enables the test only where {@link Skip#kernelAvailable()}. */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return Skip.kernelAvailable() ? ConditionEvaluationResult.enabled("root and tracefs")
                    : ConditionEvaluationResult.disabled(Skip.NO_KERNEL);
        }
    }
}
