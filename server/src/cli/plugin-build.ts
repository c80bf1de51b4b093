// `clutch plugin build <entry.ts> [--out dir]`: a TypeScript plugin written with @clutch/plugin-sdk's
// definePlugin → manifest.json + bundle.js, the two files the server takes (docs/plugins.md).
//
// There is no bundler in the project (no esbuild): a plugin is ONE file. TypeScript's transpileModule
// strips the types and turns the module into CommonJS; the bundle wraps it in a function that gets a
// tiny `require` knowing only @clutch/plugin-sdk (whose run-time part, definePlugin, is an identity
// function inlined here) and assigns the default export's `plugin` to the global `plugin`: a classic
// script, as the runtime wants. Any other value import is refused at build time with its line.
// The manifest is read by running the same module once in a node:vm context (the author's own code,
// on the author's machine), then checked with the server's own validatePlugin.
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { createError } from '../errors.ts';
import { validatePlugin, type PluginDefinition } from '../plugins/index.ts';

export const PluginBuildFailed = createError('CLUTCH_PLUGIN_BUILD_FAILED', 'cannot build the plugin: %s', 422);

export const SDK_MODULE = '@clutch/plugin-sdk';
/** The run-time part of @clutch/plugin-sdk, inlined in every bundle (keep in step with sdk/plugin/src/index.ts). */
const SDK_RUNTIME = `{ definePlugin: function definePlugin(def) { return def; }, HOST_API: '^1.0.0' }`;
const SDK_VALUES = new Set(['definePlugin', 'HOST_API']);

export interface BuiltPlugin {
  manifest: unknown;
  bundle: string;
  /** The validated definition (what the runtime loads). */
  def: PluginDefinition;
}

/** Builds a plugin from its TypeScript source. `file` names it in messages. Throws CLUTCH_PLUGIN_BUILD_FAILED or a manifest error. */
export async function buildPluginSource(source: string, file: string): Promise<BuiltPlugin> {
  const { default: ts } = await import('typescript');
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const where = (n: import('typescript').Node) => `${basename(file)}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`;
  let hasDefault = false;
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st)) {
      const from = (st.moduleSpecifier as import('typescript').StringLiteral).text;
      const clause = st.importClause;
      if (clause?.isTypeOnly) continue; // erased
      if (from !== SDK_MODULE) {
        const named = clause?.namedBindings;
        const allTypes = !!clause && !clause.name && !!named && ts.isNamedImports(named) && named.elements.every((e) => e.isTypeOnly);
        if (allTypes) continue;
        throw new PluginBuildFailed(`${where(st)} imports "${from}": a plugin is one file and may import only from ${SDK_MODULE} (and types with \`import type\`); copy the code you need into the plugin`);
      }
      if (clause?.name || (clause?.namedBindings && ts.isNamespaceImport(clause.namedBindings))) throw new PluginBuildFailed(`${where(st)}: import named values from ${SDK_MODULE} (import { definePlugin } from '${SDK_MODULE}')`);
      if (clause?.namedBindings && ts.isNamedImports(clause.namedBindings)) {
        for (const e of clause.namedBindings.elements) {
          const name = (e.propertyName ?? e.name).text;
          if (!e.isTypeOnly && !SDK_VALUES.has(name)) throw new PluginBuildFailed(`${where(e)}: ${SDK_MODULE} has no run-time value "${name}" (values: ${[...SDK_VALUES].join(', ')}; the rest are types: use \`import type\`)`);
        }
      }
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier && !st.isTypeOnly) {
      throw new PluginBuildFailed(`${where(st)}: re-exports from other modules are not supported in a plugin`);
    } else if (ts.isExportAssignment(st) && !st.isExportEquals) hasDefault = true;
  }
  if (!hasDefault) throw new PluginBuildFailed(`${basename(file)} has no default export: end it with \`export default definePlugin({ manifest, plugin })\``);

  const out = ts.transpileModule(source, {
    fileName: basename(file),
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false, isolatedModules: true, removeComments: true, sourceMap: false, inlineSourceMap: false },
  });
  const diag = out.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (diag) {
    const at = diag.file && diag.start !== undefined ? `${basename(file)}:${diag.file.getLineAndCharacterOfPosition(diag.start).line + 1}: ` : '';
    throw new PluginBuildFailed(`${at}${ts.flattenDiagnosticMessageText(diag.messageText, ' ')}`);
  }
  const code = out.outputText.replace(/\n\/\/# sourceMappingURL=.*$/m, '').trimEnd();
  // An expression whose value is the module's default export.
  const moduleExpr = [
    '(function () {',
    `  var SDK = ${SDK_RUNTIME};`,
    '  var module = { exports: {} };',
    `  var require = function (name) { if (name === ${JSON.stringify(SDK_MODULE)}) return SDK; throw new Error('a plugin bundle cannot require ' + name); };`,
    '  (function (exports, module, require) {',
    code,
    '  })(module.exports, module, require);',
    '  var def = module.exports.default;',
    "  if (def === null || typeof def !== 'object' || def.plugin === null || typeof def.plugin !== 'object') throw new Error('the default export must be definePlugin({ manifest, plugin })');",
    '  return def;',
    '})()',
  ].join('\n');

  let manifest: unknown;
  try {
    const def = runInNewContext(moduleExpr, Object.create(null) as object, { timeout: 2_000, filename: basename(file) }) as { manifest?: unknown };
    manifest = JSON.parse(JSON.stringify(def.manifest ?? null)) as unknown;
  } catch (err) {
    throw new PluginBuildFailed(`running ${basename(file)} to read its manifest failed: ${(err as Error)?.message ?? String(err)}`);
  }
  if (manifest === null || typeof manifest !== 'object') throw new PluginBuildFailed('definePlugin() needs a manifest object');
  const m = manifest as { name?: unknown; version?: unknown };
  const bundle = `/* eslint-disable */\n// ${String(m.name)}@${String(m.version)}: built by \`clutch plugin build\` from ${basename(file)}. A classic script defining the global \`plugin\`.\nvar plugin = ${moduleExpr}.plugin;\n`;
  const def = validatePlugin(manifest, bundle);
  return { manifest, bundle, def };
}

/** Builds entry into outDir (default: the entry's folder) as manifest.json and bundle.js. */
export async function buildPlugin(entry: string, outDir?: string): Promise<BuiltPlugin & { files: string[] }> {
  const built = await buildPluginSource(await readFile(entry, 'utf8'), resolve(entry));
  const dir = resolve(outDir ?? dirname(entry));
  await mkdir(dir, { recursive: true });
  const files = [join(dir, 'manifest.json'), join(dir, 'bundle.js')];
  await writeFile(files[0]!, `${JSON.stringify(built.manifest, null, 2)}\n`);
  await writeFile(files[1]!, built.bundle);
  return { ...built, files };
}
