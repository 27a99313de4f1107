// Every registered rule, built by name through the one learner interface, on the same data: the
// runner and the reproductions rely on these properties without special-casing any rule.
import assert from "node:assert/strict";
import {
  createLearner,
  createRng,
  getLearner,
  jsBackend as b,
  learnerNames,
  type LearnerOptions,
  resolveLearnerConfig,
  type Tensor,
} from "@plasticity/core";
import "@plasticity/runner/registry";

const RULES = learnerNames().filter((n) => !n.startsWith("test-"));

/** A fixed batch of 16 two-class points with ±-structured inputs in [0, 1]. */
function batch(): [Tensor, Tensor] {
  const rng = createRng(11), n = 16, x: number[] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = rng.next(), c = rng.next(), k = a > c ? 0 : 1;
    x.push(a, c, 1 - a, 1 - c);
    y.push(k === 0 ? 1 : 0, k === 1 ? 1 : 0);
  }
  return [b.fromArray(x, n, 4), b.fromArray(y, n, 2)];
}

/** Whether the rule trains only networks given by layers (it refuses a network of sizes). */
function layersOnly(rule: string): boolean {
  try {
    resolveLearnerConfig(getLearner(rule), { network: { sizes: [4, 10, 2] } });
    return false;
  } catch (e) {
    if (/network\.layers: missing/.test(String(e))) return true;
    throw e;
  }
}

function options(rule: string, seed: number): LearnerOptions {
  // Energy-based rules in the CorInfoMax family use a hard sigmoid on every layer, output included.
  const family = getLearner(rule).family;
  const bounded = family === "corinfomax" || family === "equilibrium-propagation";
  const activations = {
    activation: bounded ? "hardSigmoid" as const : "tanh" as const,
    "output_activation": bounded ? "hardSigmoid" as const : "identity" as const,
  };
  return {
    // The same four inputs as a 1 × 2 × 2 image for rules that train only layered networks.
    network: layersOnly(rule)
      ? {
        sizes: [4, 2],
        "input_shape": [1, 2, 2],
        layers: [
          { type: "conv" as const, out: 10, kernel: 2, stride: 1, padding: 0 },
          { type: "flatten" as const },
          { type: "dense" as const, out: 2 },
        ],
        ...activations,
      }
      : { sizes: [4, 10, 2], ...activations },
    ...(getLearner(rule).optimizer ? { optimizer: { name: "sgd" as const, lr: 0.05 } } : {}),
    // Averaged over the batch, so one learning rate suits every rule (PC defaults to a summed loss).
    loss: { kind: "mse", half: true, reduction: "mean" },
    backend: b,
    seed,
  };
}

Deno.test("every rule package registers its learners", () => {
  for (
    const r of [
      "bp",
      "fa",
      "dfa",
      "kp",
      "pc",
      "pc-bp",
      "pc-nudge",
      "ep",
      "csm",
      "corinfomax",
      "corinfomax-sparse",
    ]
  ) {
    assert.ok(RULES.includes(r), `rule ${r} is not registered`);
  }
});

for (const rule of RULES) {
  Deno.test(`${rule}: same seed gives identical steps, and the checkpoint round-trips`, () => {
    const [x, y] = batch();
    const a = createLearner(rule, options(rule, 3)), c = createLearner(rule, options(rule, 3));
    for (let i = 0; i < 5; i++) {
      const la = a.trainBatch(x, y).loss, lc = c.trainBatch(x, y).loss;
      assert.ok(Number.isFinite(la), `${rule} step ${i}: loss ${la}`);
      assert.equal(la, lc);
    }
    const out = b.read(a.predict(x));
    assert.equal(out.length, 16 * 2);
    // A learner built with another seed and given the checkpoint predicts exactly the same.
    const d = createLearner(rule, options(rule, 99));
    d.importWeights(JSON.parse(JSON.stringify(a.exportWeights())));
    assert.deepEqual(b.read(d.predict(x)), out);
    for (const [k, v] of Object.entries(a.diagnostics(x, y))) {
      assert.equal(typeof v, "number", `${rule} diagnostic ${k}`);
    }
    a.dispose();
    c.dispose();
    d.dispose();
  });
}

for (const rule of RULES) {
  Deno.test(`${rule}: repeated steps on one batch lower its loss`, () => {
    const [x, y] = batch();
    const l = createLearner(rule, options(rule, 5));
    const first = l.trainBatch(x, y).loss;
    let last = first;
    for (let i = 0; i < 300; i++) last = l.trainBatch(x, y).loss;
    assert.ok(last < first, `${rule}: loss went from ${first} to ${last}`);
    l.dispose();
  });
}

Deno.test("a runner config without output_activation gives EP and CorInfoMax their hard-sigmoid output", async () => {
  const { resolveConfig } = await import("@plasticity/runner");
  const { datasetSchema } = await import("@plasticity/datasets");
  const [x] = batch();
  for (const rule of ["ep", "corinfomax"]) {
    const cfg = resolveConfig({
      name: "t",
      dataset: { name: "sine" },
      network: { sizes: [4, 10, 2], activation: "hardSigmoid" },
      rule: { name: rule },
      epochs: 1,
    }, { datasetSchema });
    assert.ok(cfg.kind === "learner");
    if (cfg.kind !== "learner") return;
    // The resolved config's sections are core's types: no conversion between them.
    const l = createLearner(rule, { network: cfg.network, backend: b, seed: 0 });
    for (const v of b.read(l.predict(b.scale(x, 50)))) {
      assert.ok(v >= 0 && v <= 1, `${rule} output ${v}`);
    }
  }
});

Deno.test("rules with their own rates refuse an optimizer; the others resolve it once with core's defaults", () => {
  const own = RULES.filter((r) => !getLearner(r).optimizer).sort();
  assert.deepEqual(own, ["corinfomax", "corinfomax-sparse", "csm", "ep"]);
  const network = { sizes: [4, 10, 2], activation: "hardSigmoid" as const };
  for (const rule of own) {
    assert.throws(
      () => createLearner(rule, { network, optimizer: { lr: 0.1 }, backend: b, seed: 0 }),
      new RegExp(`^SchemaError: optimizer: not used by rule ${rule} \\(value \\{"lr":0.1\\}\\)`),
    );
  }
  for (const rule of RULES.filter((r) => getLearner(r).optimizer)) {
    const r = resolveLearnerConfig(getLearner(rule), { network: options(rule, 0).network });
    assert.deepEqual(r.optimizer, { name: "sgd", lr: 0.01, momentum: 0, "weight_decay": 0 }, rule);
  }
});

Deno.test("a runner config and createLearner resolve a rule's settings the same way, defaults included", async () => {
  const { resolveConfig } = await import("@plasticity/runner");
  const { datasetSchema } = await import("@plasticity/datasets");
  for (const variant of ["song", "whittington-bogacz"]) {
    const cfg = resolveConfig({
      name: "t",
      dataset: { name: "sine" },
      network: { sizes: [1, 4, 1] },
      rule: { name: "pc", variant },
      epochs: 1,
    }, { datasetSchema });
    assert.ok(cfg.kind === "learner");
    if (cfg.kind !== "learner") return;
    const { name: _, ...hyper } = cfg.rule;
    const direct = resolveLearnerConfig(getLearner("pc"), {
      network: { sizes: [1, 4, 1] },
      hyper: { variant },
    });
    assert.deepEqual(hyper, direct.hyper);
    assert.deepEqual(cfg.loss, direct.loss);
    // The Whittington–Bogacz variant's own defaults (T = 51, no decay) reach the runner too.
    assert.equal(hyper.T, variant === "song" ? 128 : 51);
    assert.equal(hyper.decay, variant === "song" ? 0.5 : 1);
    // PC's default loss is the paper's summed squared error, by either path.
    assert.deepEqual(cfg.loss, { kind: "mse", half: true, reduction: "sum" });
  }
});

Deno.test("PC's checks across keys fail the config, not the trial", async () => {
  const { resolveConfig } = await import("@plasticity/runner");
  const { datasetSchema } = await import("@plasticity/datasets");
  const base = { name: "t", dataset: { name: "sine" }, network: { sizes: [1, 4, 1] }, epochs: 1 };
  assert.throws(
    () => resolveConfig({ ...base, rule: { name: "pc", target_range: [0.1] } }, { datasetSchema }),
    /^ConfigError: rule\.target_range: expected \[\] or two numbers \[lo, hi\], got \[0\.1\]$/,
  );
  assert.throws(
    () => resolveConfig({ ...base, rule: { name: "pc-nudge", nudge: 0 } }, { datasetSchema }),
    /^ConfigError: rule\.nudge: expected a non-zero number, got 0$/,
  );
});
