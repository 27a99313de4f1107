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
    [
      BASE.replace("epochs: 2", "epochs: two"),
      /^epochs: expected an integer ≥ 0 ≤ 1000000, got "two"$/,
    ],
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

Deno.test("the size of a sweep is computed without expanding it, and a sweep above the limit is refused first", async () => {
  const { checkTrialCount, gridPoint, iterateGrid, MAX_TRIALS, planGrid } = await import(
    "@plasticity/runner"
  );
  assert.equal(MAX_TRIALS, 100_000);
  const lrs = Array.from({ length: 1000 }, (_, i) => (i + 1) / 1e4);
  const stds = Array.from({ length: 1000 }, (_, i) => i / 1000);
  const seeds = Array.from({ length: 1000 }, (_, i) => i);
  const raw = {
    ...(parseYaml(BASE, "t.yaml") as Record<string, unknown>),
    seeds,
    grid: { "optimizer.lr": lrs, "rule.init_std": stds, "optimizer.momentum": [0, 0.5] },
  };
  const plan = planGrid(raw);
  assert.equal(plan.points, 1000 * 1000 * 2);
  assert.equal(plan.trials, 2e9);
  // The last key varies fastest: point 2·1000·3 + 2·5 + 1 is (lr[3], std[5], momentum[1]).
  assert.deepEqual(gridPoint(plan, 2 * 1000 * 3 + 2 * 5 + 1), {
    "optimizer.lr": lrs[3],
    "rule.init_std": stds[5],
    "optimizer.momentum": 0.5,
  });
  // Refused before any grid point is resolved: the dataset catalogue is never consulted.
  let lookups = 0;
  const counting = { datasetSchema: (n: string) => (lookups++, ctx.datasetSchema(n)) };
  const t0 = performance.now();
  assert.throws(
    () => expandGrid(raw, counting),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message ===
        "grid: 2000000000 trials (2000000 grid points × 1000 seeds); expected at most 100000: shrink the sweep, or allow it with --allow-large (option maxTrials)",
  );
  assert.equal(lookups, 0);
  assert.ok(performance.now() - t0 < 1000);
  assert.throws(
    () => checkTrialCount(planGrid({ seeds: [0, 1] }), 1),
    /^ConfigError: seeds: 2 trials \(1 grid point × 2 seeds\); expected at most 1/,
  );
  // Taken lazily, the first trials are the first point's seeds, then the next point.
  const it = iterateGrid(raw, counting);
  const first: { seed: number; lr: unknown; mom: unknown }[] = [];
  for (let i = 0; i < 1002; i++) {
    const t = it.next().value!;
    assert.equal(t.index, i);
    first.push({ seed: t.seed, lr: t.point["optimizer.lr"], mom: t.point["optimizer.momentum"] });
  }
  assert.deepEqual(first[0], { seed: 0, lr: lrs[0], mom: 0 });
  assert.deepEqual(first[999], { seed: 999, lr: lrs[0], mom: 0 });
  assert.deepEqual(first[1001], { seed: 1, lr: lrs[0], mom: 0.5 });
  assert.equal(lookups, 2);
  // Within the limit (or with maxTrials lifted) the sweep expands as before.
  const small = { ...raw, seeds: [0, 1], grid: { "optimizer.lr": lrs.slice(0, 3) } };
  assert.equal(expandGrid(small, ctx).length, 6);
  assert.throws(
    () => expandGrid(small, ctx, { maxTrials: 5 }),
    /6 trials \(3 grid points × 2 seeds\)/,
  );
  assert.equal(expandGrid(small, ctx, { maxTrials: Infinity }).length, 6);
});

Deno.test("counts that allocate or loop are bounded, naming the key and the maximum", async () => {
  const { CONFIG_LIMITS } = await import("@plasticity/runner");
  const cases: [string, RegExp][] = [
    [
      BASE.replace("epochs: 2", "epochs: 1e12"),
      /^epochs: expected an integer ≥ 0 ≤ 1000000, got 1000000000000$/,
    ],
    [
      BASE.replace("batch_size: 4", "batch_size: 1e9"),
      /^batch_size: expected an integer ≥ 1 ≤ 1000000, got 1000000000$/,
    ],
    [
      BASE + "metrics: { every: 1e7 }\n",
      /^metrics\.every: expected an integer ≥ 1 ≤ 1000000, got 10000000$/,
    ],
    [
      BASE + "metrics: { test_batch_size: 1e9 }\n",
      /^metrics\.test_batch_size: expected an integer ≥ 1 ≤ 1000000, got 1000000000$/,
    ],
    [
      BASE.replace("sizes: [1, 1]", "sizes: [1, 1000000000, 1]"),
      /^network\.sizes: expected a list of at least 2 integers ≥ 1 ≤ 100000, got \[1,1000000000,1\]$/,
    ],
    [
      // every layer within bounds, but 50000·50000 + 50000·1 weights
      BASE.replace("sizes: [1, 1]", "sizes: [1, 50000, 50000, 1]"),
      /^network\.sizes: \[1,50000,50000,1\] makes 2500100000 weights .*; expected at most 100000000$/,
    ],
    [
      BASE.replace("train_size: 20", "train_size: 1e10"),
      /^dataset\.train_size: expected an integer ≥ \d ≤ 1000000, got 10000000000$/,
    ],
    [
      BASE.replace(
        "{ name: sine, train_size: 20 }",
        "{ name: teacher-student, teacher_sizes: [1, 1000000000] }",
      ),
      /^dataset\.teacher_sizes: expected a list of numbers ≤ 100000, got \[1,1000000000\]$/,
    ],
    [
      BASE.replace(
        "{ name: sine, train_size: 20 }",
        "{ name: teacher-student, train_size: 1000000, teacher_sizes: [1000, 10] }",
      ),
      /^dataset: 1000480 samples of 1000 inputs and 10 outputs make 1010484800 values; expected at most 100000000$/,
    ],
    [
      BASE.replace(
        "seeds: [0, 1, 2]",
        `seeds: [${Array.from({ length: 10001 }, (_, i) => i).join(", ")}]`,
      ),
      /^seeds: expected at most 10000 seeds, got 10001$/,
    ],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => expandGrid(parseYaml(text, "t.yaml"), ctx), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.match(e.message, re);
      return true;
    });
  }
  // The limits themselves are allowed.
  const ok = BASE.replace("epochs: 2", `epochs: ${CONFIG_LIMITS.epochs}`)
    .replace("sizes: [1, 1]", `sizes: [1, ${CONFIG_LIMITS.layerSize}, 1]`)
    .replace("train_size: 20", `train_size: ${CONFIG_LIMITS.samples}`);
  assert.equal(expandGrid(parseYaml(ok, "t.yaml"), ctx).length, 3);
  // 10 000 distinct seeds are checked in linear time (duplicates still found).
  const many = Array.from({ length: 10000 }, (_, i) => i);
  assert.throws(
    () =>
      expandGrid(
        { ...(parseYaml(BASE, "t.yaml") as object), seeds: [...many, 9999].slice(1) },
        ctx,
      ),
    /^ConfigError: seeds: duplicate seed 9999; expected distinct seeds$/,
  );
});

Deno.test("experiment names must be safe folder names of at most 100 characters", () => {
  for (const bad of ["../escape", "a/b", ".", "-rf", "x".repeat(101), "Ü", "a b"]) {
    assert.throws(
      () => expandGrid(parseYaml(BASE.replace("name: lin-sine", `name: "${bad}"`), "t.yaml"), ctx),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.match(e.message, /^name: expected an experiment name of /);
        assert.ok(!e.message.includes("\n"));
        return true;
      },
      bad,
    );
  }
  assert.throws(
    () =>
      expandGrid(
        parseYaml(BASE.replace("name: lin-sine", `name: ${"x".repeat(101)}`), "t.yaml"),
        ctx,
      ),
    /^ConfigError: name: expected an experiment name of at most 100 characters .*got 101 characters/,
  );
  const [t] = expandGrid(
    parseYaml(BASE.replace("name: lin-sine", `name: ${"x".repeat(100)}`), "t.yaml"),
    ctx,
  );
  assert.equal(t!.config.name.length, 100);
});

Deno.test(".nan, .inf and overflowing numbers are named as YAML writes them", () => {
  const cases: [string, RegExp][] = [
    [BASE.replace("lr: 0.1", "lr: .nan"), /^optimizer\.lr: expected a number ≥ 0, got \.nan$/],
    [BASE.replace("lr: 0.1", "lr: .inf"), /^optimizer\.lr: expected a number ≥ 0, got \.inf$/],
    [BASE.replace("lr: 0.1", "lr: -.inf"), /^optimizer\.lr: expected a number ≥ 0, got -\.inf$/],
    [
      BASE.replace("sizes: [1, 1]", "sizes: [1, .nan]"),
      /^network\.sizes: expected a list of at least 2 integers ≥ 1 ≤ 100000, got \[1,\.nan\]$/,
    ],
    [
      BASE.replace("epochs: 2", "epochs: .inf"),
      /^epochs: expected an integer ≥ 0 ≤ 1000000, got \.inf$/,
    ],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => expandGrid(parseYaml(text, "t.yaml"), ctx), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.match(e.message, re);
      return true;
    });
  }
  // 1e400 does not fit a double: refused where it is written, not shown as .inf or null later.
  const text = BASE.replace("lr: 0.1", "lr: 1e400");
  const line = text.split("\n").findIndex((l) => l.includes("1e400")) + 1;
  const col = text.split("\n")[line - 1]!.indexOf("1e400") + 1;
  assert.throws(
    () => parseYaml(text, "t.yaml"),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message ===
        `t.yaml:${line}:${col}: optimizer.lr: 1e400 overflows to .inf; expected a number of magnitude below 1.8e308 (write .inf for infinity)`,
  );
  assert.throws(
    () => parseYaml("seeds: [1, -2e999]\n", "s.yaml"),
    /^ConfigError: s\.yaml:1:12: seeds\[1\]: -2e999 overflows to -\.inf/,
  );
  assert.throws(
    () => parseYaml("a: { b: 1e-400 }\n", "u.yaml"),
    /^ConfigError: u\.yaml:1:9: a\.b: 1e-400 underflows to 0/,
  );
  // Literal infinities, and numbers that fit, are data like any other.
  assert.deepEqual(parseYaml("a: [.inf, -.Inf, 0e5, 1.5e308, 0.0]\n", "ok.yaml"), {
    a: [Infinity, -Infinity, 0, 1.5e308, 0],
  });
});

Deno.test("a rule without hyper-parameters says so for an unknown key", () => {
  const bp = BASE.replace(
    "rule: { name: test-linear, init_std: 0.5 }",
    "rule: { name: bp, lr: 0.1 }",
  )
    .replace("sizes: [1, 1]", "sizes: [1, 4, 1]");
  assert.throws(
    () => expandGrid(parseYaml(bp, "t.yaml"), ctx),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message ===
        "rule.lr: unknown key (value 0.1); rule bp has no hyper-parameters (expected only name); set it as optimizer.lr",
  );
  // A rule with hyper-parameters lists them.
  assert.throws(
    () => expandGrid(parseYaml(BASE.replace("init_std: 0.5", "init_sd: 0.5"), "t.yaml"), ctx),
    /^ConfigError: rule\.init_sd: unknown key \(value 0\.5\); expected one of name, init_std, explode_after/,
  );
});

Deno.test("a YAML alias bomb is one line naming the file", () => {
  const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i), cur = String.fromCharCode(97 + i);
    levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(", ")}]`);
  }
  const t0 = performance.now();
  assert.throws(
    () => parseYaml(levels.join("\n") + "\n", "laughs.yaml"),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.match(
        e.message,
        /^laughs\.yaml: invalid YAML: aliases expand more than 100 times .*; expected at most 100 alias expansions$/,
      );
      assert.ok(!e.message.includes("\n"));
      return true;
    },
  );
  assert.ok(performance.now() - t0 < 2000);
  // A few aliases are fine.
  assert.deepEqual(parseYaml("a: &x [1, 2]\nb: *x\n", "ok.yaml"), { a: [1, 2], b: [1, 2] });
});

Deno.test("--backend that contradicts the config is a config error, not an override", async () => {
  const { expandTrials } = await import("@plasticity/runner");
  const raw = parseYaml(BASE, "t.yaml") as Record<string, unknown>;
  await assert.rejects(
    () => expandTrials({ ...raw, backend: "js" }, { backend: "blas" }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message === `--backend: "blas" conflicts with the config's backend "js"; drop one`,
  );
  await assert.rejects(
    () => expandTrials({ ...raw, grid: { backend: ["js", "blas"] } }, { backend: "js" }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message ===
        `--backend: "js" conflicts with the config's grid over backend ["js","blas"]; drop one`,
  );
  // Agreeing, or a config that leaves the choice open (auto, or no backend), is fine.
  for (const backend of ["js", "auto", undefined]) {
    const trials = await expandTrials({ ...raw, backend }, { backend: "js" });
    assert.deepEqual(trials.map((t) => t.config.backend), ["js", "js", "js"]);
  }
  const grid = await expandTrials({ ...raw, grid: { backend: ["js"] } }, { backend: "js" });
  assert.equal(grid.length, 3);
});
