import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { PRELOADED_MODULES, WORKFLOWS_PATH } from '../../worker/workflow-bundle';

/**
 * Preloaded workflow modules are shared by every workflow in a reused V8 context
 * (worker/workflow-bundle.ts): state at module scope would leak from one onboarding into another
 * and break replay. So every module they load may hold, at module scope, only imports, types,
 * functions, classes without static state, and constants made of literals, arrow functions and
 * the SDK's stateless definitions.
 */
const STATELESS_CALLS = new Set([
  'proxyActivities',
  'proxyLocalActivities',
  'defineQuery',
  'defineSignal',
  'defineUpdate',
  // Returns `{ name, type }`, nothing more (@temporalio/common): a key, not state.
  'defineSearchAttributeKey',
]);

function moduleStateProblems(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true);
  const problems: string[] = [];
  const where = (node: ts.Node) =>
    `${path.basename(fileName)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;

  const checkInitializer = (init: ts.Node) => {
    const visit = (node: ts.Node): void => {
      if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return; // runs later, inside a workflow
      if (ts.isNewExpression(node))
        problems.push(`${where(node)}: an object made at module scope (${node.expression.getText()})`);
      if (ts.isCallExpression(node)) {
        const callee = ts.isPropertyAccessExpression(node.expression)
          ? node.expression.name.text
          : node.expression.getText();
        if (!STATELESS_CALLS.has(callee)) problems.push(`${where(node)}: a call at module scope (${callee})`);
      }
      ts.forEachChild(node, visit);
    };
    visit(init);
  };

  for (const statement of file.statements) {
    if (ts.isVariableStatement(statement)) {
      if (!(statement.declarationList.flags & ts.NodeFlags.Const))
        problems.push(`${where(statement)}: a let or var at module scope`);
      for (const d of statement.declarationList.declarations) if (d.initializer) checkInitializer(d.initializer);
    } else if (ts.isClassDeclaration(statement)) {
      for (const member of statement.members) {
        const isStatic =
          ts.canHaveModifiers(member) && ts.getModifiers(member)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
        if (isStatic && (ts.isPropertyDeclaration(member) || ts.isClassStaticBlockDeclaration(member)))
          problems.push(`${where(member)}: static state in class ${statement.name?.text}`);
      }
    } else if (ts.isExpressionStatement(statement)) {
      problems.push(`${where(statement)}: code that runs at module scope`);
    } else if (!(
      ts.isImportDeclaration(statement) ||
      ts.isExportDeclaration(statement) ||
      ts.isFunctionDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement) ||
      ts.isInterfaceDeclaration(statement) ||
      ts.isEnumDeclaration(statement)
    )) {
      problems.push(`${where(statement)}: a ${ts.SyntaxKind[statement.kind]} at module scope`);
    }
  }
  return problems;
}

/** The project's own files the preloaded modules load at run time (type-only imports are erased). */
function projectModulesLoadedBy(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const fileName = queue.pop()!;
    if (seen.has(fileName)) continue;
    seen.add(fileName);
    const file = ts.createSourceFile(fileName, readFileSync(fileName, 'utf8'), ts.ScriptTarget.ES2022, true);
    for (const s of file.statements) {
      const specifier =
        (ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) &&
        s.moduleSpecifier &&
        ts.isStringLiteral(s.moduleSpecifier)
          ? s.moduleSpecifier.text
          : undefined;
      const typeOnly = ts.isImportDeclaration(s)
        ? s.importClause?.isTypeOnly
        : ts.isExportDeclaration(s) && s.isTypeOnly;
      if (!specifier?.startsWith('.') || typeOnly) continue;
      const base = path.resolve(path.dirname(fileName), specifier);
      queue.push(
        [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) =>
          readdirSync(path.dirname(candidate)).includes(path.basename(candidate)),
        )!,
      );
    }
  }
  return [...seen];
}

describe('preloaded workflow modules', () => {
  const entry = WORKFLOWS_PATH.replace(/\.js$/, '.ts');

  it('preload the workflows and everything they import', () => {
    expect(PRELOADED_MODULES).toEqual([WORKFLOWS_PATH]);
    expect(projectModulesLoadedBy(entry).map((f) => path.relative(path.dirname(entry), f))).toEqual(
      expect.arrayContaining([
        'index.ts',
        'onboarding.ts',
        'activity-options.ts',
        'messages.ts',
        'approval-tasks.ts',
        'state.ts',
        '../domain/index.ts',
        '../domain/approval-rules.ts',
      ]),
    );
  });

  it('keep no state at module scope', () => {
    const problems = projectModulesLoadedBy(entry).flatMap((f) => moduleStateProblems(f, readFileSync(f, 'utf8')));
    expect(problems).toEqual([]);
  });

  it('would be caught holding some', () => {
    const source = [
      "import { proxyActivities } from '@temporalio/workflow';",
      'export const db = proxyActivities({ startToCloseTimeout: 1 });',
      'let started = 0;',
      'const seen = new Map();',
      'const id = makeId();',
      'export class Registry { static entries = []; add() {} }',
      'started += 1;',
      'export const later = () => new Set();',
    ].join('\n');
    expect(moduleStateProblems('stateful.ts', source)).toEqual([
      'stateful.ts:3: a let or var at module scope',
      'stateful.ts:4: an object made at module scope (Map)',
      'stateful.ts:5: a call at module scope (makeId)',
      'stateful.ts:6: static state in class Registry',
      'stateful.ts:7: code that runs at module scope',
    ]);
  });
});
