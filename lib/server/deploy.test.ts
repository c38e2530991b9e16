/**
 * The Dockerfile and the Helm chart (deploy/helm/sigla) agree with the server's settings: the port, the probe
 * paths, the variables they set, where the API key comes from, the shutdown grace. The Dockerfile is read line
 * by line; the chart's templates are rendered by the small Go-template renderer below, which knows only what
 * the chart uses (and throws on anything else), with Helm's quirks that matter here: `<no value>` printed as
 * nothing, and numbers from values.yaml being float64 (1000000 prints as 1e+06).
 */
import { readdirSync, readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, stringify } from "yaml";
import {
  DEFAULT_PORT,
  HEALTH_PATH,
  LIVE_PATH,
  SERVER_VARIABLES,
  STORAGE_PREFIX,
  serverSettings,
  storageOptions,
} from "./settings.js";

const ROOT = new URL("../../", import.meta.url);
const CHART = "deploy/helm/sigla/";
const read = (path: string) => readFileSync(new URL(path, ROOT), "utf8");
const DEFAULTS = serverSettings({});

// --- Dockerfile ------------------------------------------------------------------------------------------------

interface Instruction {
  op: string;
  args: string;
  /** Index of the stage (FROM) it belongs to. */
  stage: number;
}

/** Instructions with continuation lines joined and comments dropped. */
function dockerfile(text: string): Instruction[] {
  const lines: string[] = [];
  let current = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#") || (line === "" && current === "")) continue;
    if (line.endsWith("\\")) {
      current += `${line.slice(0, -1).trim()} `;
      continue;
    }
    lines.push(`${current}${line}`.trim());
    current = "";
  }
  let stage = -1;
  return lines
    .filter((line) => line !== "")
    .map((line) => {
      const [, op, args] = /^(\S+)\s*([\s\S]*)$/.exec(line) as RegExpExecArray;
      if (op.toUpperCase() === "FROM") stage++;
      return { op: op.toUpperCase(), args, stage };
    });
}

const DOCKER = dockerfile(read("Dockerfile"));
const LAST_STAGE = Math.max(...DOCKER.map((i) => i.stage));
const runtime = (op: string) => DOCKER.filter((i) => i.op === op && i.stage === LAST_STAGE);

/** `ENV a=1 b=2` (and the old `ENV a 1`) of the runtime stage. */
function dockerEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of runtime("ENV")) {
    if (!args.includes("=")) {
      const [name, ...value] = args.split(/\s+/);
      env[name] = value.join(" ");
      continue;
    }
    for (const [, name, value] of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)) {
      env[name] = value.replace(/^"|"$/g, "");
    }
  }
  return env;
}

/** ENTRYPOINT then CMD of the runtime stage, in exec (JSON) form. */
function dockerCommand(): string[] {
  const exec = (op: string) => {
    const last = runtime(op).at(-1);
    assert.ok(last, `the runtime stage has a ${op}`);
    const args = JSON.parse(last.args) as unknown;
    assert.ok(Array.isArray(args), `${op} is in exec form (a JSON array)`);
    return args as string[];
  };
  return [...exec("ENTRYPOINT"), ...exec("CMD")];
}

// --- A Go-template renderer for the chart's subset ----------------------------------------------------------

type Tree = Node[];
type Node =
  | { kind: "text"; text: string }
  | { kind: "action"; expr: string }
  | { kind: "if"; branches: { cond?: string; body: Tree }[] }
  | { kind: "range" | "with"; expr: string; vars: string[]; body: Tree };
type Scope = Map<string, unknown>[];
interface Context {
  dot: unknown;
  root: unknown;
  scope: Scope;
  defines: Map<string, Tree>;
}

/** Text and actions, with `{{-`/`-}}` trimming applied and comments dropped. */
function lex(source: string): (string | { action: string })[] {
  const parts: (string | { action: string })[] = [];
  let rest = source;
  let trimNext = false;
  for (;;) {
    const match = /\{\{(- )?\s*([\s\S]*?)\s*( -)?\}\}/.exec(rest);
    let text = match ? rest.slice(0, match.index) : rest;
    if (trimNext) text = text.trimStart();
    if (match?.[1]) text = text.trimEnd();
    parts.push(text);
    if (!match) return parts;
    if (!match[2].startsWith("/*")) parts.push({ action: match[2] });
    trimNext = Boolean(match[3]);
    rest = rest.slice(match.index + match[0].length);
  }
}

/** The template's tree; `define`s go to `defines`. */
function parseTemplate(source: string, defines: Map<string, Tree>): Tree {
  const root: Tree = [];
  const stack: { body: Tree; node?: Node; define?: string }[] = [{ body: root }];
  const top = () => stack[stack.length - 1];
  for (const part of lex(source)) {
    if (typeof part === "string") {
      if (part) top().body.push({ kind: "text", text: part });
      continue;
    }
    const [, keyword, rest] =
      /^(if|else if|else|range|with|define|end)\b\s*([\s\S]*)$/.exec(part.action) ?? [];
    if (!keyword) {
      top().body.push({ kind: "action", expr: part.action });
    } else if (keyword === "if") {
      const node: Node = { kind: "if", branches: [{ cond: rest, body: [] }] };
      top().body.push(node);
      stack.push({ body: node.branches[0].body, node });
    } else if (keyword === "else if" || keyword === "else") {
      const { node } = top();
      if (node?.kind !== "if") throw new Error(`{{ ${keyword} }} outside an if`);
      const branch = { cond: keyword === "else" ? undefined : rest, body: [] };
      node.branches.push(branch);
      stack[stack.length - 1] = { body: branch.body, node };
    } else if (keyword === "range" || keyword === "with") {
      const [, names, expr] = /^(?:(\$\w+(?:\s*,\s*\$\w+)?)\s*:=\s*)?([\s\S]+)$/.exec(
        rest,
      ) as RegExpExecArray;
      const vars = names ? names.split(",").map((name) => name.trim()) : [];
      const node: Node = { kind: keyword, expr, vars, body: [] };
      top().body.push(node);
      stack.push({ body: node.body, node });
    } else if (keyword === "define") {
      stack.push({ body: [], define: JSON.parse(rest) as string });
    } else {
      const done = stack.pop();
      if (!done || stack.length === 0) throw new Error("{{ end }} without a block");
      if (done.define) defines.set(done.define, done.body);
    }
  }
  if (stack.length !== 1) throw new Error("a block is not closed");
  return root;
}

/** Go's `%v` of a float64: the shortest form, exponent from 1e+06 on (Helm's values are float64). */
function goNumber(n: number): string {
  if (!Number.isFinite(n) || n === 0) return String(n);
  const [mantissa, exponent] = n.toExponential().split("e");
  const exp = Number(exponent);
  const digits = mantissa.replace(/[-.]/g, "").length;
  const eprec = digits < 6 && digits >= exp + 1 ? digits : 6;
  if (exp < -4 || exp >= eprec)
    return `${mantissa}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return String(n);
}

function print(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "number") return goNumber(value);
  if (typeof value === "string" || typeof value === "boolean") return String(value);
  throw new Error(`printing a ${typeof value} (use toYaml)`);
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === "object") return Object.keys(value).length > 0;
  return Boolean(value);
}

function lookupVar(scope: Scope, name: string): Map<string, unknown> | undefined {
  return [...scope].reverse().find((vars) => vars.has(name));
}

function functions(ctx: Context): Record<string, (...args: unknown[]) => unknown> {
  const str = (value: unknown) => print(value);
  return {
    include: (name, dot) => {
      const body = ctx.defines.get(name as string);
      if (!body) throw new Error(`no template ${String(name)}`);
      return render(body, { ...ctx, dot, root: dot, scope: [new Map()] });
    },
    quote: (...values) =>
      values
        .filter((v) => v !== undefined && v !== null)
        .map((v) => JSON.stringify(str(v)))
        .join(" "),
    default: (fallback, value) => (truthy(value) ? value : fallback),
    upper: (value) => str(value).toUpperCase(),
    toString: str,
    printf: (format, ...values) => (format as string).replace(/%[sdv]/g, () => str(values.shift())),
    trunc: (n, value) => str(value).slice(0, n as number),
    trimSuffix: (suffix, value) => {
      const text = str(value);
      return text.endsWith(str(suffix)) ? text.slice(0, text.length - str(suffix).length) : text;
    },
    contains: (needle, value) => str(value).includes(str(needle)),
    not: (value) => !truthy(value),
    and: (...values) => {
      const falsy = values.findIndex((v) => !truthy(v));
      return falsy < 0 ? values.at(-1) : values[falsy];
    },
    or: (...values) => values.find(truthy) ?? values.at(-1),
    b64enc: (value) => Buffer.from(str(value)).toString("base64"),
    b64dec: (value) => Buffer.from(str(value), "base64").toString(),
    randAlphaNum: (n) => "r".repeat(n as number),
    lookup: () => ({}),
    index: (object, ...keys) =>
      keys.reduce((o, key) => (o as Record<string, unknown>)?.[key as string], object),
    toYaml: (value) => stringify(value).trimEnd(),
    nindent: (n, value) => `\n${indent(n as number, str(value))}`,
  };
}

const indent = (n: number, text: string) =>
  text
    .split("\n")
    .map((line) => " ".repeat(n) + line)
    .join("\n");

const TOKEN =
  /\s*("(?:[^"\\]|\\.)*"|\||\(|\)|-?\d+(?:\.\d+)?(?![\w.])|\$\w*(?:\.\w+)*|(?:\.\w+)+|\.|[A-Za-z_]\w*)/y;

function tokens(expr: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expr.length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(expr);
    if (!match) {
      if (expr.slice(start).trim() === "") break;
      throw new Error(`cannot read "${expr.slice(start)}" in {{ ${expr} }}`);
    }
    out.push(match[1]);
  }
  return out;
}

/** Evaluates a pipeline (`a b | c d | e`) from `tokens[at]`; returns its value and where it stopped. */
function pipeline(list: string[], at: number, ctx: Context): [unknown, number] {
  let value: unknown;
  let piped = false;
  let i = at;
  for (;;) {
    const operands: unknown[] = [];
    let name: string | undefined;
    while (i < list.length && list[i] !== "|" && list[i] !== ")") {
      const token = list[i];
      if (token === "(") {
        const [inner, end] = pipeline(list, i + 1, ctx);
        operands.push(inner);
        i = end + 1;
        continue;
      }
      if (
        operands.length === 0 &&
        name === undefined &&
        /^[A-Za-z_]\w*$/.test(token) &&
        !/^(true|false|nil)$/.test(token)
      ) {
        name = token;
      } else {
        operands.push(operand(token, ctx));
      }
      i++;
    }
    if (piped) operands.push(value);
    if (name) {
      const fn = functions(ctx)[name];
      if (!fn) throw new Error(`function ${name} is not in deploy.test.ts's renderer`);
      value = fn(...operands);
    } else {
      if (operands.length !== 1) throw new Error(`cannot evaluate ${list.join(" ")}`);
      value = operands[0];
    }
    if (list[i] !== "|") return [value, i];
    piped = true;
    i++;
  }
}

function operand(token: string, ctx: Context): unknown {
  if (token.startsWith('"')) return JSON.parse(token);
  if (/^-?\d/.test(token)) return Number(token);
  if (token === "true" || token === "false") return token === "true";
  if (token === "nil") return undefined;
  const field = (base: unknown, path: string) =>
    path
      .split(".")
      .filter(Boolean)
      .reduce((o, key) => (o as Record<string, unknown> | undefined)?.[key], base);
  if (token.startsWith("$")) {
    const [name, ...path] = token.split(".");
    const base = name === "$" ? ctx.root : lookupVar(ctx.scope, name)?.get(name);
    if (name !== "$" && !lookupVar(ctx.scope, name)) throw new Error(`undefined variable ${name}`);
    return field(base, path.join("."));
  }
  return field(ctx.dot, token);
}

function evaluate(expr: string, ctx: Context): unknown {
  const list = tokens(expr);
  const [value, end] = pipeline(list, 0, ctx);
  if (end !== list.length) throw new Error(`unbalanced ) in {{ ${expr} }}`);
  return value;
}

function render(tree: Tree, ctx: Context): string {
  let out = "";
  for (const node of tree) {
    if (node.kind === "text") out += node.text;
    else if (node.kind === "action") {
      const declaration = /^(\$\w+)\s*(:=|=)\s*([\s\S]+)$/.exec(node.expr);
      if (!declaration) {
        out += print(evaluate(node.expr, ctx));
        continue;
      }
      const [, name, op, expr] = declaration;
      const vars = op === ":=" ? ctx.scope[ctx.scope.length - 1] : lookupVar(ctx.scope, name);
      if (!vars) throw new Error(`assignment to undeclared ${name}`);
      vars.set(name, evaluate(expr, ctx));
    } else if (node.kind === "if") {
      const branch = node.branches.find((b) => b.cond === undefined || truthy(evaluate(b.cond, ctx)));
      if (branch) out += render(branch.body, { ...ctx, scope: [...ctx.scope, new Map()] });
    } else {
      const value = evaluate(node.expr, ctx);
      if (!truthy(value)) continue;
      if (node.kind === "with") {
        out += render(node.body, { ...ctx, dot: value, scope: [...ctx.scope, new Map()] });
        continue;
      }
      const entries: [unknown, unknown][] = Array.isArray(value)
        ? value.map((v, i) => [i, v])
        : Object.keys(value as object)
            .sort()
            .map((key) => [key, (value as Record<string, unknown>)[key]]);
      for (const [key, item] of entries) {
        const vars = new Map<string, unknown>();
        if (node.vars.length === 2) vars.set(node.vars[0], key).set(node.vars[1], item);
        else if (node.vars.length === 1) vars.set(node.vars[0], item);
        out += render(node.body, { ...ctx, dot: item, scope: [...ctx.scope, vars] });
      }
    }
  }
  return out;
}

// --- The chart --------------------------------------------------------------------------------------------------

type Values = Record<string, unknown>;
const VALUES = parse(read(`${CHART}values.yaml`)) as Values;
const CHART_YAML = parse(read(`${CHART}Chart.yaml`)) as Record<string, string>;
const PACKAGE = JSON.parse(read("package.json")) as { version: string; engines: { node: string } };

/** Helm's merge of --set/-f values over the chart's: maps merge, anything else replaces. */
function merge(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const old = out[key];
    const both = [old, value].every((v) => v && typeof v === "object" && !Array.isArray(v));
    out[key] = both ? merge(old as Values, value as Values) : value;
  }
  return out;
}

// biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes manifests are walked without a schema.
type Manifest = any;

/** Every template rendered with the chart's values and `overrides` (NOTES.txt too), as parsed YAML by file name. */
function renderChart(overrides: Values = {}): Record<string, Manifest> {
  const folder = `${CHART}templates/`;
  const files = readdirSync(new URL(folder, ROOT)).sort();
  const defines = new Map<string, Tree>();
  const trees = new Map(files.map((file) => [file, parseTemplate(read(folder + file), defines)]));
  const chart = Object.fromEntries(
    Object.entries(CHART_YAML).map(([key, value]) => [key[0].toUpperCase() + key.slice(1), value]),
  );
  const top = {
    Values: merge(VALUES, overrides),
    Chart: chart,
    Release: { Name: "demo", Namespace: "memory", Service: "Helm" },
  };
  const out: Record<string, Manifest> = {};
  for (const [file, tree] of trees) {
    const text = render(tree, { dot: top, root: top, scope: [new Map()], defines });
    if (!file.endsWith(".yaml")) continue;
    try {
      out[file] = parse(text);
    } catch (error) {
      throw new Error(`${file} does not render to YAML: ${(error as Error).message}\n${text}`);
    }
  }
  return out;
}

function container(rendered: Record<string, Manifest>): Manifest {
  const deployment = rendered["deployment.yaml"];
  assert.is(deployment.kind, "Deployment");
  const [sigla] = deployment.spec.template.spec.containers;
  return sigla;
}

const envOf = (sigla: Manifest) => sigla.env as { name: string; value?: string; valueFrom?: Manifest }[];

/** The variables a deployment may set: the server's, the library's (.env.example) and storage options. */
function allowedVariable(name: string): boolean {
  const library = [...read(".env.example").matchAll(/^(SIGLA_[A-Z0-9_]+)=/gm)].map((m) => m[1]);
  return (
    (SERVER_VARIABLES as readonly string[]).includes(name) ||
    library.includes(name) ||
    name.startsWith(STORAGE_PREFIX)
  );
}

const S3 = {
  store: "s3://memory/sigla",
  objectStorage: {
    options: { aws_endpoint: "http://minio.minio:9000", aws_region: "us-east-1", allow_http: "true" },
    credentials: { aws_access_key_id: "minio", aws_secret_access_key: "minio123" },
  },
};

// --- Tests ------------------------------------------------------------------------------------------------------

test("the image listens on DEFAULT_PORT, exposes it, and the chart's container and service use it", () => {
  const env = dockerEnv();
  assert.is(env.SIGLA_PORT, String(DEFAULT_PORT), "Dockerfile ENV SIGLA_PORT");
  assert.is(env.SIGLA_HOST, "0.0.0.0", "the image listens beyond loopback");
  const exposed = runtime("EXPOSE").flatMap((i) =>
    i.args.split(/\s+/).map((port) => Number.parseInt(port, 10)),
  );
  assert.equal(exposed, [DEFAULT_PORT], "Dockerfile EXPOSE");

  assert.is((VALUES.server as Values).port, DEFAULT_PORT, "values.yaml server.port");
  const rendered = renderChart();
  const sigla = container(rendered);
  const http = sigla.ports.find((p: Manifest) => p.name === "http");
  assert.is(http.containerPort, DEFAULT_PORT, "containerPort");
  assert.is(
    envOf(sigla).find((e) => e.name === "SIGLA_PORT")?.value,
    String(DEFAULT_PORT),
    "chart SIGLA_PORT",
  );
  const [servicePort] = rendered["service.yaml"].spec.ports;
  const target = servicePort.targetPort;
  const targetPort =
    typeof target === "number" ? target : sigla.ports.find((p: Manifest) => p.name === target)?.containerPort;
  assert.is(targetPort, DEFAULT_PORT, "the service's targetPort");
  assert.is(servicePort.port, DEFAULT_PORT, "the service's port");

  // Another port in values moves the container, the variable and the service's target together.
  const moved = container(renderChart({ server: { port: 9100 } }));
  assert.is(moved.ports[0].containerPort, 9100);
  assert.is(envOf(moved).find((e) => e.name === "SIGLA_PORT")?.value, "9100");
});

test("the health check and the probes hit HEALTH_PATH (readiness) and LIVE_PATH (liveness)", () => {
  const [check] = runtime("HEALTHCHECK");
  assert.ok(check, "the runtime stage has a HEALTHCHECK");
  const command = JSON.parse(check.args.replace(/^[\s\S]*?CMD\s+/, "")) as string[];
  assert.is(command[0], "node", "the health check runs node (slim has no curl)");
  const script = command.join(" ");
  assert.is(/'(\/[\w-]+)'\)/.exec(script)?.[1], HEALTH_PATH, "the health check's path");
  assert.is(
    /SIGLA_PORT\|\|(\d+)/.exec(script)?.[1],
    String(DEFAULT_PORT),
    "the health check's fallback port",
  );

  const sigla = container(renderChart());
  assert.is(sigla.readinessProbe.httpGet.path, HEALTH_PATH, "readinessProbe");
  assert.is(sigla.livenessProbe.httpGet.path, LIVE_PATH, "livenessProbe");
  assert.is(sigla.startupProbe.httpGet.path, LIVE_PATH, "startupProbe");
  for (const probe of [sigla.readinessProbe, sigla.livenessProbe, sigla.startupProbe]) {
    assert.is(probe.httpGet.port, "http", "probes use the container's named port");
  }
});

test("every SIGLA_ variable the image or the chart sets is one the server or the library reads", () => {
  const names = [
    ...Object.keys(dockerEnv()),
    ...envOf(container(renderChart())).map((e) => e.name),
    ...envOf(container(renderChart(S3))).map((e) => e.name),
  ].filter((name) => name.startsWith("SIGLA_"));
  assert.ok(names.length >= 10, `found ${names.length} variables`);
  for (const name of names)
    assert.ok(allowedVariable(name), `${name} is read by neither the server nor the library`);
  assert.not.ok(allowedVariable("SIGLA_NOT_A_SETTING"), "the check can fail");

  const chartEnv = envOf(container(renderChart()));
  const value = (name: string) => chartEnv.find((e) => e.name === name)?.value;
  assert.is(value("SIGLA_CORS_ORIGINS"), "", "CORS off by default");
  assert.is(
    value("SIGLA_RATE_LIMIT"),
    String(DEFAULTS.rateLimit),
    "the chart's rate limit is the server's default",
  );
  assert.is(value("SIGLA_HOME"), dockerEnv().SIGLA_HOME, "SIGLA_HOME as in the image");
  assert.is(value("SIGLA_EMBEDDER"), "use-lite");
  const custom = envOf(
    container(renderChart({ server: { corsOrigins: "https://app.example.com", rateLimit: 0 } })),
  );
  const settings = serverSettings(
    Object.fromEntries(custom.filter((e) => e.value !== undefined).map((e) => [e.name, e.value])),
  );
  assert.equal(settings.corsOrigins, ["https://app.example.com"]);
  assert.is(settings.rateLimit, 0);
  assert.is(settings.host, "0.0.0.0");
  assert.is(settings.port, DEFAULT_PORT);
});

test("the API key comes from a Secret: the chart's own, or an existing one", () => {
  const rendered = renderChart();
  const key = envOf(container(rendered)).find((e) => e.name === "SIGLA_API_KEY");
  assert.ok(key?.valueFrom?.secretKeyRef, "SIGLA_API_KEY is a secretKeyRef");
  assert.is(key?.value, undefined, "never a plain value");
  const secret = rendered["secret.yaml"];
  assert.is(secret.kind, "Secret");
  assert.is(key.valueFrom.secretKeyRef.name, secret.metadata.name);
  assert.ok(secret.data[key.valueFrom.secretKeyRef.key], "the chart's Secret holds the key");
  const given = renderChart({ apiKey: "s3cret" })["secret.yaml"];
  assert.is(Buffer.from(given.data["api-key"], "base64").toString(), "s3cret");

  const existing = renderChart({ existingSecret: "team-sigla", apiKeySecretKey: "token" });
  assert.is(existing["secret.yaml"], null, "no Secret is made for an existing one");
  const ref = envOf(container(existing)).find((e) => e.name === "SIGLA_API_KEY")?.valueFrom?.secretKeyRef;
  assert.equal(ref, { name: "team-sigla", key: "token" });
});

test("object storage: an s3:// store gets SIGLA_STORAGE_* options, credentials from the Secret, no claim", () => {
  const rendered = renderChart(S3);
  const sigla = container(rendered);
  assert.equal(sigla.args, ["serve", "-s", "s3://memory/sigla"]);
  const env = envOf(sigla);
  const plain = Object.fromEntries(
    env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]),
  );
  assert.equal(storageOptions(plain), S3.objectStorage.options, "plain options, as the server reads them");
  for (const name of Object.keys(S3.objectStorage.credentials)) {
    const variable = env.find((e) => e.name === STORAGE_PREFIX + name.toUpperCase());
    assert.ok(variable, `${name} is set`);
    assert.equal(variable.valueFrom?.secretKeyRef, {
      name: rendered["secret.yaml"].metadata.name,
      key: name,
    });
    assert.is(
      Buffer.from(rendered["secret.yaml"].data[name], "base64").toString(),
      S3.objectStorage.credentials[name as "aws_access_key_id"],
    );
  }
  assert.is(rendered["pvc.yaml"], null, "no claim for a remote store");
  const volume = rendered["deployment.yaml"].spec.template.spec.volumes.find(
    (v: Manifest) => v.name === "data",
  );
  assert.equal(volume.emptyDir, {}, "SIGLA_HOME on an emptyDir");
});

test("a local store lives on a claim mounted at SIGLA_HOME, the image's volume", () => {
  const [volume] = runtime("VOLUME").map((i) => i.args.trim());
  assert.is(volume, dockerEnv().SIGLA_HOME, "the image's VOLUME is its SIGLA_HOME");
  const rendered = renderChart();
  const sigla = container(rendered);
  const store = sigla.args[sigla.args.indexOf("-s") + 1] as string;
  assert.is(store, VALUES.store);
  const mount = sigla.volumeMounts.find((m: Manifest) => m.name === "data");
  assert.is(mount.mountPath, volume, "the chart mounts the data volume where the image keeps SIGLA_HOME");
  assert.ok(store.startsWith(`${mount.mountPath}/`), "the default store is on that volume");
  const claim = rendered["pvc.yaml"];
  assert.is(claim.kind, "PersistentVolumeClaim");
  const data = rendered["deployment.yaml"].spec.template.spec.volumes.find(
    (v: Manifest) => v.name === "data",
  );
  assert.is(data.persistentVolumeClaim.claimName, claim.metadata.name);
  const mine = renderChart({ persistence: { existingClaim: "memories" } });
  assert.is(mine["pvc.yaml"], null);
  assert.is(
    mine["deployment.yaml"].spec.template.spec.volumes[0].persistentVolumeClaim.claimName,
    "memories",
  );
  const off = renderChart({ persistence: { enabled: false } });
  assert.equal(off["deployment.yaml"].spec.template.spec.volumes[0].emptyDir, {});
});

test("the grace period outlasts the server's shutdown timeout", () => {
  assert.ok(DEFAULTS.shutdownTimeoutMs > 0);
  const deployment = renderChart()["deployment.yaml"];
  const grace = deployment.spec.template.spec.terminationGracePeriodSeconds as number;
  const chartTimeout = Number(
    envOf(container(renderChart())).find((e) => e.name === "SIGLA_SHUTDOWN_TIMEOUT_MS")?.value,
  );
  assert.is(chartTimeout, DEFAULTS.shutdownTimeoutMs, "the chart keeps the server's default timeout");
  assert.ok(grace * 1000 > DEFAULTS.shutdownTimeoutMs, `${grace} s > ${DEFAULTS.shutdownTimeoutMs} ms`);
  assert.is(deployment.spec.replicas, 1, "one server per store");
  assert.is(deployment.spec.strategy.type, "Recreate", "the old pod lets go of the store first");
  const [signal] = runtime("STOPSIGNAL");
  assert.is(signal?.args, "SIGTERM", "docker stop sends what the server finishes on");
});

test("the image runs `sigla serve` as a non-root user on the pruned production tree", () => {
  const command = dockerCommand();
  assert.equal(command.slice(0, 2), ["node", "bin/sigla.js"]);
  assert.is(command[2], "serve");
  assert.ok(command.slice(2).join(" ").startsWith("serve -s /data/"), "on a store in the data volume");
  assert.ok(container(renderChart()).args.includes("serve"), "the chart's args run serve too");
  const user = runtime("USER").at(-1)?.args;
  assert.ok(user && !/^(root|0)(:|$)/.test(user), `runs as ${user}`);

  const build = DOCKER.filter((i) => i.stage < LAST_STAGE);
  assert.ok(
    build.some((i) => i.op === "RUN" && /npm ci --omit=dev/.test(i.args)),
    "production dependencies only",
  );
  assert.ok(
    build.some((i) => i.op === "RUN" && i.args.includes("scripts/docker-prune.sh")),
    "RUNs scripts/docker-prune.sh",
  );
  assert.ok(read("scripts/docker-prune.sh").startsWith("#!/bin/sh"), "the prune script is there");
  const copied = build.filter((i) => i.op === "COPY").flatMap((i) => i.args.split(/\s+/).slice(0, -1));
  for (const source of [
    "package-lock.json",
    ".npmrc",
    "scripts/docker-prune.sh",
    "bin",
    "lib",
    "bench",
    "datasets",
  ]) {
    assert.ok(copied.includes(source), `the build stage copies ${source}`);
  }
  const ignored = read(".dockerignore").split("\n");
  for (const kept of ["bin", "lib", "bench", "datasets", "repl"])
    assert.not.ok(ignored.includes(kept), `${kept} in the context`);
  assert.ok(ignored.includes("!scripts/docker-prune.sh"), "the prune script is in the context");
});

test("the base image's Node satisfies package.json engines; the chart's appVersion is SIGLA's", () => {
  const arg = DOCKER.find((i) => i.op === "ARG" && i.args.startsWith("NODE_IMAGE="));
  const images = DOCKER.filter((i) => i.op === "FROM").map((i) =>
    i.args.split(/\s+/)[0].replace(/\$\{NODE_IMAGE\}/, arg?.args.split("=")[1] ?? ""),
  );
  assert.is(images.length, 2, "a build and a runtime stage");
  const wanted = Number(/\d+/.exec(PACKAGE.engines.node)?.[0]);
  for (const image of images) {
    assert.match(image, /^node:\d+-bookworm-slim$/);
    assert.ok(Number(/^node:(\d+)/.exec(image)?.[1]) >= wanted, `${image} runs node >= ${wanted}`);
  }
  assert.is(CHART_YAML.apiVersion, "v2");
  assert.is(CHART_YAML.name, "sigla");
  assert.is(CHART_YAML.appVersion, PACKAGE.version, "Chart.yaml appVersion is package.json's version");
  assert.is(container(renderChart()).image, `sigla:${PACKAGE.version}`, "the image tag defaults to it");
});

test("the renderer behaves like Helm where the chart depends on it", () => {
  assert.is(goNumber(8700), "8700");
  assert.is(goNumber(999999), "999999");
  assert.is(goNumber(1000000), "1e+06");
  assert.is(goNumber(8388608), "8.388608e+06");
  const defines = new Map<string, Tree>();
  const tree = parseTemplate(
    '{{- define "x" -}}<{{ .a }}>{{- end -}}\n{{ include "x" .Values }}{{ range $k, $v := .Values }} {{ $k }}={{ $v | quote }}{{ end }}\n{{- if not .Values.b }} none{{ else }} some{{ end }}',
    defines,
  );
  const top = { Values: { a: 1000000, b: "" } };
  assert.is(
    render(tree, { dot: top, root: top, scope: [new Map()], defines }),
    '<1e+06> a="1e+06" b="" none',
  );
  assert.throws(
    () => evaluate("sha256sum .", { dot: {}, root: {}, scope: [], defines }),
    /not in deploy.test.ts/,
  );
});

test.run();
