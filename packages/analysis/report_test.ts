import assert from "node:assert/strict";
import { htmlReport, scopeSvgIds } from "./report.ts";
import { byClass, findAll, parseXml } from "./_testing.ts";

const svg = (id: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><defs><clipPath id="${id}"><rect width="5" height="5"/></clipPath></defs><g clip-path="url(#${id})"><rect width="10" height="10"/></g></svg>`;

Deno.test("htmlReport embeds figures with unique ids, tables and escaped text", () => {
  const html = htmlReport({
    title: "A & B",
    intro: ["First <para>", "Second"],
    sections: [
      {
        heading: "Figures",
        figures: [{ svg: svg("clip1"), caption: "one" }, { svg: svg("clip1") }],
      },
      {
        heading: "Numbers",
        tables: [{ rows: [{ rule: "bp", acc: 0.123456 }], options: { digits: 2 }, caption: "c" }],
      },
    ],
  });
  assert.ok(html.startsWith("<!DOCTYPE html>\n"));
  // The body is well-formed markup (void elements aside): strip the doctype and <meta>/<link>.
  const body = html.slice(html.indexOf("<body>"), html.indexOf("</body>") + 7);
  const doc = parseXml(body);
  const svgs = findAll(doc, (n) => n.name === "svg");
  assert.equal(svgs.length, 2);
  const ids = findAll(doc, (n) => n.attrs.id !== undefined).map((n) => n.attrs.id);
  assert.deepEqual(ids, ["fig1-clip1", "fig2-clip1"]);
  const refs = findAll(doc, (n) => n.attrs["clip-path"] !== undefined).map((n) =>
    n.attrs["clip-path"]
  );
  assert.deepEqual(refs, ["url(#fig1-clip1)", "url(#fig2-clip1)"]);
  assert.ok(html.includes("<title>A &amp; B</title>"));
  assert.ok(html.includes("<p>First &lt;para&gt;</p>"));
  assert.equal(findAll(doc, (n) => n.name === "h2").length, 2);
  assert.equal(byClass(doc, "num").length, 2);
  assert.ok(html.includes('<td class="num">0.12</td>'));
  assert.ok(!/<script/i.test(html), "no scripts");
});

Deno.test("scopeSvgIds rewrites ids, url() and href references only", () => {
  const s = scopeSvgIds(
    '<g id="a"><use href="#a"/><use xlink:href="#a"/><path fill="url(#a)" data-x="#a"/></g>',
    "p-",
  );
  assert.equal(
    s,
    '<g id="p-a"><use href="#p-a"/><use xlink:href="#p-a"/><path fill="url(#p-a)" data-x="#a"/></g>',
  );
});
