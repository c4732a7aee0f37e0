/**
 * The folder layout of src/ (issue 19 §4), kept by a test: lower folders import nothing from
 * sso/ or login/, sso/ imports nothing from login/, and there are no import cycles, type-only
 * imports included. Reads the sources with fs and a regex over the import specifiers; nothing is
 * compiled or loaded.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(__dirname, '../../src');

/** The bottom every folder may use: helpers that import nothing of the bridge (but util). */
const BOTTOM = ['util', 'errors.ts', 'debug.ts'];

/**
 * Folder (or top-level file) → the folders it may import from. Lowest first: each layer may use
 * the ones listed before it. login/ may import sso/ only if that is unavoidable (today it is not).
 */
const ALLOWED: Record<string, readonly string[]> = {
  util: [],
  'errors.ts': ['util'],
  'debug.ts': ['util'],
  store: [...BOTTOM],
  config: [...BOTTOM, 'store'],
  luminate: [...BOTTOM, 'store', 'config'],
  'web-services': [...BOTTOM, 'store', 'config', 'luminate'],
  http: [...BOTTOM, 'store', 'config', 'luminate', 'web-services'],
  diagnostics: [...BOTTOM, 'store', 'config', 'luminate', 'web-services', 'http'],
  sso: [...BOTTOM, 'store', 'config', 'luminate', 'web-services', 'http', 'diagnostics'],
  login: [...BOTTOM, 'store', 'config', 'luminate', 'web-services', 'http', 'diagnostics'],
  doctor: [...BOTTOM, 'config', 'luminate', 'web-services', 'diagnostics'],
  // The stand-in Luminate and its CLI: a separate tree that reuses the reply readers only.
  testing: [...BOTTOM, 'config', 'luminate'],
  // The public entry point re-exports the public API of every folder (not the stand-in).
  'index.ts': [...BOTTOM, 'store', 'config', 'luminate', 'web-services', 'http', 'diagnostics', 'sso', 'login', 'doctor'],
};

/** Every way a module names another: import/export … from, side-effect import, import(), require(). */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(['"])(\.{1,2}\/[^'"]*)\1/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The file a relative specifier names (`./x` → x.ts or x/index.ts), relative to src/. */
function resolveSpecifier(from: string, specifier: string, known: ReadonlySet<string>): string | undefined {
  const base = relative(SRC, resolve(dirname(join(SRC, from)), specifier)).split('\\').join('/');
  return [`${base}.ts`, `${base}/index.ts`, base.replace(/\.js$/, '.ts')].find((candidate) => known.has(candidate));
}

type Graph = Map<string, string[]>;

/** File → the src/ files it imports (type-only imports included), read from src/. */
function importGraph(): Graph {
  const files = sourceFiles(SRC).map((f) => relative(SRC, f).split('\\').join('/'));
  const known = new Set(files);
  const graph: Graph = new Map();
  for (const file of files) {
    const text = readFileSync(join(SRC, file), 'utf8');
    const targets = [...text.matchAll(SPECIFIER)].map((m) => {
      const target = resolveSpecifier(file, m[2] as string, known);
      if (target === undefined) throw new Error(`${file}: cannot resolve ${m[2]}`);
      return target;
    });
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** `sso/x.ts` → `sso`; a top-level file is its own layer (`errors.ts`). */
function folderOf(file: string): string {
  const slash = file.indexOf('/');
  return slash === -1 ? file : file.slice(0, slash);
}

/** Every cross-folder import the table does not allow, as `from -> to`. */
function layerViolations(graph: Graph): string[] {
  const out: string[] = [];
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    for (const target of targets) {
      const to = folderOf(target);
      if (to === from) continue;
      const allowed = ALLOWED[from];
      if (allowed === undefined || !allowed.includes(to)) out.push(`${file} -> ${target}`);
    }
  }
  return out.sort();
}

/** The import cycles (each as a file path ending where it started); empty when there are none. */
function cycles(graph: Graph): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (state.get(file) === undefined) visit(file);
  return found;
}

describe('the src/ layout (issue 19 §4)', () => {
  const graph = importGraph();

  it('reads the imports of every file, type-only ones included', () => {
    expect(graph.size).toBeGreaterThan(50);
    // sso/options.ts only imports types; they count.
    expect(graph.get('sso/options.ts')).toEqual(expect.arrayContaining(['config/site.ts', 'luminate/types.ts']));
  });

  it('every folder of src/ has a row in the layering table', () => {
    const folders = new Set([...graph.keys()].map(folderOf));
    expect([...folders].filter((f) => ALLOWED[f] === undefined)).toEqual([]);
  });

  it('has no import cycles, type-only imports included', () => {
    expect(cycles(graph).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('follows the layering: lower folders import nothing from sso/ or login/, sso/ nothing from login/', () => {
    expect(layerViolations(graph)).toEqual([]);
  });

  it('catches an import of src/sso from src/http, and a cycle', () => {
    const broken: Graph = new Map(graph);
    broken.set('http/failure.ts', [...(graph.get('http/failure.ts') ?? []), 'sso/options.ts']);
    expect(layerViolations(broken)).toEqual(['http/failure.ts -> sso/options.ts']);
    const cyclic: Graph = new Map(graph);
    cyclic.set('store/store.ts', ['store/sliding-window.ts']);
    cyclic.set('store/sliding-window.ts', ['store/store.ts']);
    const found = cycles(cyclic);
    expect(found).toHaveLength(1);
    expect(found[0]).toEqual(expect.arrayContaining(['store/store.ts', 'store/sliding-window.ts']));
  });

  it('has no file over 250 lines outside src/testing', () => {
    const long = [...graph.keys()]
      .filter((file) => !file.startsWith('testing/'))
      .map((file) => ({ file, lines: readFileSync(join(SRC, file), 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > 250);
    expect(long).toEqual([]);
  });
});
