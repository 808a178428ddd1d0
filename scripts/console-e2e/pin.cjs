// pin.cjs ROOT NAME RANGE: pnpm found no version of NAME matching RANGE in the registry it can
// reach (a registry mirror may hold only some versions); override NAME in ROOT/package.json with
// the nearest version it has: the newest matching, else the smallest newer, else the newest.
// Prints the substitution; exits 1 when there is none to make.
const fs = require('fs'), path = require('path'), { execFileSync } = require('child_process');
const semver = require(process.env.SEMVER || '/usr/lib/node_modules/npm/node_modules/semver');
const [root, name, range] = process.argv.slice(2);
const vs = [].concat(JSON.parse(execFileSync('npm', ['view', name, 'versions', '--json'], { encoding: 'utf8', timeout: 60000 })))
  .filter((v) => !semver.prerelease(v)).sort(semver.compare);
const floor = semver.validRange(range) ? semver.minVersion(range).version : '0.0.0';
const pick = semver.maxSatisfying(vs, range) || vs.find((v) => semver.gte(v, floor)) || vs[vs.length - 1];
if (!pick) { console.error(`console-e2e: the registry has no version of ${name}`); process.exit(1); }
const file = path.join(root, 'package.json'), p = JSON.parse(fs.readFileSync(file, 'utf8'));
p.pnpm = p.pnpm || {};
p.pnpm.overrides = p.pnpm.overrides || {};
if (p.pnpm.overrides[name] === pick) { console.error(`console-e2e: ${name}@${pick} is already used and still fails`); process.exit(1); }
p.pnpm.overrides[name] = pick;
fs.writeFileSync(file, JSON.stringify(p, null, 2) + '\n');
console.log(`  the registry has no ${name}@${range}: using ${pick}`);
