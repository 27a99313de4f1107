import assert from "node:assert/strict";
import { ConfigError, DATASETS, expandGrid, parseYaml, trialId } from "@plasticity/runner";
import "./_fixtures.ts";

const ctx = DATASETS;

const BASE = `
name: lin-sine
dataset: { name: sine, train_size: 20 }
network: { sizes: [1, 1] }
rule: { name: test-linear, init_std: 0.5 }
optimizer: { name: sgd, lr: 0.1 }
epochs: 2
batch_size: 4
seeds: [0, 1, 2]
`;

Deno.test("grid × seeds gives the Cartesian product, last key fastest, seeds innermost", () => {
  const raw = parseYaml(
    BASE + `grid: { "optimizer.lr": [0.01, 0.1], "rule.init_std": [0.1, 0.2, 0.3] }\n`,
    "t.yaml",
  );
  const trials = expandGrid(raw, ctx);
  assert.equal(trials.length, 2 * 3 * 3);
  assert.equal(new Set(trials.map((t) => t.id)).size, 18);
  const t7 = trials[7]!; // combination 2 (lr 0.01, std 0.3), seed 1
  assert.deepEqual(t7.point, { "optimizer.lr": 0.01, "rule.init_std": 0.3 });
  assert.equal(t7.seed, 1);
  assert.equal(t7.config.seed, 1);
  assert.ok(t7.config.kind === "learner");
  if (t7.config.kind !== "learner") return;
  assert.equal(t7.config.optimizer?.lr, 0.01);
  assert.equal(t7.config.rule.init_std, 0.3);
  // defaults are filled and the grid and seeds are gone
  assert.equal(t7.config.rule.explode_after, -1);
  assert.equal(t7.config.optimizer?.momentum, 0);
  assert.deepEqual(t7.config.loss, { kind: "mse", half: true, reduction: "mean" });
  // An omitted output activation stays omitted, so each rule applies its own reference default.
  assert.ok(!("output_activation" in t7.config.network));
  assert.equal(t7.config.backend, "auto");
  assert.ok(!("grid" in t7.config) && !("seeds" in t7.config));
  assert.equal(t7.id, trialId(t7.config));
});

Deno.test("a trial's id depends only on its resolved content", () => {
  const a = expandGrid(parseYaml(BASE, "a.yaml"), ctx);
  // the same settings written differently (defaults spelled out, other key order, shorthands)
  const b = expandGrid(
    parseYaml(
      `seeds: [0, 1, 2]
batch_size: 4
epochs: 2
optimizer: { lr: 0.1, momentum: 0, weight_decay: 0 }
rule: { init_std: 0.5, name: test-linear }
network: { sizes: [1, 1], bias: true }
dataset: { name: sine, train_size: 20 }
loss: mse
name: lin-sine
`,
      "b.yaml",
    ),
    ctx,
  );
  assert.deepEqual(a.map((t) => t.id), b.map((t) => t.id));
});

Deno.test("grid values are validated like base values, naming the grid point", () => {
  assert.throws(
    () => expandGrid(parseYaml(BASE + `grid: { "optimizer.lr": [0.1, "fast"] }\n`, "t.yaml"), ctx),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message ===
        'optimizer.lr: expected a number ≥ 0, got "fast" (grid point optimizer.lr="fast")',
  );
  assert.throws(
    () =>
      expandGrid(parseYaml(BASE + `grid: { "rule.name": [test-linear, nope] }\n`, "t.yaml"), ctx),
    /^ConfigError: rule\.name: Unknown rule "nope": expected one of .*\(grid point rule\.name="nope"\)$/,
  );
  assert.throws(
    () => expandGrid(parseYaml(BASE + `grid: { "seeds": [[1]] }\n`, "t.yaml"), ctx),
    /grid\.seeds: unknown key path/,
  );
  assert.throws(
    () => expandGrid(parseYaml(BASE + `grid: { "optimizer.lr": [] }\n`, "t.yaml"), ctx),
    /grid\.optimizer\.lr: expected a non-empty list of values, got \[\]/,
  );
});

Deno.test("config errors are one line naming the path, the value and what was expected", () => {
  const cases: [string, RegExp][] = [
    [BASE.replace("epochs: 2", "epochs: two"), /^epochs: expected an integer ≥ 0, got "two"$/],
    [BASE + "colour: red\n", /^colour: unknown key \(value "red"\); expected one of name, kind/],
    [
      BASE.replace("sizes: [1, 1]", "sizes: [1, 1], width: 3"),
      /^network\.width: unknown key \(value 3\)/,
    ],
    [
      BASE.replace("name: sine", "name: sin"),
      /^dataset\.name: Unknown dataset "sin": expected one of .*sine/,
    ],
    [
      BASE.replace("init_std: 0.5", "init_std: -1"),
      /^rule\.init_std: expected a number ≥ 0, got -1$/,
    ],
    [BASE.replace("seeds: [0, 1, 2]", "seeds: [0, 0]"), /^seeds: duplicate seed 0/],
    [BASE.replace("name: lin-sine", "name: Lin Sine"), /^name: expected an experiment name/],
    [
      BASE + "loss: { kind: ce, reduction: meanElements }\n",
      /^loss\.reduction: expected one of mean, sum, got "meanElements"$/,
    ],
    [
      BASE.replace(
        "network: { sizes: [1, 1] }",
        "network: { sizes: [1, 1], init: { kind: varianceScaling, std: 1 } }",
      ),
      /^network\.init\.std: unknown key/,
    ],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => expandGrid(parseYaml(text, "t.yaml"), ctx), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.match(e.message, re);
      assert.ok(!e.message.includes("\n"));
      return true;
    });
  }
});

Deno.test("meanElements (mse) and varianceScaling resolve with their defaults", () => {
  const [t] = expandGrid(
    parseYaml(
      BASE.replace(
        "network: { sizes: [1, 1] }",
        "network: { sizes: [1, 1], init: varianceScaling }",
      ) +
        "loss: { kind: mse, reduction: meanElements }\n",
      "t.yaml",
    ),
    ctx,
  );
  assert.ok(t!.config.kind === "learner");
  if (t!.config.kind !== "learner") return;
  assert.deepEqual(t!.config.loss, { kind: "mse", half: true, reduction: "meanElements" });
  assert.deepEqual(t!.config.network.init, { kind: "varianceScaling", scale: 1 });
});

Deno.test("YAML that is not plain data is rejected in one line", () => {
  assert.throws(
    () => parseYaml("a: [1, 2\n", "bad.yaml"),
    /^ConfigError: bad\.yaml:\d+:\d+: invalid YAML: /,
  );
  assert.throws(
    () => parseYaml("a: 1\na: 2\n", "dup.yaml"),
    /invalid YAML: Map keys must be unique/,
  );
  assert.throws(() => parseYaml("a: !!js/function 'x'\n", "code.yaml"), /invalid YAML/);
});

Deno.test("simulation configs validate their params with the simulation", () => {
  const trials = expandGrid(
    parseYaml(
      `name: decay
kind: simulation
simulation: { name: test-decay, params: { tau: 2 } }
grid: { "simulation.params.x0": [1, 3] }
`,
      "s.yaml",
    ),
    ctx,
  );
  assert.equal(trials.length, 2);
  assert.throws(
    () =>
      expandGrid(
        {
          name: "decay",
          kind: "simulation",
          simulation: { name: "test-decay", params: { tau: "x" } },
        },
        ctx,
      ),
    /^ConfigError: simulation\.params\.tau: expected a number > 0, got "x"$/,
  );
  assert.throws(
    () =>
      expandGrid({ name: "decay", kind: "simulation", simulation: "test-decay", epochs: 3 }, ctx),
    /^ConfigError: epochs: not used by kind simulation/,
  );
});

Deno.test("a backend from --backend is validated once, by the config schema, and named by its source", async () => {
  const { expandTrials } = await import("@plasticity/runner");
  const raw = parseYaml(BASE, "t.yaml") as Record<string, unknown>;
  await assert.rejects(
    () => expandTrials(raw, { backend: "gpu" }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /^--backend: expected one of auto, js, blas, .*, got "gpu"$/);
      return true;
    },
  );
  const [t] = await expandTrials(raw, { backend: "js" });
  assert.equal(t!.config.backend, "js");
});
