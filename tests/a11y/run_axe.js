// Runs axe-core on HTML files in headless Chromium and prints, as JSON, each file's
// violations of WCAG 2.0/2.1/2.2 A and AA.  Called by tests/unit/test_notice_accessibility.py:
//   node run_axe.js CHROMIUM USER_DATA_DIR FILE.html...
"use strict";
const fs = require("fs");
const path = require("path");
const puppeteer = require("puppeteer-core");

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

async function main() {
  const [chromium, userDataDir, ...files] = process.argv.slice(2);
  const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  const browser = await puppeteer.launch({
    executablePath: chromium,
    userDataDir,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  const results = {};
  try {
    for (const file of files) {
      const page = await browser.newPage();
      await page.goto("file://" + path.resolve(file), { waitUntil: "load" });
      await page.addScriptTag({ content: axeSource });
      const found = await page.evaluate(async (tags) => {
        const run = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
        return {
          violations: run.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
          })),
          passes: run.passes.length,
        };
      }, TAGS);
      results[file] = found;
      await page.close();
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(results, null, 1));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(2);
});
