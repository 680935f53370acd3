// Browser tests of the review workspace: Debian's Chromium driven by
// puppeteer-core against review_fixture_server (the daemon's Workspace over a
// seeded engine). Every step asserts; any failure exits non-zero.
//   node review_browser_test.mjs <review_fixture_server> <node_modules dir> [chromium]
import { startFixtureServer } from "./review_fixture.mjs";
import { createRequire } from "node:module";
import path from "node:path";
import assert from "node:assert/strict";
import fs from "node:fs";

const [serverBin, modules, chromiumPath = "/usr/bin/chromium"] = process.argv.slice(2);
if (!serverBin || !modules) {
  console.error("usage: review_browser_test.mjs <review_fixture_server> <node_modules> [chromium]");
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(modules), "noop.js"));
const puppeteer = require("puppeteer-core");
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const results = [];
async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push(`ok   ${name} (${Date.now() - t0} ms)`);
    console.log(`ok   ${name}`);
  } catch (e) {
    console.log(`FAIL ${name}: ${e.stack || e}`);
    throw e;
  }
}

async function newUserPage(browser, base, name, consoleErrors) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  page.setDefaultTimeout(8000);
  await page.setViewport({ width: 1360, height: 900 });
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(`${name}: ${m.text()}`); });
  page.on("pageerror", (e) => consoleErrors.push(`${name}: ${e.message}`));
  page.on("response", (r) => { if (r.status() >= 400) consoleErrors.push(`${name}: HTTP ${r.status()} ${r.request().method()} ${r.url()}`); });
  await page.goto(base + "/app/", { waitUntil: "networkidle0" });
  await page.waitForSelector("#signin-name", { visible: true });
  await page.type("#signin-name", name);
  await page.type("#signin-password", name + "-password-1");
  await Promise.all([
    page.waitForSelector("#conflict-table tbody tr", { visible: true }),
    page.click("#signin-form button[type=submit]"),
  ]);
  return { context, page };
}

// The API as the signed-in page's user (cookie + CSRF token), from Node.
async function apiAs(page, base, method, url, body) {
  const cookies = await page.cookies(base);
  const session = cookies.find((c) => c.name === "dealsync_session");
  assert.ok(session, "session cookie set");
  assert.equal(session.httpOnly, true, "cookie is HttpOnly");
  assert.equal(session.sameSite, "Strict", "cookie is SameSite=Strict");
  const who = await (await fetch(base + "/api/v1/session", { headers: { Cookie: `dealsync_session=${session.value}` } })).json();
  const res = await fetch(base + url, {
    method,
    headers: { Cookie: `dealsync_session=${session.value}`, "X-CSRF-Token": who.csrf_token, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

async function rows(page) {
  return page.$$eval("#conflict-table tbody tr", (trs) => trs.map((tr) => ({
    id: tr.dataset.id, partner: tr.children[2].textContent, text: tr.textContent })));
}

async function axeCheck(page, label) {
  // Evaluated over the DevTools protocol: the app's CSP (script-src 'self') rightly
  // refuses an injected <script>, and the page itself is left as served.
  if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(axeSource);
  const r = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = r.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")})`), [],
    `axe: serious violations on ${label}`);
}

async function main() {
  const { child, base } = await startFixtureServer(serverBin);
  const browser = await puppeteer.launch({
    executablePath: chromiumPath, headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
  });
  const consoleErrors = [];
  try {
    await step("the sign-in page passes the accessibility check", async () => {
      const context = await browser.createBrowserContext();
      const sp = await context.newPage();
      sp.on("console", (m) => { if (m.type() === "error") consoleErrors.push(`sign-in: ${m.text()}`); });
      sp.on("pageerror", (e) => consoleErrors.push(`sign-in: ${e.message}`));
      await sp.goto(base + "/app/", { waitUntil: "networkidle0" });
      await sp.waitForSelector("#signin-name", { visible: true });
      await axeCheck(sp, "sign in");
      await context.close();
    });

    const { page } = await newUserPage(browser, base, "rita", consoleErrors);

    await step("sign in shows the held conflicts, largest value at stake first", async () => {
      const list = await rows(page);
      assert.equal(list.length, 12);
      const stakes = await page.$$eval("#conflict-table tbody tr td:nth-child(8)", (tds) => tds.map((t) => parseFloat(t.textContent)));
      for (let i = 1; i < stakes.length; i++) assert.ok(stakes[i - 1] >= stakes[i], "sorted by value at stake");
      assert.equal(await page.$eval("#who-name", (e) => e.textContent), "rita");
    });

    await step("filter by partner and search by account", async () => {
      await page.select("#f-partner", "contoso");
      await page.waitForFunction(() => [...document.querySelectorAll("#conflict-table tbody tr")].every((tr) => tr.children[2].textContent === "contoso") &&
        document.querySelectorAll("#conflict-table tbody tr").length === 6);
      const account = await page.$eval("#conflict-table tbody tr td:nth-child(2) .meta", (e) => e.textContent);
      await page.type("#f-q", account);
      await page.click("#filters button[type=submit]");
      await page.waitForFunction((a) => {
        const trs = [...document.querySelectorAll("#conflict-table tbody tr")];
        return trs.length > 0 && trs.length < 6 && trs.every((tr) => tr.textContent.includes(a));
      }, {}, account);
      await page.click("#f-clear");
      await page.waitForFunction(() => document.querySelectorAll("#conflict-table tbody tr").length === 12);
      await axeCheck(page, "held conflicts");
    });

    let settledId;
    let retriedLink;
    await step("open a conflict, settle it with a reason, see its push queued and it leave the held list", async () => {
      const first = (await rows(page))[0];
      settledId = first.id;
      await page.click(`#conflict-table tbody tr[data-id="${first.id}"] a`);
      // The settle form appears once the conflict has arrived (never the one shown before).
      await page.waitForSelector("#view-conflict:not([hidden]) #settle-form", { visible: true });
      assert.match(await page.$eval("#c-title", (e) => e.textContent), /close date/);
      assert.match(await page.$eval("#c-vendor-meta", (e) => e.textContent), /changed 2026-/);
      assert.ok((await page.$$("#c-history tbody tr")).length >= 1, "history shown");
      await axeCheck(page, "conflict detail");
      await page.click("input[name=take][value=partner]");
      // The reason is required.
      await page.click("#settle-submit");
      assert.equal(await page.$eval("#s-reason", (e) => e.validity.valueMissing), true);
      assert.equal(await page.$eval("#c-settled", (e) => e.hidden), true, "not settled without a reason");
      await page.type("#s-reason", "Partner holds the signed order form");
      await page.click("#settle-submit");
      await page.waitForSelector("#c-settled:not([hidden])", { visible: true });
      const settled = await page.$eval("#c-settled-text", (e) => e.textContent);
      assert.match(settled, /resolved by operator: 2027-01-10 — by rita/);
      assert.match(settled, /Partner holds the signed order form/);
      const pushState = await page.$$eval("#c-pushes tbody tr .pill", (ps) => ps.map((p) => p.textContent));
      assert.deepEqual(pushState, ["queued"]);
      assert.match(await page.$eval("#c-history tbody", (e) => e.textContent), /rita.*Partner holds the signed order form/);
      await page.click('a[href="#/conflicts"]');
      await page.waitForFunction(() => document.querySelectorAll("#conflict-table tbody tr").length === 11);
      assert.ok(!(await rows(page)).some((r) => r.id === settledId), "left the held list");
    });

    await step("settle five in bulk", async () => {
      const boxes = await page.$$("#conflict-table tbody input[type=checkbox]");
      for (const b of boxes.slice(0, 5)) await b.click();
      assert.equal(await page.$eval("#bulk-count", (e) => e.textContent), "5 selected");
      await page.click("#bulk-settle");
      await page.waitForSelector("#modal:not([hidden])", { visible: true });
      await axeCheck(page, "bulk settle dialog");
      await page.type("#b-reason", "Vendor CRM is the system of record for Q4");
      await page.click("#bulk-submit");
      await page.waitForFunction(() => document.querySelectorAll("#conflict-table tbody tr").length === 6);
      assert.match(await page.$eval("#toast", (e) => e.textContent), /^5 conflict\(s\) settled/);
      assert.equal(await page.$eval("#conflict-count", (e) => e.textContent), "6");
    });

    await step("settle two in bulk with a typed value", async () => {
      const ids = (await rows(page)).slice(0, 2).map((r) => r.id);
      for (const id of ids) await page.click(`#conflict-table tbody input[data-id="${id}"]`);
      await page.click("#bulk-settle");
      await page.waitForSelector("#modal:not([hidden])", { visible: true });
      assert.equal(await page.$eval("#b-value", (e) => e.disabled), true, "no value box until asked for");
      await page.click("input[name=btake][value=value]");
      await page.type("#b-value", "2027-01-31");
      await page.type("#b-reason", "Both sides agreed on the end of January by phone");
      await page.click("#bulk-submit");
      await page.waitForFunction(() => document.querySelectorAll("#conflict-table tbody tr").length === 4);
      assert.match(await page.$eval("#toast", (e) => e.textContent), /^2 conflict\(s\) settled/);
      for (const id of ids) {
        const c = await apiAs(page, base, "GET", `/api/v1/conflicts/${encodeURIComponent(id)}`);
        assert.equal(c.body.status, "resolved_by_operator");
        assert.equal(c.body.outcome_value, "2027-01-31");
        assert.equal(c.body.resolved_by, "rita");
      }
    });

    await step("failed pushes grouped by partner and error, with the full error text", async () => {
      await page.goto(base + "/app/#/deadletters");
      await page.waitForSelector("#dl-groups .card", { visible: true });
      const text = await page.$eval("#dl-groups", (e) => e.textContent);
      assert.match(text, /Partner contoso/);
      assert.match(text, /amount exceeds the deal registration cap/);
      await axeCheck(page, "failed pushes");
    });

    await step("retry a dead letter: it leaves the failed pushes and its push is queued", async () => {
      const id = await page.$eval("#dl-groups tr[data-id]", (tr) => tr.dataset.id);
      assert.match(id, /^contoso\//);
      await page.click(`#dl-groups tr[data-id="${id}"] button.primary`);
      await page.waitForSelector("#dl-empty:not([hidden])", { visible: true });
      assert.match(await page.$eval("#toast", (e) => e.textContent), /queued again/);
      assert.equal(await page.$eval("#dl-count", (e) => e.textContent), "0");
      assert.equal((await page.$$("#dl-groups tr[data-id]")).length, 0);
      const outbox = await apiAs(page, base, "GET", "/api/v1/outbox?partner=contoso");
      assert.equal(outbox.status, 200);
      const queued = outbox.body.pushes.find((p) => p.id === id && p.state === "queued");
      assert.ok(queued, "queued again in the outbox");
      retriedLink = queued.link_id;
    });

    await step("the retry is in the deal's history under the user's name", async () => {
      const held = await apiAs(page, base, "GET", "/api/v1/conflicts?status=held_for_review&partner=contoso");
      const conflict = held.body.conflicts.find((c) => c.id.startsWith(retriedLink + "/"));
      assert.ok(conflict, "a held conflict of the retried deal");
      await page.goto(base + "/app/#/conflict/" + encodeURIComponent(conflict.id));
      await page.waitForSelector("#c-actions:not([hidden]) tbody tr", { visible: true });
      const text = await page.$eval("#c-actions tbody", (e) => e.textContent);
      assert.match(text, /rita/);
      assert.match(text, /dead letter retried/);
      assert.match(text, /registration cap/);
    });

    await step("refused records grouped by partner and error; read again once the file is fixed", async () => {
      await page.goto(base + "/app/#/deadletters");
      await page.waitForSelector("#rj-groups .card", { visible: true });
      const text = await page.$eval("#rj-groups", (e) => e.textContent);
      assert.match(text, /Partner contoso/);
      assert.match(text, /2 × stage "Verbal commit" is not in the partner file's \[mapping.stage\] table/);
      assert.match(text, /Partner northwind/);
      assert.equal(await page.$eval("#rj-count", (e) => e.textContent), "3");
      await axeCheck(page, "refused records");
      const clicked = await page.evaluate(() => {
        const b = [...document.querySelectorAll("#rj-groups button")].find((x) => x.textContent.startsWith("Read all 2 again"));
        if (b) b.click();
        return !!b;
      });
      assert.ok(clicked, "a read-again button for the group");
      await page.waitForFunction(() => document.querySelector("#toast").textContent.startsWith("2 record(s) are being read again"));
      await page.waitForFunction(() => document.querySelector("#rj-count").textContent === "1", { timeout: 8000 });
      assert.doesNotMatch(await page.$eval("#rj-groups", (e) => e.textContent), /contoso/);
    });

    await step("an ambiguous match: not the same deal, and link by hand", async () => {
      await page.goto(base + "/app/#/unmatched");
      await page.waitForSelector("#u-ambiguous tbody tr", { visible: true });
      assert.equal((await page.$$("#u-ambiguous tbody tr")).length, 4, "two candidates for each of two deals");
      await axeCheck(page, "ambiguous matches");
      await page.click('#u-ambiguous tr[data-candidate="contoso/co-amb-2"] button:not(.primary)');
      await page.waitForFunction(() => document.querySelector("#toast").textContent.includes("are marked as different deals"));
      // 006AMB's key now finds one deal: linked by its registration id.
      await page.waitForFunction(() => document.querySelectorAll("#u-ambiguous tbody tr").length === 2);
      await page.waitForFunction(() => [...document.querySelectorAll("#u-links tbody tr")].some((tr) =>
        tr.textContent.includes("006AMB") && tr.textContent.includes("co-amb-1") && tr.textContent.includes("registration id")));
      await page.click('#u-ambiguous tr[data-candidate="northwind/nw-amb-2"] button.primary');
      await page.waitForFunction(() => document.querySelector("#toast").textContent.startsWith("Linked 006AMB2 and nw-amb-2"));
      await page.waitForSelector("#u-ambiguous-empty:not([hidden])", { visible: true });
      await page.waitForFunction(() => [...document.querySelectorAll("#u-links tbody tr")].some((tr) =>
        tr.textContent.includes("006AMB2") && tr.textContent.includes("by hand (rita)")));
    });

    await step("unmatched deals: link one by hand", async () => {
      await page.goto(base + "/app/#/unmatched");
      await page.waitForSelector("#u-partner tbody tr", { visible: true });
      assert.match(await page.$eval("#u-partner tbody", (e) => e.textContent), /co-solo/);
      assert.match(await page.$eval("#u-vendor tbody", (e) => e.textContent), /006SOLO/);
      await axeCheck(page, "unmatched deals");
      await page.select("#l-partner", "contoso");
      await page.type("#l-vendor", "006SOLO");
      await page.type("#l-partner-id", "co-solo");
      await page.click("#link-submit");
      await page.waitForFunction(() => [...document.querySelectorAll("#u-links tbody tr")].some((tr) =>
        tr.textContent.includes("006SOLO") && tr.textContent.includes("by hand (rita)")));
    });

    await step("partners: sync health and report downloads", async () => {
      await page.goto(base + "/app/#/partners");
      await page.waitForSelector("#partner-cards .card", { visible: true });
      const text = await page.$eval("#partner-cards", (e) => e.textContent);
      assert.match(text, /Northwind Traders/);
      assert.match(text, /Last successful poll/);
      assert.match(text, /failing/);
      const hrefs = await page.$$eval("#partner-cards a", (as) => as.map((a) => a.getAttribute("href")));
      assert.ok(hrefs.includes("/api/v1/reports/contoso?format=csv&bom=1"));
      const csv = await apiAs(page, base, "GET", "/api/v1/partners");
      assert.equal(csv.status, 200);
      await axeCheck(page, "partners");
    });

    await step("partners: the joint pipeline review of one partner", async () => {
      await page.click('button[aria-controls="pipeline-contoso"]');
      await page.waitForSelector("#pipeline-contoso table caption", { visible: true });
      const text = await page.$eval("#pipeline-contoso", (e) => e.textContent);
      assert.match(text, /Joint pipeline review: \d+ linked deals/);
      assert.match(text, /Vendor's view/);
      assert.match(text, /In stage proposal/);
      assert.match(text, /Stalled \(no stage change in \d+ days\): \d+/);
      assert.equal(await page.$eval('button[aria-controls="pipeline-contoso"]', (e) => e.getAttribute("aria-expanded")), "true");
      await axeCheck(page, "joint pipeline review");
    });

    await step("a viewer cannot settle: the control is absent and the API answers 403", async () => {
      const { page: vp, context } = await newUserPage(browser, base, "vic", consoleErrors);
      assert.equal((await vp.$$("#conflict-table tbody input[type=checkbox]")).length, 0);
      assert.equal(await vp.$eval("#bulk", (e) => e.hidden), true);
      const id = (await rows(vp))[0].id;
      await vp.click(`#conflict-table tbody tr[data-id="${id}"] a`);
      await vp.waitForSelector("#view-conflict:not([hidden])");
      await vp.waitForFunction(() => !["", "Loading…"].includes(document.querySelector("#c-title").textContent));
      assert.equal(await vp.$eval("#c-settle-card", (e) => e.hidden), true);
      await axeCheck(vp, "a viewer's conflict detail");
      await vp.goto(base + "/app/#/deadletters");
      await vp.waitForSelector("#view-deadletters:not([hidden])");
      await vp.waitForFunction(() => document.querySelector("#rj-count").textContent !== "");
      assert.equal((await vp.$$("#rj-groups button")).length, 0, "a viewer cannot read records again");
      await axeCheck(vp, "a viewer's failed pushes");
      const r = await apiAs(vp, base, "POST", `/api/v1/conflicts/${encodeURIComponent(id)}/resolve`, { take: "vendor", reason: "x" });
      assert.equal(r.status, 403);
      const after = await apiAs(vp, base, "GET", `/api/v1/conflicts/${encodeURIComponent(id)}`);
      assert.equal(after.body.status, "held_for_review");
      await context.close();
    });

    await step("a partner-limited user never sees another partner's deal (page and API)", async () => {
      const { page: np, context } = await newUserPage(browser, base, "nora", consoleErrors);
      const list = await rows(np);
      assert.ok(list.length > 0);
      assert.ok(list.every((r) => r.partner === "northwind"), "only northwind rows");
      for (const view of ["conflicts", "deadletters", "unmatched", "partners"]) {
        await np.goto(base + "/app/#/" + view);
        await np.waitForSelector(`#view-${view}:not([hidden])`);
        await new Promise((r) => setTimeout(r, 300));
        const body = await np.$eval("main", (e) => e.textContent);
        assert.ok(!/contoso|Contoso/.test(body), `no contoso data on ${view}`);
        assert.ok(!/006SOLO/.test(body), `no vendor-only deals on ${view}`);
        await axeCheck(np, `a partner-limited user's ${view}`);
      }
      const all = await apiAs(page, base, "GET", "/api/v1/conflicts?status=held_for_review&partner=contoso");
      const other = all.body.conflicts[0].id;
      assert.equal((await apiAs(np, base, "GET", `/api/v1/conflicts/${encodeURIComponent(other)}`)).status, 404);
      assert.equal((await apiAs(np, base, "GET", "/api/v1/conflicts?partner=contoso")).status, 403);
      const mine = await apiAs(np, base, "GET", "/api/v1/conflicts");
      assert.ok(mine.body.conflicts.every((c) => c.partner === "northwind"));
      assert.equal((await apiAs(np, base, "POST", `/api/v1/conflicts/${encodeURIComponent(other)}/resolve`, { take: "vendor", reason: "x" })).status, 404);
      await context.close();
    });

    await step("no console errors", async () => {
      assert.deepEqual(consoleErrors, []);
    });
  } finally {
    await browser.close();
    child.stdin.end();
    child.kill("SIGTERM");
  }
  console.log(`${results.length} browser checks passed`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
