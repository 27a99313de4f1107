import assert from "node:assert/strict";
import {
  createLearner,
  createRng,
  getLearner,
  jsBackend as b,
  type LearnerOptions,
  selectBackend,
} from "@plasticity/core";
import "./learners.ts";

function options(
  hyper: Record<string, unknown>,
  extra: Partial<LearnerOptions> = {},
): LearnerOptions {
  return {
    network: { sizes: [4, 6, 6, 3], activation: "tanh", bias: true },
    hyper,
    optimizer: { name: "sgd", lr: 0.05 },
    loss: { kind: "mse", half: true, reduction: "sum" },
    backend: b,
    seed: 0,
    ...extra,
  };
}

const rng = createRng(3);
const X = b.random(8, 4, () => rng.normal()), Y = b.random(8, 3, () => rng.normal());

Deno.test("pc, pc-bp and pc-nudge are registered in the predictive-coding family", () => {
  for (const name of ["pc", "pc-bp", "pc-nudge"]) {
    assert.equal(getLearner(name).family, "predictive-coding");
  }
  assert.ok("T" in getLearner("pc").hyper && "update_p_at" in getLearner("pc").hyper);
  assert.ok(!("T" in getLearner("pc-bp").hyper));
  assert.ok(
    "nudge" in getLearner("pc-nudge").hyper && "random_sign" in getLearner("pc-nudge").hyper,
  );
});

Deno.test("each learner lowers its training loss on a fixed batch", () => {
  for (
    const [name, hyper] of [["pc", { T: 16 }], ["pc-bp", {}], ["pc-nudge", {
      T: 20,
      nudge: 0.01,
    }]] as const
  ) {
    const learner = createLearner(
      name,
      options(hyper, name === "pc-nudge" ? { optimizer: { name: "sgd", lr: 0.0005 } } : {}),
    );
    const first = learner.trainBatch(X, Y).loss;
    let last = first;
    for (let k = 0; k < 30; k++) last = learner.trainBatch(X, Y).loss;
    assert.ok(last < 0.8 * first, `${name}: ${first} → ${last}`);
    learner.dispose();
  }
});

Deno.test("trainBatch reports the energy trace ends; diagnostics report it per step and the one-step measures", () => {
  const learner = createLearner("pc", options({ T: 12, diag_rows: 4 }));
  const stats = learner.trainBatch(X, Y);
  assert.equal(stats.energy_first, stats.loss); // reduction sum: F₀ is the loss
  assert.ok(stats.energy_last! <= stats.energy_first!);
  const d = learner.diagnostics(X, Y);
  assert.equal(d.energy_t0, stats.energy_first);
  assert.equal(d.energy_t11, stats.energy_last);
  assert.ok(!("energy_t12" in d));
  assert.ok(d.target_alignment! > 0 && d.target_alignment! <= 1);
  assert.ok(Number.isFinite(d.prospective_index_1) && Number.isFinite(d.prospective_index_2));
  const bp = createLearner("pc-bp", options({}));
  bp.trainBatch(X, Y);
  const db = bp.diagnostics(X, Y);
  assert.ok(db.target_alignment! > 0 && !("prospective_index_1" in db) && !("energy_t0" in db));
});

Deno.test("weights round-trip through export and import", () => {
  const a = createLearner("pc", options({ T: 4 })),
    c = createLearner("pc", options({ T: 4 }, { seed: 9 }));
  a.trainBatch(X, Y);
  c.importWeights(a.exportWeights());
  assert.deepEqual(b.read(c.predict(X)), b.read(a.predict(X)));
  assert.throws(
    () => c.importWeights({ W7: { rows: 1, cols: 1, data: [0] } }),
    /Unknown weight "W7"/,
  );
});

Deno.test("hyper-parameters are checked with one-line errors naming the key", () => {
  assert.throws(
    () => createLearner("pc", options({ T: 0 })),
    /^SchemaError: rule\.T: expected an integer ≥ 1, got 0$/,
  );
  assert.throws(
    () => createLearner("pc", options({ update_p_at: "first" })),
    /rule\.update_p_at: expected one of last, all, got "first"/,
  );
  assert.throws(() => createLearner("pc-bp", options({ T: 5 })), /rule\.T: unknown key/);
  assert.throws(
    () => createLearner("pc", options({ target_range: [1] })),
    /rule\.target_range: expected \[\] or two numbers/,
  );
  assert.throws(
    () =>
      createLearner(
        "pc-nudge",
        options({}, {
          network: { sizes: [2, 2], activation: "tanh", output_activation: "sigmoid" },
        }),
      ),
    /PC-Nudge needs a linear output node/,
  );
});

Deno.test("the whittington-bogacz variant implies logit inputs, sigmoid input and 0.03/0.97 targets", () => {
  const wb = createLearner(
    "pc",
    options({ variant: "whittington-bogacz" }, {
      network: { sizes: [4, 5, 3], activation: "sigmoid", bias: true },
      optimizer: { name: "adam", lr: 1e-3 },
    }),
  );
  const px = b.fromArray([0.2, 0.4, 0.6, 0.8], 1, 4), y = b.fromArray([1, 0, 0], 1, 3);
  const out = b.read(wb.predict(px));
  // F₀ is the loss against the mapped target (0.97, 0.03, 0.03).
  const want = 0.5 * [0.97, 0.03, 0.03].reduce((s, t, i) => s + (t - out[i]!) ** 2, 0);
  const stats = wb.trainBatch(px, y);
  assert.ok(Math.abs(stats.energy_first! - want) < 1e-6);
  // Whittington–Bogacz defaults: 50 inference steps (51 energy evaluations) and no decay.
  const d = wb.diagnostics();
  assert.ok("energy_t50" in d && !("energy_t51" in d));
  assert.equal(stats.gamma, 0.1);
});

Deno.test("loss.ignore_outputs: the weights into an ignored output unit never change (pc, pc-bp)", async () => {
  // Song et al. 2024's continual-learning quirk: ε_L of the last unit is 0, so ∂F/∂W_L's last
  // column is 0 at every step, whatever the inference does.
  for (const backend of [b, await selectBackend("blas")]) {
    for (const name of ["pc", "pc-bp"]) {
      const learner = createLearner(name, {
        network: { sizes: [4, 6, 3], activation: "sigmoid", bias: true },
        hyper: name === "pc" ? { T: 8 } : {},
        optimizer: { name: "sgd", lr: 0.5 },
        loss: { kind: "mse", half: true, reduction: "sum", "ignore_outputs": [2] },
        backend,
        seed: 4,
      });
      const rng = createRng(3);
      const x = backend.random(5, 4, () => rng.normal()),
        yT = backend.random(5, 3, () => rng.normal());
      const before = learner.exportWeights!();
      for (let k = 0; k < 3; k++) learner.trainBatch(x, yT);
      const after = learner.exportWeights!();
      const w0 = before.W2!, w1 = after.W2!;
      for (let i = 0; i < w0.rows; i++) {
        assert.equal(w1.data[i * 3 + 2], w0.data[i * 3 + 2], `${name}: W2[${i}, 2] moved`);
        assert.notEqual(w1.data[i * 3], w0.data[i * 3], `${name}: W2[${i}, 0] did not learn`);
      }
      assert.equal(after.b2!.data[2], before.b2!.data[2]);
      learner.dispose?.();
    }
  }
});
