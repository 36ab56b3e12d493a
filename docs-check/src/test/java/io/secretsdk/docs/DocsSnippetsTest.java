package io.secretsdk.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Compiles every {@code ```java} block of the root README.md, of docs/**&#47;*.md and of the module
 * READMEs in {@link #MODULE_READMES} against the published modules, one test per Markdown file, and fails naming the file and line of each error.
 *
 * <p>How a block is read:
 *
 * <ul>
 *   <li>leading {@code import} lines are imports; every block also gets the SDK's API packages,
 *       {@code java.util}, {@code java.time}, {@code java.nio.file} and a few more (see {@link
 *       #IMPORTS});
 *   <li>a block that then declares a type ({@code class}, {@code interface}, {@code record},
 *       {@code enum}, with any modifiers) is a source file of its own; the blocks of one page
 *       share a package, so they may use each other's types (and must not repeat a type name);
 *   <li>any other block is the body of a method of a {@link DocSnippet}, which gives it {@code
 *       source}, {@code cache}, {@code log}, {@code hikariConfig} and {@code connect(user,
 *       chars)}. The method may throw any exception.
 * </ul>
 *
 * <p>A page about a module that is not a dependency of docs-check yet is skipped, and reported as
 * skipped, until it is: {@link #NEEDS} maps the page to the package its module brings. Adding the
 * module to docs-check's pom (one dependency) is all it takes.
 */
class DocsSnippetsTest {
  /** Pages that need a module docs-check may not have yet, and the package that module brings. */
  static final Map<String, String> NEEDS = Map.of(
      "docs/backends/gcp.md", "io.secretsdk.gcp",
      "docs/backends/azure.md", "io.secretsdk.azure",
      "docs/spring-boot.md", "io.secretsdk.spring");

  /** Module READMEs whose java blocks are compiled too (a module opts in by being listed). */
  static final List<String> MODULE_READMES = List.of(
      "sdk-micrometer/README.md", "sdk-vault/README.md", "sdk-gcp/README.md", "sdk-azure/README.md",
      "sdk-jdbc/README.md");

  static final List<String> IMPORTS = List.of(
      "io.secretsdk.*", "io.secretsdk.cache.*", "io.secretsdk.file.*", "io.secretsdk.spi.*",
      "io.secretsdk.resilience.*", "io.secretsdk.jdbc.*", "io.secretsdk.aws.*", "io.secretsdk.vault.*",
      "java.util.*", "java.time.*", "java.nio.file.*", "java.net.URI", "javax.sql.DataSource",
      "com.zaxxer.hikari.*", "software.amazon.awssdk.regions.Region");

  /** Imports added only when the package is on the class path. */
  static final List<String> OPTIONAL_IMPORTS = List.of(
      "io.secretsdk.gcp", "io.secretsdk.azure", "io.secretsdk.spring");

  private static final Pattern TYPE_DECLARATION = Pattern.compile(
      "^(?:@\\w+(?:\\([^)]*\\))?\\s+)*(?:(?:public|protected|private|abstract|static|final|sealed|non-sealed|strictfp)\\s+)*"
          + "(?:class|interface|record|enum|@interface)\\s+(\\w+)");

  /** One fenced block. */
  record Block(Path file, int line, String code) {}

  static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !(Files.exists(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("docs")))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("cannot find the repository root (mvnw and docs/) above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  static List<Path> markdownFiles(Path root) {
    List<Path> files = new ArrayList<>();
    files.add(root.resolve("README.md"));
    try (Stream<Path> docs = Files.walk(root.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    MODULE_READMES.forEach(m -> files.add(root.resolve(m)));
    return files;
  }

  static List<Block> javaBlocks(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String fence = lines.get(i).strip();
      if (!fence.startsWith("```")) {
        continue;
      }
      boolean java = fence.substring(3).strip().toLowerCase(Locale.ROOT).equals("java");
      int start = i + 1;
      int end = start;
      while (end < lines.size() && !lines.get(end).strip().startsWith("```")) {
        end++;
      }
      if (end == lines.size()) {
        fail(file + ":" + (i + 1) + ": a code block is never closed");
      }
      if (java) {
        // Line numbers are 1-based; the block's first line is the line after the fence.
        blocks.add(new Block(file, start + 1, String.join("\n", lines.subList(start, end))));
      }
      i = end;
    }
    return blocks;
  }

  private static boolean onClassPath(String pkg) {
    String dir = pkg.replace('.', '/');
    ClassLoader loader = DocsSnippetsTest.class.getClassLoader();
    return loader.getResource(dir) != null || loader.getResource(dir + "/") != null;
  }

  /** A block turned into a Java source, and where its lines came from. */
  private static final class Source extends SimpleJavaFileObject {
    final Block block;
    final int headerLines;
    final String text;

    Source(String path, Block block, int headerLines, String text) {
      super(URI.create("string:///" + path), Kind.SOURCE);
      this.block = block;
      this.headerLines = headerLines;
      this.text = text;
    }

    @Override
    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
      return text;
    }

    /** The Markdown line of a line of this source, or the block's first line for a header line. */
    int markdownLine(long javaLine) {
      long inBlock = javaLine - headerLines;
      return inBlock < 1 ? block.line() : (int) (block.line() + inBlock - 1);
    }
  }

  static Source toSource(Block block, int index) {
    // One package per page, so that a page's blocks may use each other's types.
    String pkg = "snippets.p" + Integer.toHexString(block.file().toAbsolutePath().toString().hashCode() & 0x7fffffff);
    List<String> codeLines = new ArrayList<>(List.of(block.code().split("\n", -1)));
    StringBuilder header = new StringBuilder("package " + pkg + ";");
    List<String> imports = new ArrayList<>(IMPORTS);
    for (String optional : OPTIONAL_IMPORTS) {
      if (onClassPath(optional)) {
        imports.add(optional + ".*");
      }
    }
    for (String i : imports) {
      header.append(" import ").append(i).append(';');
    }
    header.append(" import io.secretsdk.docs.DocSnippet;");
    // The block's own imports stay on their lines (blanked here, hoisted to the header), so that
    // line numbers still match.
    for (int i = 0; i < codeLines.size(); i++) {
      String line = codeLines.get(i).strip();
      if (line.startsWith("import ")) {
        header.append(' ').append(line);
        codeLines.set(i, "");
      } else if (!line.isEmpty() && !line.startsWith("//")) {
        break;
      }
    }
    String body = String.join("\n", codeLines);
    String firstCode = codeLines.stream().map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("//")).findFirst().orElse("");
    Matcher type = TYPE_DECLARATION.matcher(firstCode);
    String text;
    String name;
    int headerLines;
    if (type.find()) {
      name = type.group(1);
      text = header + "\n" + body + "\n";
      headerLines = 1;
    } else {
      name = "Snippet" + index;
      text = header + "\n"
          + "class " + name + " extends DocSnippet { @SuppressWarnings(\"unused\") void example() throws Exception {\n"
          + body + "\n}}\n";
      headerLines = 2;
    }
    return new Source(pkg.replace('.', '/') + "/" + name + ".java", block, headerLines, text);
  }

  static List<String> compile(List<Source> sources, Path out) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> options = List.of("--release", "17", "-proc:none", "-Xlint:none", "-implicit:none",
        "-classpath", classPath, "-d", out.toString());
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      javac.getTask(null, files, diagnostics, options, null, sources).call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> errors = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      if (d.getKind() != Diagnostic.Kind.ERROR) {
        continue;
      }
      if (d.getSource() instanceof Source s) {
        errors.add(s.block.file() + ":" + s.markdownLine(d.getLineNumber()) + ": " + d.getMessage(Locale.ROOT));
      } else {
        errors.add(d.toString());
      }
    }
    return errors;
  }

  @TestFactory
  Stream<DynamicTest> everyJavaBlockInTheReadmeAndTheDocsCompiles() {
    Path root = repositoryRoot();
    return markdownFiles(root).stream().map(file -> {
      String relative = root.relativize(file).toString().replace(File.separatorChar, '/');
      return DynamicTest.dynamicTest(relative, () -> {
        String needs = NEEDS.get(relative);
        Assumptions.assumeTrue(needs == null || onClassPath(needs),
            () -> relative + " needs " + needs + ": add its module to docs-check's pom to compile it");
        List<Block> blocks = javaBlocks(file);
        Assumptions.assumeTrue(!blocks.isEmpty(), () -> relative + " has no java block");
        List<Source> sources = new ArrayList<>();
        for (Block b : blocks) {
          sources.add(toSource(b, sources.size()));
        }
        Path out = Files.createTempDirectory("docs-check");
        List<String> errors = compile(sources, out);
        if (!errors.isEmpty()) {
          fail(errors.size() + " compile error(s) in the examples of " + relative + ":\n"
              + errors.stream().collect(Collectors.joining("\n")));
        }
      });
    });
  }

  @Test
  void theReadmeAndTheDocsHaveJavaBlocksToCheck() {
    Path root = repositoryRoot();
    assertThat(javaBlocks(root.resolve("README.md"))).isNotEmpty();
    assertThat(markdownFiles(root).stream().mapToInt(f -> javaBlocks(f).size()).sum()).isGreaterThanOrEqualTo(10);
  }

  @Test
  void aBlockThatDoesNotCompileIsReportedWithItsFileAndLine() throws IOException {
    Path file = Files.createTempFile("docs-check", ".md");
    Files.writeString(file, "# t\n\n```java\nSecretRef ref = SecretRef.parse(\"file://db\");\nint n = ref.noSuchMethod();\n```\n");
    List<Source> sources = List.of(toSource(javaBlocks(file).get(0), 0));
    List<String> errors = compile(sources, Files.createTempDirectory("docs-check"));
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0)).startsWith(file + ":5: ").contains("noSuchMethod");
  }

  @Test
  void aBlockThatDeclaresATypeIsASourceFileOfItsOwn() throws IOException {
    Path file = Files.createTempFile("docs-check", ".md");
    Files.writeString(file, "```java\nimport java.util.function.Supplier;\n\npublic final class Named implements Supplier<SecretRef> {\n"
        + "  public SecretRef get() {\n    return SecretRef.parse(\"file://db\");\n  }\n}\n```\n");
    Source source = toSource(javaBlocks(file).get(0), 0);
    assertThat(source.toUri().toString()).endsWith("/Named.java");
    assertThat(compile(List.of(source), Files.createTempDirectory("docs-check"))).isEmpty();
  }
}
