/**
 * Runs in node: `npm run check:electron-security`. A static check of electron/ for the Electronegativity
 * class of mistakes, type-aware (TypeScript's compiler API, already a dependency), exiting non-zero on any
 * finding that is not answered in code.
 *
 * Answering a finding: a comment on the line before, `// security-check: allow <ID> <why>`. It is then
 * listed as answered and does not fail the check.
 *
 * Checks (IDs after Electronegativity's):
 *   NODE_INTEGRATION         nodeIntegration / nodeIntegrationInWorker / nodeIntegrationInSubFrames not `false`
 *   CONTEXT_ISOLATION        contextIsolation not `true`
 *   SANDBOX                  sandbox not `true`
 *   WEB_SECURITY             webSecurity not `true`
 *   INSECURE_CONTENT         allowRunningInsecureContent not `false`
 *   EXPERIMENTAL_FEATURES    experimentalFeatures `true`, or enableBlinkFeatures set
 *   WEBVIEW_TAG              webviewTag not `false`
 *   HIDDEN_WEB_PREFERENCES   a window made with webPreferences this check cannot see (not an object literal)
 *   CSP_MISSING              an HTML page without a CSP meta, or no CSP header set by main
 *   CSP_WEAK                 a CSP with 'unsafe-eval', 'unsafe-inline' or a wildcard in script-src/default-src
 *   OPEN_EXTERNAL            shell.openExternal with anything but a literal https: URL or allowedExternalUrl(...)
 *   WINDOW_OPEN_HANDLER      a window made where no setWindowOpenHandler denies new windows
 *   LIMIT_NAVIGATION         a window made where no will-navigate listener calls preventDefault
 *   PERMISSION_HANDLER       windows made, but no session.setPermissionRequestHandler anywhere
 *   EXPOSED_IPC_RENDERER     ipcRenderer (or one of its methods) handed to exposeInMainWorld
 *   IPC_CHANNEL_NOT_LITERAL  an IPC call whose channel is typed `string` rather than a contract channel
 *   BYPASS_CSP               a privileged scheme with bypassCSP: true
 *   CERTIFICATE_ERRORS       a certificate-error listener or setCertificateVerifyProc
 *   DANGEROUS_FUNCTIONS      eval, new Function, innerHTML / outerHTML / insertAdjacentHTML, document.write
 *   INLINE_SCRIPT            an HTML page with inline script or on* handler attributes, or a <webview>
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export interface Finding {
  readonly id: string;
  readonly file: string;
  readonly line: number;
  readonly message: string;
  /** The reason given in an `allow` comment; undefined when the finding stands. */
  readonly answered?: string;
}

export interface ScanInput {
  /** Folder to scan (electron/), for `.ts`, `.cts`, `.html`. */
  readonly dir: string;
  /** Extra or replacement file contents by absolute path (tests). Files here need not exist on disk. */
  readonly overrides?: ReadonlyMap<string, string>;
}

const PREFERENCE_RULES: Readonly<Record<string, { id: string; want: boolean }>> = {
  nodeIntegration: { id: 'NODE_INTEGRATION', want: false },
  nodeIntegrationInWorker: { id: 'NODE_INTEGRATION', want: false },
  nodeIntegrationInSubFrames: { id: 'NODE_INTEGRATION', want: false },
  contextIsolation: { id: 'CONTEXT_ISOLATION', want: true },
  sandbox: { id: 'SANDBOX', want: true },
  webSecurity: { id: 'WEB_SECURITY', want: true },
  allowRunningInsecureContent: { id: 'INSECURE_CONTENT', want: false },
  webviewTag: { id: 'WEBVIEW_TAG', want: false },
};
/** What every webPreferences literal must say out loud (defaults change between Electron versions). */
const REQUIRED_PREFERENCES = ['contextIsolation', 'sandbox', 'nodeIntegration', 'webSecurity'];
const IPC_METHODS = new Set([
  'invoke',
  'send',
  'sendSync',
  'on',
  'once',
  'handle',
  'handleOnce',
  'removeListener',
  'off',
]);
const IPC_OBJECTS = new Set(['ipcRenderer', 'ipcMain', 'webContents', 'contents']);

export function scan(input: ScanInput): Finding[] {
  const files = listFiles(input.dir, input.overrides);
  const read = (file: string): string => input.overrides?.get(file) ?? fs.readFileSync(file, 'utf8');
  const findings: Finding[] = [];
  const add = (id: string, file: string, line: number, message: string, text: string): void => {
    const answered = allowed(text, line, id);
    findings.push({ id, file, line, message, ...(answered === undefined ? {} : { answered }) });
  };

  const htmlFiles = files.filter((f) => f.endsWith('.html'));
  for (const file of htmlFiles) scanHtml(file, read(file), add);

  const codeFiles = files.filter((f) => /\.c?ts$/.test(f) && !f.endsWith('.d.ts'));
  const program = makeProgram(codeFiles, input.overrides);
  const checker = program.getTypeChecker();
  const facts = {
    windowsMade: [] as { file: string; line: number; text: string }[],
    permissionHandler: false,
    cspHeader: false,
  };
  const windowFactories: { node: ts.Node; sf: ts.SourceFile }[] = [];

  for (const file of codeFiles) {
    const sf = program.getSourceFile(file);
    if (!sf) continue;
    const text = sf.text;
    const lineOf = (node: ts.Node): number => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    const visit = (node: ts.Node): void => {
      if (ts.isObjectLiteralExpression(node) && isWebPreferences(node, checker)) {
        checkPreferences(node, sf, lineOf, (id, line, message) => add(id, file, line, message, text));
      }
      if (
        ts.isPropertyAssignment(node) &&
        propName(node) === 'bypassCSP' &&
        node.initializer.kind === ts.SyntaxKind.TrueKeyword
      ) {
        add('BYPASS_CSP', file, lineOf(node), 'a privileged scheme may not bypass the CSP', text);
      }
      if (
        ts.isNewExpression(node) &&
        /^(BrowserWindow|BrowserView|WebContentsView)$/.test(node.expression.getText(sf))
      ) {
        const options = node.arguments?.[0];
        const prefs =
          options && ts.isObjectLiteralExpression(options) ? property(options, 'webPreferences') : undefined;
        if (!prefs || !ts.isObjectLiteralExpression(prefs)) {
          add(
            'HIDDEN_WEB_PREFERENCES',
            file,
            lineOf(node),
            `${node.expression.getText(sf)} made without a webPreferences literal`,
            text,
          );
        }
        windowFactories.push({ node, sf });
        facts.windowsMade.push({ file, line: lineOf(node), text });
      }
      if (ts.isCallExpression(node))
        checkCall(
          node,
          sf,
          checker,
          lineOf,
          (id, line, message) => add(id, file, line, message, text),
          facts,
        );
      const policy = cspText(node);
      if (policy !== null) {
        const weak = weakCsp(policy);
        if (weak) add('CSP_WEAK', file, lineOf(node), weak, text);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }

  // Each window must be made where new windows are denied and navigation is limited. A one-line adapter
  // (`createWindow: (o) => new BrowserWindow(o)`) passes the duty to every caller of that port.
  for (const { node, sf } of windowFactories) {
    for (const site of guardSites(node, sf, program, codeFiles)) {
      const line = site.sf.getLineAndCharacterOfPosition(site.node.getStart(site.sf)).line + 1;
      const body = site.scope.getText(site.sf);
      if (!/setWindowOpenHandler\([^]*?action:\s*'deny'/.test(body)) {
        add(
          'WINDOW_OPEN_HANDLER',
          site.sf.fileName,
          line,
          'window made without setWindowOpenHandler(() => ({ action: "deny" }))',
          site.sf.text,
        );
      }
      if (!/\.on\(\s*'will-navigate'[^]*?preventDefault\(\)/.test(body)) {
        add(
          'LIMIT_NAVIGATION',
          site.sf.fileName,
          line,
          "window made without a 'will-navigate' guard calling preventDefault()",
          site.sf.text,
        );
      }
    }
  }
  if (facts.windowsMade.length > 0) {
    const first = facts.windowsMade[0]!;
    if (!facts.permissionHandler)
      add(
        'PERMISSION_HANDLER',
        first.file,
        first.line,
        'no session.setPermissionRequestHandler: web permissions follow the default',
        first.text,
      );
    if (!facts.cspHeader)
      add(
        'CSP_MISSING',
        first.file,
        first.line,
        'main sets no Content-Security-Policy header (session.webRequest.onHeadersReceived)',
        first.text,
      );
  }
  return findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/**
 * The CSP a node spells, if it spells one: a string literal, or an array of literals joined into one
 * (`[...].join('; ')`), whose parts are then not read again one by one. `${...}` reads as a host name.
 */
function cspText(node: ts.Node): string | null {
  const looksLikeCsp = (text: string): boolean => /(^|;\s*)(default-src|script-src)\s/.test(text);
  const literal = (n: ts.Node): string | null => {
    if (ts.isStringLiteralLike(n)) return n.text;
    if (ts.isTemplateExpression(n))
      return n.head.text + n.templateSpans.map((span) => `host.example${span.literal.text}`).join('');
    return null;
  };
  if (ts.isArrayLiteralExpression(node) && isJoined(node)) {
    const parts = node.elements.map(literal);
    if (parts.some((p) => p === null)) return null;
    const text = parts.join('; ');
    return looksLikeCsp(text) ? text : null;
  }
  if (node.parent && ts.isArrayLiteralExpression(node.parent) && isJoined(node.parent)) return null;
  const text = literal(node);
  return text !== null && looksLikeCsp(text) ? text : null;
}

function isJoined(node: ts.ArrayLiteralExpression): boolean {
  const parent = node.parent;
  return (
    ts.isPropertyAccessExpression(parent) && parent.name.text === 'join' && ts.isCallExpression(parent.parent)
  );
}

function listFiles(dir: string, overrides: ReadonlyMap<string, string> | undefined): string[] {
  const found = new Set<string>();
  const walk = (folder: string): void => {
    if (!fs.existsSync(folder)) return;
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(c?ts|html)$/.test(entry.name)) found.add(full);
    }
  };
  walk(dir);
  for (const file of overrides?.keys() ?? []) if (file.startsWith(dir + path.sep)) found.add(file);
  return [...found].sort();
}

const declarationCache = new Map<string, ts.SourceFile>();

function makeProgram(files: string[], overrides: ReadonlyMap<string, string> | undefined): ts.Program {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    noEmit: true,
    strict: true,
    skipLibCheck: true,
    types: ['node'],
    lib: ['lib.es2023.d.ts'],
  };
  const base = ts.createCompilerHost(options, true);
  const host: ts.CompilerHost = {
    ...base,
    fileExists: (f) => overrides?.has(f) === true || base.fileExists(f),
    readFile: (f) => overrides?.get(f) ?? base.readFile(f),
    getSourceFile: (f, language, ...rest) => {
      const text = overrides?.get(f);
      if (text !== undefined) return ts.createSourceFile(f, text, language, true);
      // Declaration files (lib, @types/node, electron.d.ts) do not change during a run: parse them once.
      if (!f.endsWith('.d.ts')) return base.getSourceFile(f, language, ...rest);
      let cached = declarationCache.get(f);
      if (!cached) {
        cached = base.getSourceFile(f, language, ...rest);
        if (cached) declarationCache.set(f, cached);
      }
      return cached;
    },
  };
  return ts.createProgram({ rootNames: files, options, host });
}

function isWebPreferences(node: ts.ObjectLiteralExpression, checker: ts.TypeChecker): boolean {
  const parent = node.parent;
  if (ts.isPropertyAssignment(parent) && propName(parent) === 'webPreferences') return true;
  const contextual = checker.getContextualType(node);
  return (
    contextual?.getSymbol()?.getName() === 'WebPreferences' ||
    contextual?.aliasSymbol?.getName() === 'WebPreferences'
  );
}

function checkPreferences(
  node: ts.ObjectLiteralExpression,
  sf: ts.SourceFile,
  lineOf: (n: ts.Node) => number,
  add: (id: string, line: number, message: string) => void,
): void {
  const seen = new Set<string>();
  for (const member of node.properties) {
    if (!ts.isPropertyAssignment(member) && !ts.isShorthandPropertyAssignment(member)) continue;
    const name = propName(member);
    if (!name) continue;
    seen.add(name);
    const value = ts.isPropertyAssignment(member) ? member.initializer : undefined;
    const literal =
      value?.kind === ts.SyntaxKind.TrueKeyword
        ? true
        : value?.kind === ts.SyntaxKind.FalseKeyword
          ? false
          : undefined;
    const rule = PREFERENCE_RULES[name];
    if (rule && literal !== rule.want) {
      add(
        rule.id,
        lineOf(member),
        `${name}: ${value?.getText(sf) ?? name} (must be the literal ${String(rule.want)})`,
      );
    }
    if ((name === 'experimentalFeatures' && literal !== false) || name === 'enableBlinkFeatures') {
      add('EXPERIMENTAL_FEATURES', lineOf(member), `${name} must not be enabled`);
    }
  }
  const missing = REQUIRED_PREFERENCES.filter((name) => !seen.has(name));
  if (missing.length > 0) {
    const rule = PREFERENCE_RULES[missing[0]!]!;
    add(rule.id, lineOf(node), `webPreferences does not set ${missing.join(', ')} explicitly`);
  }
}

function checkCall(
  node: ts.CallExpression,
  sf: ts.SourceFile,
  checker: ts.TypeChecker,
  lineOf: (n: ts.Node) => number,
  add: (id: string, line: number, message: string) => void,
  facts: { permissionHandler: boolean; cspHeader: boolean },
): void {
  const callee = node.expression;
  const method = ts.isPropertyAccessExpression(callee)
    ? callee.name.text
    : ts.isIdentifier(callee)
      ? callee.text
      : '';
  const target = ts.isPropertyAccessExpression(callee) ? lastName(callee.expression) : '';
  const first = node.arguments[0];

  if (method === 'setPermissionRequestHandler') facts.permissionHandler = true;
  if (
    method === 'onHeadersReceived' &&
    /Content-Security-Policy|withCsp/i.test(enclosingFunction(node).getText(sf))
  )
    facts.cspHeader = true;

  if (method === 'openExternal') {
    const ok =
      first !== undefined &&
      ((ts.isStringLiteralLike(first) && first.text.startsWith('https://')) ||
        (ts.isCallExpression(first) && first.expression.getText(sf) === 'allowedExternalUrl'));
    if (!ok)
      add('OPEN_EXTERNAL', lineOf(node), 'openExternal with input not checked by allowedExternalUrl(...)');
  }

  if (method === 'exposeInMainWorld' && node.arguments[1]) {
    let exposed: ts.Node = node.arguments[1];
    if (ts.isIdentifier(exposed) && exposed.text !== 'ipcRenderer') {
      const declaration = checker.getSymbolAtLocation(exposed)?.valueDeclaration;
      if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer)
        exposed = declaration.initializer;
    }
    const leak = findIpcRendererLeak(exposed);
    if (leak) add('EXPOSED_IPC_RENDERER', lineOf(leak), `exposes ${leak.getText(sf)} to the page`);
  }

  if (IPC_METHODS.has(method) && IPC_OBJECTS.has(target) && first) {
    const type = checker.getTypeAtLocation(first);
    if (!isLiteralStringType(type, checker)) {
      add(
        'IPC_CHANNEL_NOT_LITERAL',
        lineOf(node),
        `${target}.${method} channel is typed ${checker.typeToString(type)}, not a contract channel`,
      );
    }
  }

  if (method === 'eval' || (method === 'write' && target === 'document') || method === 'insertAdjacentHTML') {
    add('DANGEROUS_FUNCTIONS', lineOf(node), `${callee.getText(sf)}(...)`);
  }
  if (
    (method === 'on' || method === 'once') &&
    first &&
    ts.isStringLiteralLike(first) &&
    first.text === 'certificate-error'
  ) {
    add('CERTIFICATE_ERRORS', lineOf(node), "a 'certificate-error' listener can accept bad certificates");
  }
  if (method === 'setCertificateVerifyProc')
    add('CERTIFICATE_ERRORS', lineOf(node), 'setCertificateVerifyProc overrides certificate checks');
}

/** An `ipcRenderer` reference inside the exposed value that is not the callee of a call (`ipcRenderer.invoke(...)`). */
function findIpcRendererLeak(root: ts.Node): ts.Node | null {
  let leak: ts.Node | null = null;
  const visit = (node: ts.Node): void => {
    if (leak) return;
    if (ts.isIdentifier(node) && node.text === 'ipcRenderer') {
      const parent = node.parent;
      const calledMember =
        ts.isPropertyAccessExpression(parent) &&
        parent.expression === node &&
        ts.isCallExpression(parent.parent) &&
        parent.parent.expression === parent;
      if (!calledMember) leak = ts.isPropertyAccessExpression(parent) ? parent : node;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(root);
  return leak;
}

function isLiteralStringType(type: ts.Type, checker: ts.TypeChecker): boolean {
  const resolved = type.isTypeParameter() ? checker.getBaseConstraintOfType(type) : type;
  if (!resolved) return false;
  if (resolved.isUnion()) return resolved.types.every((t) => t.isStringLiteral());
  return resolved.isStringLiteral();
}

/** Where the guards for a window must be: its own function, or each caller of the adapter it is made in. */
function guardSites(
  made: ts.Node,
  sf: ts.SourceFile,
  program: ts.Program,
  files: readonly string[],
): { node: ts.Node; sf: ts.SourceFile; scope: ts.Node }[] {
  const scope = enclosingFunction(made);
  const adapterName =
    (ts.isArrowFunction(scope) || ts.isFunctionExpression(scope)) && ts.isPropertyAssignment(scope.parent)
      ? propName(scope.parent)
      : undefined;
  if (!adapterName) return [{ node: made, sf, scope }];
  const sites: { node: ts.Node; sf: ts.SourceFile; scope: ts.Node }[] = [];
  for (const file of files) {
    const other = program.getSourceFile(file);
    if (!other) continue;
    const visit = (node: ts.Node): void => {
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        node.expression.name.text === adapterName
      ) {
        sites.push({ node, sf: other, scope: enclosingFunction(node) });
      }
      ts.forEachChild(node, visit);
    };
    visit(other);
  }
  return sites;
}

function enclosingFunction(node: ts.Node): ts.Node {
  let current: ts.Node = node.parent;
  while (current && !ts.isFunctionLike(current) && !ts.isSourceFile(current)) current = current.parent;
  return current ?? node.getSourceFile();
}

function property(node: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const member of node.properties) {
    if (ts.isPropertyAssignment(member) && propName(member) === name) return member.initializer;
  }
  return undefined;
}

function propName(node: ts.PropertyAssignment | ts.ShorthandPropertyAssignment): string | undefined {
  const name = node.name;
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}

function lastName(node: ts.Expression): string {
  if (ts.isIdentifier(node)) return node.text;
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  return '';
}

/** What is weak in a CSP, or null. */
export function weakCsp(policy: string): string | null {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  const scripts = directives.get('script-src') ?? directives.get('default-src');
  if (!scripts) return 'the CSP sets neither script-src nor default-src';
  for (const bad of ["'unsafe-eval'", "'unsafe-inline'", '*', 'data:', 'http:', 'https:']) {
    if (scripts.includes(bad)) return `script sources allow ${bad}`;
  }
  if (!directives.has('object-src') && !(directives.get('default-src') ?? []).includes("'none'")) {
    return "the CSP does not restrict object-src (set object-src 'none')";
  }
  return null;
}

function scanHtml(
  file: string,
  html: string,
  add: (id: string, file: string, line: number, message: string, text: string) => void,
): void {
  const lineAt = (index: number): number => html.slice(0, index).split('\n').length;
  const meta = /<meta\s+http-equiv=["']Content-Security-Policy["']\s+content=(?:"([^"]*)"|'([^']*)')/i.exec(
    html,
  );
  if (!meta) add('CSP_MISSING', file, 1, 'page has no Content-Security-Policy meta', html);
  else {
    const weak = weakCsp(meta[1] ?? meta[2] ?? '');
    if (weak) add('CSP_WEAK', file, lineAt(meta.index), weak, html);
  }
  for (const match of html.matchAll(/<script\b([^>]*)>([^]*?)<\/script>/gi)) {
    if (!/\bsrc=/.test(match[1] ?? '') || (match[2] ?? '').trim() !== '') {
      add('INLINE_SCRIPT', file, lineAt(match.index), 'inline script', html);
    }
  }
  for (const match of html.matchAll(/<[a-z][^>]*\son[a-z]+\s*=/gi))
    add('INLINE_SCRIPT', file, lineAt(match.index), 'inline event handler attribute', html);
  for (const match of html.matchAll(/<webview\b/gi))
    add('WEBVIEW_TAG', file, lineAt(match.index), '<webview> in a page', html);
  for (const match of html.matchAll(/\b(src|href)=["']http:/gi))
    add('INSECURE_CONTENT', file, lineAt(match.index), 'resource over http:', html);
}

/** The reason of `// security-check: allow ID reason` on the line before `line` (or at its end), if any. */
function allowed(text: string, line: number, id: string): string | undefined {
  const lines = text.split('\n');
  for (const candidate of [lines[line - 2], lines[line - 1]]) {
    const match = candidate?.match(/security-check: allow ([A-Z_]+)\s+(.+?)\s*(\*\/|-->)?\s*$/);
    if (match && match[1] === id) return match[2];
  }
  return undefined;
}

/** innerHTML / outerHTML assignments are found by text: they are property writes, not calls. */
function htmlSinks(files: readonly string[], read: (file: string) => string): Finding[] {
  const findings: Finding[] = [];
  for (const file of files) {
    const text = read(file);
    for (const match of text.matchAll(/\.(innerHTML|outerHTML)\s*=|new Function\s*\(/g)) {
      const line = text.slice(0, match.index).split('\n').length;
      const answered = allowed(text, line, 'DANGEROUS_FUNCTIONS');
      findings.push({
        id: 'DANGEROUS_FUNCTIONS',
        file,
        line,
        message: match[0],
        ...(answered === undefined ? {} : { answered }),
      });
    }
  }
  return findings;
}

export function scanAll(input: ScanInput): Finding[] {
  const read = (file: string): string => input.overrides?.get(file) ?? fs.readFileSync(file, 'utf8');
  const code = listFiles(input.dir, input.overrides).filter((f) => /\.c?ts$/.test(f));
  return [...scan(input), ...htmlSinks(code, read)];
}

function main(): number {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const dir = path.join(root, 'electron');
  const findings = scanAll({ dir });
  const open = findings.filter((f) => f.answered === undefined);
  for (const f of findings) {
    const where = `${path.relative(root, f.file)}:${f.line}`;
    console.log(
      `${f.answered === undefined ? 'FINDING ' : 'answered'} ${f.id} ${where} ${f.message}${f.answered ? ` (${f.answered})` : ''}`,
    );
  }
  console.log(
    `electron security check: ${open.length} finding(s), ${findings.length - open.length} answered in code`,
  );
  return open.length === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) process.exit(main());
