// Offline checks of deploy/k8s (issue 17): every kustomization renders with `kubectl
// kustomize`, every rendered object validates against the Kubernetes 1.33 schemas of
// kubernetes-models 4.5.1 (the ServiceMonitor against @kubernetes-models/prometheus-operator),
// and the rendered overlays keep what the service needs: probes on routes the service really
// registers, SSE unbuffered through ingress-nginx, selectors that select the Deployment's pods,
// secrets only in Secrets, a locked-down pod, a shutdown that fits the grace period.
//
//   node --test manifests.test.mjs       (tests/k8s/run.sh installs the packages first)
// KUBECTL names the client (default: kubectl on PATH).
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import test from "node:test";
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const k8sDir = process.env.GS_K8S_DIR || join(repo, "deploy", "k8s");
const kubectl = process.env.KUBECTL || "kubectl";

// ------------------------------------------------------------------ what the service is
function sourceFiles(dir) {
    const out = [];
    for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
        else if (name.endsWith(".cpp")) out.push(path);
    }
    return out;
}
// Every GET route the service registers: router.add(verb::get, "/path", ...).
const getRoutes = new Set();
for (const file of sourceFiles(join(repo, "src"))) {
    for (const m of readFileSync(file, "utf8").matchAll(/router\.add\(\s*verb::get,\s*"([^"]+)"/g)) {
        getRoutes.add(m[1]);
    }
}
// Every GS_* variable the service reads (options.cpp's table, plus the environment-only ones).
const optionsSrc = readFileSync(join(repo, "src", "config", "options.cpp"), "utf8");
const knownGsVars = new Set([...optionsSrc.matchAll(/"(GS_[A-Z0-9_]+)"/g)].map((m) => m[1]));
const dockerfile = readFileSync(join(repo, "docker", "Dockerfile"), "utf8");
const imagePort = Number(/GS_PORT=(\d+)/.exec(dockerfile)[1]);
const imageUid = Number(/USER (\d+):\d+/.exec(dockerfile)[1]);
// libpq's environment variables a ConfigMap may carry (none of them a secret).
const libpqVars = new Set(["PGSSLMODE", "PGSSLROOTCERT", "PGCONNECT_TIMEOUT", "PGAPPNAME",
    "PGTARGETSESSIONATTRS", "PGOPTIONS"]);
const secretEnv = ["GS_API_TOKEN", "GS_READ_TOKEN", "PGPASSWORD"];

// ------------------------------------------------------------------ rendering
function render(dir) {
    const text = execFileSync(kubectl, ["kustomize", join(k8sDir, dir)], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
    });
    const objects = [];
    for (const doc of parseAllDocuments(text)) {
        if (doc.errors.length) throw new Error(`${dir}: ${doc.errors[0].message}`);
        const obj = doc.toJS();
        if (obj) objects.push(obj);
    }
    return objects;
}

const kustomizations = ["base", "overlays/dev", "overlays/prod", "monitoring"];
const overlays = ["overlays/dev", "overlays/prod"];
const rendered = {};

test(`kubectl client: ${execFileSync(kubectl, ["version", "--client"], { encoding: "utf8" })
    .split("\n")[0].trim()}`, () => {});

for (const dir of kustomizations) {
    test(`${dir}: renders`, () => {
        rendered[dir] = render(dir);
        assert.ok(rendered[dir].length > 0, "no objects");
    });
}

// ------------------------------------------------------------------ schema validation
async function modelClass(apiVersion, kind) {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
    const module = group === "monitoring.coreos.com"
        ? `@kubernetes-models/prometheus-operator/${group}/${version}`
        : group === "" ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`;
    let models;
    try {
        models = await import(module);
    } catch {
        return undefined;
    }
    return models[kind];
}

for (const dir of kustomizations) {
    test(`${dir}: every object validates against the Kubernetes 1.33 schemas`, async () => {
        const objects = rendered[dir] ?? render(dir);
        for (const obj of objects) {
            const what = `${obj.kind}/${obj.metadata?.name}`;
            const Model = await modelClass(obj.apiVersion, obj.kind);
            assert.ok(Model, `${what}: no schema for ${obj.apiVersion} ${obj.kind}`);
            assert.doesNotThrow(() => new Model(obj).validate(), what);
        }
    });
}

// ------------------------------------------------------------------ properties
const one = (objects, kind, name) => {
    const found = objects.filter((o) => o.kind === kind && (!name || o.metadata.name === name));
    assert.equal(found.length, 1, `expected one ${kind}${name ? " " + name : ""}`);
    return found[0];
};
const all = (objects, kind) => objects.filter((o) => o.kind === kind);
// A label selector (matchLabels only: the manifests use no expressions) selects labels.
const selects = (selector, labels) => {
    assert.ok(selector && Object.keys(selector).length > 0, "empty selector selects everything");
    assert.equal(selector.matchExpressions, undefined, "matchExpressions not supported here");
    const wanted = selector.matchLabels ?? selector;
    return Object.entries(wanted).every(([k, v]) => labels?.[k] === v);
};
const cpuCores = (q) => (String(q).endsWith("m") ? Number(String(q).slice(0, -1)) / 1000 : Number(q));
const mebibytes = (q) => {
    const m = /^(\d+)(Mi|Gi)$/.exec(String(q));
    assert.ok(m, `memory quantity ${q} not in Mi or Gi`);
    return Number(m[1]) * (m[2] === "Gi" ? 1024 : 1);
};

for (const dir of overlays) {
    const objs = () => rendered[dir] ?? (rendered[dir] = render(dir));
    const deployment = () => one(objs(), "Deployment", "goldensignals");
    const pod = () => deployment().spec.template.spec;
    const container = () => {
        assert.equal(pod().containers.length, 1);
        return pod().containers[0];
    };
    const config = () => {
        const ref = container().envFrom.find((e) => e.configMapRef).configMapRef.name;
        return one(objs(), "ConfigMap", ref).data;
    };
    // The setting the binary sees: the ConfigMap's, else the image's default.
    const setting = (name, fallback) => Number(config()[name] ?? fallback);

    test(`${dir}: probes point at the service's real routes and port`, () => {
        const c = container();
        assert.ok(getRoutes.has("/healthz") && getRoutes.has("/readyz"), "routes not found in src/");
        assert.equal(c.livenessProbe?.httpGet?.path, "/healthz");
        assert.equal(c.readinessProbe?.httpGet?.path, "/readyz");
        assert.ok(c.startupProbe?.httpGet, "no startup probe");
        const port = c.ports.find((p) => p.name === "http");
        assert.equal(port?.containerPort, imagePort, "container port is not the image's GS_PORT");
        assert.equal(config().GS_PORT, undefined, "GS_PORT is fixed by the image");
        for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
            assert.ok(getRoutes.has(probe.httpGet.path), `${probe.httpGet.path} is no GET route`);
            assert.ok([port.name, port.containerPort].includes(probe.httpGet.port),
                `probe port ${probe.httpGet.port}`);
        }
        // Startup covers the migrations, the bars' load and the 30 s wait for PostgreSQL.
        const sp = c.startupProbe;
        assert.ok(sp.periodSeconds * sp.failureThreshold >= 60, "startup probe allows < 60 s");
    });

    test(`${dir}: the Ingress keeps SSE unbuffered with long timeouts`, () => {
        const service = one(objs(), "Service", "goldensignals");
        const heartbeatS = setting("GS_HEARTBEAT_MS", 15000) / 1000;
        let streamPaths = 0;
        for (const ing of all(objs(), "Ingress")) {
            assert.equal(ing.spec.ingressClassName, "nginx", `${ing.metadata.name}: class`);
            const a = ing.metadata.annotations ?? {};
            for (const rule of ing.spec.rules) {
                for (const p of rule.http.paths) {
                    const backend = p.backend.service;
                    assert.equal(backend.name, service.metadata.name, "backend is not the Service");
                    assert.ok(service.spec.ports.some((sp) => sp.name === backend.port.name ||
                        sp.port === backend.port.number), `backend port ${JSON.stringify(backend.port)}`);
                    if (p.path === "/v1/stream" || (p.path.startsWith("/v1/stream") && p.pathType === "Prefix")) {
                        streamPaths++;
                        assert.equal(a["nginx.ingress.kubernetes.io/proxy-buffering"], "off",
                            `${ing.metadata.name}: SSE buffered`);
                        for (const t of ["proxy-read-timeout", "proxy-send-timeout"]) {
                            const v = Number(a[`nginx.ingress.kubernetes.io/${t}`]);
                            assert.ok(v >= 40 * heartbeatS, `${ing.metadata.name}: ${t} ${v} s`);
                        }
                    }
                }
            }
        }
        assert.equal(streamPaths >= 1, true, "no Ingress path for /v1/stream");
        // One host for both Ingresses (ingress-nginx merges them into one server), covered by
        // the TLS section where there is one.
        const hosts = new Set(all(objs(), "Ingress").flatMap((i) => i.spec.rules.map((r) => r.host)));
        assert.equal(hosts.size, 1, `hosts ${[...hosts]}`);
        for (const ing of all(objs(), "Ingress")) {
            for (const tls of ing.spec.tls ?? []) {
                assert.ok([...hosts].every((h) => tls.hosts.includes(h)), `${ing.metadata.name}: TLS hosts`);
            }
        }
        // Bodies up to the service's own largest limit (10 MiB) reach it.
        const main = one(objs(), "Ingress", "goldensignals");
        const body = main.metadata.annotations["nginx.ingress.kubernetes.io/proxy-body-size"];
        assert.ok(/^\d+m$/.test(body) && parseInt(body, 10) > 10, `proxy-body-size ${body}`);
    });

    test(`${dir}: Service, HPA, PDB and NetworkPolicy select the Deployment's pods`, () => {
        const d = deployment();
        const labels = d.spec.template.metadata.labels;
        assert.ok(selects(d.spec.selector, labels), "Deployment selector misses its own pods");
        assert.ok(selects(one(objs(), "Service", "goldensignals").spec.selector, labels), "Service");
        assert.ok(selects(one(objs(), "PodDisruptionBudget").spec.selector, labels), "PDB");
        assert.ok(selects(one(objs(), "NetworkPolicy", "goldensignals").spec.podSelector, labels),
            "NetworkPolicy");
        const hpa = one(objs(), "HorizontalPodAutoscaler");
        assert.deepEqual(
            [hpa.spec.scaleTargetRef.apiVersion, hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name],
            [d.apiVersion, d.kind, d.metadata.name], "HPA target");
        assert.equal(d.spec.replicas, undefined, "spec.replicas would fight the HPA on every apply");
        assert.ok(hpa.spec.metrics.some((m) => m.resource?.name === "cpu"), "HPA not on CPU");
        // The PDB must let a drain proceed at the HPA's smallest size.
        const pdb = one(objs(), "PodDisruptionBudget").spec;
        if (pdb.minAvailable !== undefined) {
            assert.ok(pdb.minAvailable < hpa.spec.minReplicas, "PDB blocks every eviction");
        } else {
            assert.ok(pdb.maxUnavailable >= 1, "PDB blocks every eviction");
        }
        // PostgreSQL connections at the largest size plus a surge pod stay under the default
        // max_connections (100) the docs tell the operator to check.
        const surge = d.spec.strategy.rollingUpdate.maxSurge;
        assert.ok((hpa.spec.maxReplicas + surge) * setting("GS_PG_POOL", 4) <= 90,
            "maxReplicas x GS_PG_POOL exceeds PostgreSQL's connections");
    });

    test(`${dir}: secrets come from a Secret only, never a ConfigMap or a URL`, () => {
        const c = container();
        for (const name of secretEnv) {
            const env = c.env.find((e) => e.name === name);
            assert.ok(env?.valueFrom?.secretKeyRef, `${name} not from a Secret`);
            assert.equal(env.value, undefined, `${name} has a literal value`);
        }
        for (const each of [...(pod().initContainers ?? []), ...pod().containers]) {
            for (const env of each.env ?? []) {
                if (env.value !== undefined) {
                    assert.ok(!/TOKEN|PASSWORD|SECRET|PASSFILE/i.test(env.name), `${env.name} literal`);
                }
            }
            assert.ok(!(each.args ?? []).some((a) => /:\/\/[^/@\s]*:[^/@\s]*@|password=/i.test(a)),
                `${each.name}: a password in its arguments`);
        }
        const secretValues = [];
        for (const s of all(objs(), "Secret")) {
            for (const v of Object.values(s.data ?? {})) secretValues.push(Buffer.from(v, "base64").toString());
            for (const v of Object.values(s.stringData ?? {})) secretValues.push(String(v));
        }
        for (const cm of all(objs(), "ConfigMap")) {
            for (const [key, value] of Object.entries(cm.data ?? {})) {
                assert.ok(!/TOKEN|PASSWORD|SECRET|PASSFILE/i.test(key), `${cm.metadata.name}: key ${key}`);
                assert.ok(!/:\/\/[^/@\s]*:[^/@\s]*@/.test(value), `${key}: a password in a URL`);
                assert.ok(!/password=/i.test(value), `${key}: a password in a connection string`);
                for (const sv of secretValues) {
                    assert.ok(sv.length < 4 || !value.includes(sv), `${key} holds a secret's value`);
                }
                // A typo in a variable name would be ignored silently by the binary.
                if (key.startsWith("GS_")) assert.ok(knownGsVars.has(key), `${key} is no option`);
                else assert.ok(libpqVars.has(key), `${key}: neither GS_* nor a libpq setting`);
            }
        }
        // Required keys exist where the overlay makes the Secret; prod's lives outside git.
        const refs = c.env.filter((e) => e.valueFrom?.secretKeyRef).map((e) => e.valueFrom.secretKeyRef);
        const names = new Set(refs.map((r) => r.name));
        assert.equal(names.size, 1, "one Secret for the pod");
        const secret = all(objs(), "Secret").find((s) => names.has(s.metadata.name));
        if (dir === "overlays/prod") {
            assert.equal(all(objs(), "Secret").length, 0, "prod renders a Secret: it would be in git");
        } else {
            assert.ok(secret, "dev Secret missing");
            for (const r of refs.filter((r) => !r.optional)) {
                assert.ok(r.key in (secret.data ?? {}), `Secret lacks ${r.key}`);
            }
        }
        assert.ok(config().GS_DATABASE_URL && config().GS_REDIS_URL, "external stores not set");
    });

    test(`${dir}: migrations run once per pod, before the server, in an init container`, () => {
        const c = container();
        const init = pod().initContainers ?? [];
        assert.equal(init.length, 1, "one init container");
        const m = init[0];
        assert.deepEqual(m.args, ["--migrate-only"]);
        assert.ok(optionsSrc.includes('"migrate-only"'), "the binary has no --migrate-only");
        assert.equal(m.image, c.image, "the init container runs another image than the server");
        assert.deepEqual(m.envFrom, c.envFrom, "the init container reads other settings");
        const pg = m.env.find((e) => e.name === "PGPASSWORD");
        assert.deepEqual(pg?.valueFrom, c.env.find((e) => e.name === "PGPASSWORD").valueFrom);
        assert.equal(m.securityContext.readOnlyRootFilesystem, true);
        assert.equal(m.securityContext.allowPrivilegeEscalation, false);
        assert.deepEqual(m.securityContext.capabilities.drop, ["ALL"]);
        assert.ok(m.resources?.limits?.memory, "init container without a memory limit");
    });

    test(`${dir}: the pod runs non-root with a read-only root file system`, () => {
        const p = pod();
        const c = container();
        assert.equal(p.securityContext.runAsNonRoot, true);
        assert.ok(p.securityContext.runAsUser > 0 && p.securityContext.runAsUser === imageUid,
            "runAsUser is not the image's user");
        assert.equal(p.automountServiceAccountToken, false);
        assert.equal(c.securityContext.readOnlyRootFilesystem, true);
        assert.equal(c.securityContext.allowPrivilegeEscalation, false);
        assert.deepEqual(c.securityContext.capabilities.drop, ["ALL"]);
        assert.equal(c.securityContext.capabilities.add, undefined);
        const tmp = c.volumeMounts.find((m) => m.mountPath === "/tmp");
        assert.ok(p.volumes.find((v) => v.name === tmp?.name)?.emptyDir, "/tmp is no emptyDir");
    });

    test(`${dir}: shutdown fits the grace period and a rollout keeps capacity`, () => {
        const c = container();
        const cmd = c.lifecycle?.preStop?.exec?.command ?? [];
        assert.equal(cmd[0], "/bin/sleep", "no preStop pause");
        const pauseS = Number(cmd[1]);
        const graceS = setting("GS_SHUTDOWN_GRACE_MS", 10000) / 1000;
        // + 5 s: the signal writer's drain when the components stop.
        assert.ok(pod().terminationGracePeriodSeconds >= pauseS + graceS + 5,
            `terminationGracePeriodSeconds ${pod().terminationGracePeriodSeconds} < ${pauseS} + ${graceS} + 5`);
        assert.ok(pauseS >= 5, "preStop pause too short for the endpoints to update");
        assert.equal(deployment().spec.strategy.rollingUpdate.maxUnavailable, 0);
    });

    test(`${dir}: resources are set and the thread counts match the CPU limit`, () => {
        const r = container().resources;
        for (const k of ["cpu", "memory"]) {
            assert.ok(r.requests?.[k] && r.limits?.[k], `${k} request and limit`);
        }
        assert.ok(mebibytes(r.limits.memory) >= setting("GS_L1_CACHE_MB", 256) + 128,
            "memory limit leaves no room beyond the L1 cache");
        assert.ok(mebibytes(r.requests.memory) <= mebibytes(r.limits.memory));
        const limit = Math.ceil(cpuCores(r.limits.cpu));
        for (const k of ["GS_THREADS", "GS_COMPUTE_THREADS"]) {
            const n = setting(k, 0);
            assert.ok(n >= 1 && n <= limit, `${k}=${n}: 0 counts the node's CPUs, not the limit ${limit}`);
        }
    });

    test(`${dir}: NetworkPolicy lets in ingress-nginx only, lets out DNS, Redis and PostgreSQL only`, () => {
        const np = one(objs(), "NetworkPolicy", "goldensignals").spec;
        assert.deepEqual([...np.policyTypes].sort(), ["Egress", "Ingress"]);
        for (const rule of np.ingress) {
            assert.ok(rule.from?.length, "ingress rule open to all");
            for (const peer of rule.from) {
                assert.equal(peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"],
                    "ingress-nginx");
                assert.ok(peer.podSelector, "every pod of the ingress namespace");
            }
        }
        const allowed = new Set([53, 6379, 5432]);
        for (const rule of np.egress) {
            assert.ok(rule.ports?.length, "egress to every port");
            for (const p of rule.ports) assert.ok(allowed.has(p.port), `egress port ${p.port}`);
            // The overlays name the destinations; the base's port-only rules stay there.
            assert.ok(rule.to?.length, `egress to port ${rule.ports[0].port} open to every address`);
        }
    });
}

test("monitoring: the ServiceMonitor scrapes /metrics on the Service's port", () => {
    const objs = rendered["monitoring"] ?? render("monitoring");
    const sm = one(objs, "ServiceMonitor");
    const service = one(rendered["overlays/prod"] ?? render("overlays/prod"), "Service", "goldensignals");
    assert.ok(selects(sm.spec.selector, service.metadata.labels), "selects no Service");
    for (const ep of sm.spec.endpoints) {
        assert.ok(service.spec.ports.some((p) => p.name === ep.port), `port ${ep.port}`);
        assert.ok(getRoutes.has(ep.path), `${ep.path} is no GET route`);
    }
});
