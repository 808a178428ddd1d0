// standin.cjs SDKDIST: checks that every chunk the console's prebuilt SDK (packages/vue-sdk/dist)
// imports is there. A checkout can lack one: a store that omits large files drops
// chunks/user-action-dropdown.*.js, which only the live-control view imports, and imports as
// { c, C }: C is TUIRoomEngine (the view calls C.callExperimentalAPI, TUIRoomEngine's static
// method; the SDK declares @tencentcloud/tuiroom-engine-js as a dependency) and c the picture of
// the live-ended overlay (an <img src>). For that chunk alone it writes a stand-in re-exporting
// the engine, with a blank picture, and says so; any other missing file is an error.
const fs = require('fs'), path = require('path');
const dist = process.argv[2];
const files = [];
(function walk(d) {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p); else if (e.name.endsWith('.js')) files.push(p);
  }
})(dist);
const missing = new Map();
for (const f of files) {
  for (const m of fs.readFileSync(f, 'utf8').matchAll(/(?:import|export)\s*(\{[^}]*\})?[^'";]*?from\s*"(\.{1,2}\/[^"]+\.js)"/g)) {
    const target = path.resolve(path.dirname(f), m[2]);
    if (!fs.existsSync(target)) missing.set(target, { by: path.relative(dist, f), names: m[1] || '' });
  }
}
let bad = 0;
for (const [target, { by, names }] of missing) {
  const rel = path.relative(dist, target);
  const wanted = names.replace(/[{}\s]/g, '').split(',').map((n) => n.split('as')[0]).sort().join(',');
  if (/^chunks\/user-action-dropdown\.[\w-]+\.js$/.test(rel) && wanted === 'C,c') {
    fs.writeFileSync(target, 'export { default as C } from "@tencentcloud/tuiroom-engine-js";\n' +
      'export const c = "data:image/svg+xml,%3Csvg xmlns=\'http://www.w3.org/2000/svg\' width=\'1\' height=\'1\'/%3E";\n');
    console.log(`  STAND-IN: the checkout lacks dist/${rel} (imported by ${by}); using TUIRoomEngine from @tencentcloud/tuiroom-engine-js and a blank picture in its place`);
  } else {
    console.error(`console-e2e: the checkout lacks dist/${rel}, imported by ${by} as ${names || '(side effect)'}`);
    bad++;
  }
}
process.exit(bad ? 1 : 0);
