package io.secretsdk.log4j2;

import io.secretsdk.observe.SecretMasking;
import java.io.Serializable;
import java.nio.charset.Charset;
import java.util.Map;
import java.util.Objects;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.StringLayout;
import org.apache.logging.log4j.core.config.Node;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginElement;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;
import org.apache.logging.log4j.core.layout.AbstractStringLayout;
import org.jspecify.annotations.Nullable;

/**
 * Wraps a string layout and masks, in each line it renders, the values secretsdk's caches hold.
 * Creating it turns masking on ({@link SecretMasking#enable()}).
 *
 * <pre>{@code
 * <Console name="out">
 *   <SecretMaskingLayout>
 *     <PatternLayout pattern="%d %-5level [%t] %logger - %msg %X%n%throwable"/>
 *   </SecretMaskingLayout>
 * </Console>
 * }</pre>
 */
@Plugin(name = "SecretMaskingLayout", category = Node.CATEGORY, elementType = Layout.ELEMENT_TYPE, printObject = true)
public final class SecretMaskingLayout extends AbstractStringLayout {
  private final StringLayout inner;

  private SecretMaskingLayout(StringLayout inner) {
    super(inner.getCharset());
    this.inner = inner;
  }

  /**
   * Wraps a layout; what Log4j calls for the {@code <SecretMaskingLayout>} element.
   *
   * @param layout the layout that renders each line, a string layout such as {@code PatternLayout}
   * @return the masking layout
   * @throws IllegalArgumentException if the layout is missing or renders bytes rather than text
   */
  @PluginFactory
  public static SecretMaskingLayout createLayout(@PluginElement("Layout") @Nullable Layout<? extends Serializable> layout) {
    if (!(layout instanceof StringLayout)) {
      throw new IllegalArgumentException("<SecretMaskingLayout> needs one nested string layout (such as <PatternLayout>),"
          + " was " + (layout == null ? "none" : layout.getClass().getName()));
    }
    SecretMasking.enable();
    return new SecretMaskingLayout((StringLayout) layout);
  }

  /**
   * Wraps a layout, for programmatic configuration.
   *
   * @param layout the layout that renders each line
   * @return the masking layout
   */
  public static SecretMaskingLayout wrap(StringLayout layout) {
    Objects.requireNonNull(layout, "layout");
    SecretMasking.enable();
    return new SecretMaskingLayout(layout);
  }

  @Override
  public String toSerializable(LogEvent event) {
    return SecretMasking.mask(inner.toSerializable(event));
  }

  @Override
  public byte[] getHeader() {
    return inner.getHeader();
  }

  @Override
  public byte[] getFooter() {
    return inner.getFooter();
  }

  @Override
  public String getContentType() {
    return inner.getContentType();
  }

  @Override
  public Map<String, String> getContentFormat() {
    return inner.getContentFormat();
  }

  @Override
  public Charset getCharset() {
    return inner.getCharset();
  }

  @Override
  public String toString() {
    return "SecretMaskingLayout[" + inner + "]";
  }
}
