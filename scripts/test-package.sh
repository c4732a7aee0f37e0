#!/usr/bin/env bash
# The package as users install it: build, `npm pack`, check the tarball's file list, then install
# the tarball into throwaway consumer projects (test/package/consumers/*: CommonJS, ESM, TypeScript
# under node16 and nodenext) and run each one; every consumer does a real establishSession handoff
# against the stand-in Luminate on loopback and must exit by itself.
#
#   bash scripts/test-package.sh          (or: npm run test:package)
#   KEEP_TMP=1 bash scripts/test-package.sh   keeps the temporary directory for a look afterwards
#
# Needs the npm registry (express, express-session, typescript and @types/* for the consumers).
# The repository's node_modules and package-lock.json are not touched.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CONSUMERS=$ROOT/test/package/consumers

# `npm run` exports the repository as npm_config_local_prefix; npm 11 ignores it, but the npm
# commands run inside the throwaway projects must never take the repository for their project.
unset npm_config_local_prefix
export npm_config_update_notifier=false

TMP=$(mktemp -d "${TMPDIR:-/tmp}/luminate-sso-bridge-package.XXXXXX")
cleanup() {
  if [[ "${KEEP_TMP:-}" == 1 ]]; then
    echo "(kept $TMP)"
  else
    rm -rf "$TMP"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs "$@" with a deadline, output to the log file $1 (appended); on failure shows the log's tail.
bounded() {
  local log=$1 secs=$2
  shift 2
  if ! timeout -k 10 "$secs" "$@" >>"$log" 2>&1; then
    echo "   failed (or timed out after ${secs}s): $*" >&2
    tail -n 40 "$log" | sed 's/^/   | /' >&2
    return 1
  fi
}

echo "== build (clean dist)"
rm -rf dist
bounded "$TMP/build.log" 300 npm run build

echo "== npm pack"
mkdir "$TMP/pack"
bounded "$TMP/pack.log" 300 npm pack --pack-destination "$TMP/pack"
shopt -s nullglob
tarballs=("$TMP"/pack/*.tgz)
shopt -u nullglob
if [[ ${#tarballs[@]} -ne 1 ]]; then
  echo "FAIL expected one tarball in $TMP/pack, found ${#tarballs[@]}" >&2
  exit 1
fi
TARBALL=${tarballs[0]}
echo "   $(basename "$TARBALL"), $(wc -c <"$TARBALL") bytes"

echo "== tarball contents"
tar -tzf "$TARBALL" | sed 's#^package/##' | sort >"$TMP/files.txt"
# Every path package.json points at (main, types, exports, typesVersions, bin) must be shipped;
# nothing but dist/, README.md and package.json may be; every .js in dist has its .d.ts.
if ! node - "$TMP/files.txt" "$ROOT/package.json" <<'EOF'
const fs = require('node:fs');
const [filesTxt, pkgPath] = process.argv.slice(2);
const files = new Set(fs.readFileSync(filesTxt, 'utf8').split('\n').filter(Boolean));
const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8'));
const problems = [];
const referenced = new Set(['package.json', 'README.md']);
const collect = (v) => {
  if (typeof v === 'string') referenced.add(v.replace(/^\.\//, ''));
  else if (Array.isArray(v)) v.forEach(collect);
  else if (v && typeof v === 'object') Object.values(v).forEach(collect);
};
collect([pkg.main, pkg.types, pkg.exports, pkg.bin, pkg.typesVersions]);
for (const f of referenced) {
  if (f.includes('*')) continue;
  if (!files.has(f)) problems.push(`missing ${f} (referenced by package.json)`);
}
for (const f of files) {
  if (!/^(dist\/|README\.md$|package\.json$|LICENSE)/.test(f)) problems.push(`unexpected ${f}`);
  if (/\.map$|\.tsbuildinfo$|\.test\.|(^|\/)(src|test|example-app|node_modules)\//.test(f)) problems.push(`must not ship ${f}`);
  if (/^dist\/.*\.js$/.test(f) && !files.has(f.replace(/\.js$/, '.d.ts'))) problems.push(`no declarations for ${f}`);
}
if (![...files].some((f) => f.startsWith('dist/') && f.endsWith('.d.ts'))) problems.push('no .d.ts in dist/');
if (problems.length > 0) {
  for (const p of problems.slice(0, 15)) console.error(`   ${p}`);
  if (problems.length > 15) console.error(`   ... and ${problems.length - 15} more`);
  process.exit(1);
}
console.log(`   ${files.size} files: dist/ (${[...files].filter((f) => f.endsWith('.d.ts')).length} .d.ts), README.md, package.json; no src/, test/, example-app/ or .map`);
EOF
then
  echo "FAIL tarball contents" >&2
  exit 1
fi
# The bin must start with a shebang or `npx luminate-sso-bridge-fake` cannot run it.
for bin in $(node -p 'Object.values(require("./package.json").bin || {}).map((b) => b.replace(/^\.\//, "")).join(" ")'); do
  if [[ "$(tar -xOzf "$TARBALL" "package/$bin" | head -n 1)" != '#!/usr/bin/env node' ]]; then
    echo "FAIL tarball contents: $bin has no '#!/usr/bin/env node' line" >&2
    exit 1
  fi
done

passed=0
failed=0

# run_consumer NAME: copy the fixture, point it at the tarball, install, type-check (TS), run.
# (Called as an `if` condition, where set -e does not apply: every step says `|| return 1`.)
run_consumer() {
  local name=$1 dir=$TMP/consumers/$1 log=$TMP/$1.log
  mkdir -p "$TMP/consumers" || return 1
  cp -R "$CONSUMERS/$name" "$dir" || return 1
  rm -rf "$dir/node_modules" "$dir/build" "$dir/package-lock.json" || return 1
  node -e '
    const fs = require("node:fs");
    const [file, tarball] = process.argv.slice(1);
    const text = fs.readFileSync(file, "utf8");
    if (!text.includes("__TARBALL__")) throw new Error(`${file} has no __TARBALL__ placeholder`);
    fs.writeFileSync(file, text.replaceAll("__TARBALL__", JSON.stringify(tarball).slice(1, -1)));
  ' "$dir/package.json" "$TARBALL" || return 1
  (cd "$dir" && bounded "$log" 300 npm install --no-audit --no-fund) || return 1

  local scripts_dir=$dir
  if [[ -f "$dir/tsconfig.json" ]]; then
    # Strict type-check of the consumer against the shipped .d.ts (noEmitOnError: nothing is
    # emitted unless it type-checks), then run the emitted JavaScript.
    (cd "$dir" && bounded "$log" 180 ./node_modules/.bin/tsc -p tsconfig.json) || return 1
    scripts_dir=$dir/build
  fi
  local ran=0 f
  for f in "$scripts_dir"/*.js "$scripts_dir"/*.cjs "$scripts_dir"/*.mjs; do
    [[ -f "$f" ]] || continue
    # No process.exit on success in the consumers: a process that does not end by itself (an
    # open server, socket or timer) runs into the timeout and fails.
    (cd "$dir" && bounded "$log" 60 node "$f") || return 1
    ran=$((ran + 1))
  done
  if [[ $ran -eq 0 ]]; then
    echo "   no script to run in $scripts_dir" >&2
    return 1
  fi
}

echo "== consumers"
for path in "$CONSUMERS"/*/; do
  name=$(basename "$path")
  if run_consumer "$name"; then
    echo "ok $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name"
    failed=$((failed + 1))
  fi
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
