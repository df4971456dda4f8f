package gov.ywtb.bench;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.flowable.engine.HistoryService;
import org.flowable.engine.ProcessEngine;
import org.flowable.engine.ProcessEngineConfiguration;
import org.flowable.engine.RuntimeService;
import org.flowable.engine.TaskService;
import org.flowable.engine.history.HistoricProcessInstance;
import org.flowable.engine.impl.cfg.StandaloneProcessEngineConfiguration;
import org.flowable.engine.runtime.ProcessInstance;
import org.flowable.task.api.Task;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Flowable side of the approval engine benchmark: the approval service's BPMN files on an embedded,
 * default-configured Flowable engine (audit history) over JDBC to PostgreSQL.
 *
 * <p>For each process and thread count: start N instances with the case facts as variables, then
 * claim and complete every user task (decision=approve on decision tasks) until each instance ends.
 * Prints one JSON line per run and a final line with the JVM's resident memory. With {@code --serve
 * stdin} it runs what stdin asks ({@code warm PROCESS THREADS COUNT} and {@code run PROCESS THREADS}
 * lines, then {@code quit}) instead of every process and thread count, so a driver can interleave
 * its own runs with these.
 */
public final class FlowableBench {

  private static final String BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL";
  private static final Pattern CONDITION =
      Pattern.compile("(<(?:\\w+:)?conditionExpression\\b[^>]*>)\\s*(.*?)\\s*(</(?:\\w+:)?conditionExpression>)",
          Pattern.DOTALL);
  private static final String CLERK = "clerk-1";

  private FlowableBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, List<String>> opts = parse(args);
    String jdbc = one(opts, "jdbc", null);
    String user = one(opts, "user", "");
    String password = one(opts, "password", "");
    int instances = Integer.parseInt(one(opts, "instances", "300"));
    int warmup = Integer.parseInt(one(opts, "warmup", "20"));
    List<Integer> threads = new ArrayList<>();
    for (String t : one(opts, "threads", "1,2").split(",")) {
      threads.add(Integer.parseInt(t.trim()));
    }
    List<String> bpmnFiles = opts.getOrDefault("bpmn", List.of());
    if (jdbc == null || bpmnFiles.isEmpty()) {
      System.err.println("usage: --jdbc URL [--user U] [--password P] --bpmn FILE... "
          + "[--instances N] [--threads 1,2] [--warmup W] [--serve stdin]");
      System.exit(2);
    }

    ProcessEngineConfiguration config = new StandaloneProcessEngineConfiguration()
        .setJdbcUrl(jdbc)
        .setJdbcUsername(user)
        .setJdbcPassword(password)
        .setJdbcDriver("org.postgresql.Driver")
        .setDatabaseSchemaUpdate(ProcessEngineConfiguration.DB_SCHEMA_UPDATE_TRUE);
    long bootStart = System.nanoTime();
    ProcessEngine engine = config.buildProcessEngine();
    double bootSeconds = (System.nanoTime() - bootStart) / 1e9;

    Path dir = Files.createTempDirectory("flowable-bench-");
    List<String> processes = new ArrayList<>();
    Map<String, Set<String>> decisionTasks = new HashMap<>();
    for (String file : bpmnFiles) {
      Path source = Path.of(file);
      String xml = Files.readString(source, StandardCharsets.UTF_8);
      String process = processId(xml);
      processes.add(process);
      decisionTasks.put(process, decisionTaskIds(xml));
      Path copy = dir.resolve(source.getFileName());
      Files.writeString(copy, asFlowable(xml), StandardCharsets.UTF_8);
      engine.getRepositoryService().createDeployment()
          .name(process)
          .addInputStream(copy.getFileName().toString(),
              new ByteArrayInputStream(Files.readAllBytes(copy)))
          .deploy();
      Files.delete(copy);
    }
    Files.delete(dir);
    emit(Map.of("engine", "flowable", "event", "ready", "flowable_version", ProcessEngine.VERSION,
        "boot_s", round(bootSeconds)));

    String runId = Long.toString(System.currentTimeMillis(), 36);
    if (opts.containsKey("serve")) {
      // Driven line by line ("warm PROCESS THREADS COUNT", "run PROCESS THREADS", "quit") so the
      // driver can interleave the engines.
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      int round = 0;
      for (String line = in.readLine(); line != null && !line.isBlank() && !line.equals("quit");
          line = in.readLine()) {
        String[] words = line.trim().split("\\s+");
        String process = words[1];
        if (!decisionTasks.containsKey(process)) {
          throw new IllegalArgumentException("not deployed: " + process);
        }
        int threadCount = Integer.parseInt(words[2]);
        String prefix = runId + "-r" + round++ + "-";
        if (words[0].equals("warm")) {
          run(engine, process, decisionTasks.get(process), Integer.parseInt(words[3]), threadCount, prefix);
          emit(Map.of("engine", "flowable", "event", "warm", "process", process));
        } else {
          measure(engine, process, decisionTasks.get(process), instances, warmup, threadCount, prefix);
        }
      }
    } else {
      for (String process : processes) {
        for (int t : threads) {
          measure(engine, process, decisionTasks.get(process), instances, warmup, t, runId + "-");
        }
      }
    }
    engine.close();
    emit(Map.of("engine", "flowable", "event", "done", "rss_bytes", procStatus("VmRSS"),
        "peak_rss_bytes", procStatus("VmHWM")));
  }

  /** A warm-up, then one measured run of a process on `threads` threads; prints its line. */
  private static void measure(ProcessEngine engine, String process, Set<String> decisions, int instances,
      int warmup, int threads, String runPrefix) throws Exception {
    String prefix = runPrefix + process + "-t" + threads + "-";
    run(engine, process, decisions, warmup, threads, prefix + "w");
    Result result = run(engine, process, decisions, instances, threads, prefix);
    verify(engine.getHistoryService(), prefix, instances);
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("engine", "flowable");
    line.put("event", "run");
    line.put("process", process);
    line.put("threads", threads);
    line.put("instances", instances);
    line.put("completions", result.latenciesNanos.size());
    line.put("seconds", round(result.seconds));
    line.put("per_s", round(instances / result.seconds));
    line.put("p50_ms", round(percentile(result.latenciesNanos, 50) / 1e6));
    line.put("p99_ms", round(percentile(result.latenciesNanos, 99) / 1e6));
    emit(line);
  }

  /** Timings of one run: wall seconds and each completion's latency. */
  private record Result(double seconds, List<Long> latenciesNanos) {}

  private static Result run(ProcessEngine engine, String process, Set<String> decisions, int count,
      int threads, String prefix) throws Exception {
    RuntimeService runtime = engine.getRuntimeService();
    TaskService tasks = engine.getTaskService();
    AtomicInteger next = new AtomicInteger();
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long start = System.nanoTime();
    List<Future<?>> futures = new ArrayList<>();
    for (int w = 0; w < threads; w++) {
      futures.add(pool.submit(() -> {
        List<Long> mine = new ArrayList<>();
        for (int n = next.getAndIncrement(); n < count; n = next.getAndIncrement()) {
          String caseNo = prefix + n;
          Map<String, Object> facts = new HashMap<>();
          facts.put("case_no", caseNo);
          facts.put("dept", "11510104MB3234567X");
          facts.put("tenant", "510104");
          facts.put("item_id", "ITEM-1");
          ProcessInstance instance = runtime.startProcessInstanceByKey(process, caseNo, facts);
          while (true) {
            List<Task> ready = tasks.createTaskQuery().processInstanceId(instance.getId()).list();
            if (ready.isEmpty()) {
              break;
            }
            for (Task task : ready) {
              tasks.claim(task.getId(), CLERK);
              Map<String, Object> vars = decisions.contains(task.getTaskDefinitionKey())
                  ? Map.of("decision", "approve") : Map.of();
              long t0 = System.nanoTime();
              tasks.complete(task.getId(), vars);
              mine.add(System.nanoTime() - t0);
            }
          }
        }
        latencies.addAll(mine);
        return null;
      }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    pool.shutdown();
    return new Result(seconds, new ArrayList<>(latencies));
  }

  /** Every measured instance ended at its approved end event (so the rewritten conditions routed). */
  private static void verify(HistoryService history, String prefix, int count) {
    List<HistoricProcessInstance> ended = history.createHistoricProcessInstanceQuery()
        .processInstanceBusinessKeyLike(prefix + "%").finished().list();
    long approved = ended.stream().filter(h -> "end_approved".equals(h.getEndActivityId())).count();
    long measured = ended.stream().filter(h -> !h.getBusinessKey().startsWith(prefix + "w")).count();
    if (measured != count || approved != ended.size()) {
      throw new IllegalStateException("expected " + count + " instances ended at end_approved, got "
          + measured + " ended, " + approved + " of " + ended.size() + " approved");
    }
  }

  /** The BPMN text with bare condition expressions wrapped as Flowable's ${...} (JUEL). */
  static String asFlowable(String xml) {
    Matcher m = CONDITION.matcher(xml);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String expr = m.group(2);
      String wrapped = expr.startsWith("${") ? expr : "${" + expr + "}";
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + wrapped + m.group(3)));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static Document dom(String xml) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }

  private static String processId(String xml) throws Exception {
    NodeList list = dom(xml).getElementsByTagNameNS(BPMN_NS, "process");
    return ((Element) list.item(0)).getAttribute("id");
  }

  /** User tasks whose spiffworkflow:properties say decision=required. */
  private static Set<String> decisionTaskIds(String xml) throws Exception {
    Set<String> ids = new HashSet<>();
    NodeList userTasks = dom(xml).getElementsByTagNameNS(BPMN_NS, "userTask");
    for (int i = 0; i < userTasks.getLength(); i++) {
      Element task = (Element) userTasks.item(i);
      NodeList props = task.getElementsByTagNameNS("*", "property");
      for (int j = 0; j < props.getLength(); j++) {
        Element p = (Element) props.item(j);
        if ("decision".equals(p.getAttribute("name")) && "required".equals(p.getAttribute("value"))) {
          ids.add(task.getAttribute("id"));
        }
      }
    }
    return ids;
  }

  /** Nearest-rank percentile of latencies in nanoseconds. */
  static double percentile(List<Long> values, double pct) {
    if (values.isEmpty()) {
      return 0;
    }
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(pct / 100.0 * sorted.size());
    return sorted.get(Math.max(rank, 1) - 1);
  }

  private static long procStatus(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.split("\\s+")[1]) * 1024;
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return 0;
  }

  private static double round(double v) {
    return Math.round(v * 1000.0) / 1000.0;
  }

  private static void emit(Map<String, ?> fields) {
    StringBuilder sb = new StringBuilder("{");
    for (Map.Entry<String, ?> e : fields.entrySet()) {
      if (sb.length() > 1) {
        sb.append(',');
      }
      sb.append('"').append(e.getKey()).append("\":");
      Object v = e.getValue();
      if (v instanceof Number) {
        sb.append(String.format(Locale.ROOT, "%s", v));
      } else {
        sb.append('"').append(String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
      }
    }
    System.out.println(sb.append('}'));
    System.out.flush();
  }

  private static Map<String, List<String>> parse(String[] args) {
    Map<String, List<String>> opts = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("bad argument: " + Arrays.toString(args));
      }
      opts.computeIfAbsent(args[i].substring(2), k -> new ArrayList<>()).add(args[++i]);
    }
    return opts;
  }

  private static String one(Map<String, List<String>> opts, String name, String fallback) {
    List<String> values = opts.get(name);
    return values == null ? fallback : values.get(values.size() - 1);
  }
}
