// Runs axe-core on HTML files in headless Chromium, one browser for all of them, and prints
// as JSON, per file, its violations of WCAG 2.0, 2.1 and 2.2 at levels A and AA, the rules it
// passed and those axe could not decide ("incomplete").  Called by
// tests/unit/test_notice_accessibility.py:
//   node run_axe.js CHROMIUM USER_DATA_DIR FILE.html...
"use strict";
const fs = require("fs");
const path = require("path");
const { pathToFileURL } = require("url");
const puppeteer = require("puppeteer-core");

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

async function main() {
  const [chromium, userDataDir, ...files] = process.argv.slice(2);
  if (!chromium || !userDataDir || files.length === 0) {
    throw new Error("usage: node run_axe.js CHROMIUM USER_DATA_DIR FILE.html...");
  }
  const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  const browser = await puppeteer.launch({
    executablePath: chromium,
    userDataDir,
    // "shell" makes puppeteer pass plain --headless (Chromium's own headless mode since 132).
    headless: "shell",
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
      const scriptErrors = [];
      page.on("pageerror", (error) => scriptErrors.push(String(error)));
      // pathToFileURL escapes spaces, "#" and "%" in the temporary folder's name.
      await page.goto(pathToFileURL(path.resolve(file)).href, { waitUntil: "load" });
      await page.addScriptTag({ content: axeSource });
      const found = await page.evaluate(async (tags) => {
        const run = await window.axe.run(document, {
          runOnly: { type: "tag", values: tags },
          resultTypes: ["violations", "incomplete"],
        });
        return {
          violations: run.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
          })),
          incomplete: run.incomplete.map((v) => v.id),
          passes: run.passes.map((v) => v.id),
          axeVersion: window.axe.version,
        };
      }, TAGS);
      found.scriptErrors = scriptErrors;
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
