// Screenshots of the review workspace's main pages for the README: Debian's
// Chromium driven by puppeteer-core against review_fixture_server (the
// daemon's Workspace over a seeded engine, on 127.0.0.1).
//   node review-screenshots.mjs <review_fixture_server> <node_modules dir> <out dir> [chromium]
import { startFixtureServer } from "../tests/browser/review_fixture.mjs";
import { createRequire } from "node:module";
import path from "node:path";

const [serverBin, modules, outDir, chromiumPath = "/usr/bin/chromium"] = process.argv.slice(2);
if (!serverBin || !modules || !outDir) {
  console.error("usage: review-screenshots.mjs <review_fixture_server> <node_modules> <out dir> [chromium]");
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(modules), "noop.js"));
const puppeteer = require("puppeteer-core");

async function shoot(page, name) {
  const file = path.join(outDir, `review-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log("wrote " + file);
}

async function main() {
  const { child, base } = await startFixtureServer(serverBin);
  const browser = await puppeteer.launch({
    executablePath: chromiumPath, headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
  });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(8000);
    await page.setViewport({ width: 1360, height: 900 });
    await page.goto(base + "/app/", { waitUntil: "networkidle0" });
    await page.waitForSelector("#signin-name", { visible: true });
    await shoot(page, "sign-in");
    await page.type("#signin-name", "rita");
    await page.type("#signin-password", "rita-password-1");
    await Promise.all([
      page.waitForSelector("#conflict-table tbody tr", { visible: true }),
      page.click("#signin-form button[type=submit]"),
    ]);
    await shoot(page, "conflicts");
    await page.click("#conflict-table tbody tr a");
    await page.waitForSelector("#c-title", { visible: true });
    await page.waitForNetworkIdle();
    await shoot(page, "conflict");
    for (const view of ["deadletters", "unmatched", "partners"]) {
      await page.goto(base + "/app/#/" + view, { waitUntil: "networkidle0" });
      await page.waitForSelector(`#view-${view}`, { visible: true });
      if (view === "partners") {  // with one partner's joint pipeline review open
        await page.click('button[aria-controls="pipeline-contoso"]');
        await page.waitForSelector("#pipeline-contoso table caption", { visible: true });
      }
      await shoot(page, view);
    }
  } finally {
    await browser.close();
    child.kill();
  }
}

main().catch((e) => {
  console.error(e.stack || e);
  process.exit(1);
});
