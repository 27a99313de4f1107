import assert from "node:assert/strict";
import { escapeHtml, toCsv, toHtmlTable, toMarkdown } from "./table.ts";
import type { Row } from "./rows.ts";

const rows: Row[] = [
  { rule: "bp", lr: 0.1, acc: 0.91234567, note: "a|b" },
  { rule: "fa", lr: 0.01, acc: NaN, note: 'say "hi", then\nleave' },
];

Deno.test("toMarkdown right-aligns numbers, rounds, escapes pipes and blanks NaN", () => {
  assert.equal(
    toMarkdown(rows, { digits: 3, headers: { acc: "accuracy" } }),
    [
      "| rule | lr | accuracy | note |",
      "| --- | ---: | ---: | --- |",
      "| bp | 0.1 | 0.912 | a\\|b |",
      '| fa | 0.01 |  | say "hi", then leave |',
      "",
    ].join("\n"),
  );
  assert.equal(toMarkdown(rows, { columns: ["lr"] }), "| lr |\n| ---: |\n| 0.1 |\n| 0.01 |\n");
});

Deno.test("toCsv quotes per RFC 4180 and keeps every digit", () => {
  const csv = toCsv(rows);
  assert.equal(
    csv,
    'rule,lr,acc,note\r\nbp,0.1,0.91234567,a|b\r\nfa,0.01,,"say ""hi"", then\nleave"\r\n',
  );
  // Parse it back with a tiny independent reader: fields, quotes, doubled quotes, embedded newline.
  const parsed: string[][] = [];
  let field = "", rec: string[] = [], quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const ch = csv[i]!;
    if (quoted) {
      if (ch === '"' && csv[i + 1] === '"') (field += '"', i++);
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") (rec.push(field), field = "");
    else if (ch === "\r" && csv[i + 1] === "\n") {
      (rec.push(field), parsed.push(rec), rec = [], field = "", i++);
    } else field += ch;
  }
  assert.deepEqual(parsed[2], ["fa", "0.01", "", 'say "hi", then\nleave']);
  assert.equal(parsed.length, 3);
});

Deno.test("toHtmlTable escapes text and marks numeric cells", () => {
  const html = toHtmlTable([{ name: "<b>&", x: 1.23456 }], { digits: 2 });
  assert.ok(html.includes('<th>name</th><th class="num">x</th>'));
  assert.ok(html.includes('<td>&lt;b&gt;&amp;</td><td class="num">1.2</td>'));
  assert.equal(escapeHtml("'"), "&#39;");
});
