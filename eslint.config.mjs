// @ts-check
/**
 * ESLint for gangway (`npm run lint`; part of `npm test`, with --max-warnings 0).
 * Formatting is Prettier's job (.prettierrc): eslint-config-prettier turns off every rule it would fight.
 * The TypeScript files are linted with type information (projectService over tsconfig.json), for
 * no-floating-promises and the other type-checked rules; the few plain .js files without.
 */
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** Every top-level folder of ours, for the boundaries below. */
const PRODUCT = [
  'domain',
  'workflows',
  'activities',
  'worker',
  'api',
  'db',
  'cli',
  'lib',
  'infra',
  'notify',
  'scripts',
];
const OURS = [...PRODUCT, 'test', 'bench', 'faults'];

/** `../x`, `../../x/y`…: an import of one of these top-level folders (or a file in it) from another folder. */
const ourFolder = (names) => `^(\\.\\./)+(${names.join('|')})(/.*)?$`;

/** Node's built-in modules, with or without `node:` (fs, fs/promises, crypto, …). */
const NODE_BUILTINS = {
  regex: `^(node:.*|${builtinModules.join('|')})$`,
  message: 'no Node built-ins here: this code must stay free of I/O and run inside the workflow sandbox',
};
const PG_EXPRESS = {
  regex: '^(pg|pg-.*|express)(/.*)?$',
  message: 'no database or HTTP here: that belongs to activities, db/ and api/',
};

export default defineConfig(
  globalIgnores(['dist/', 'coverage/', '.data/', '.temporal/', 'bench/results/', 'test/fixtures/histories/']),

  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // In recommendedTypeChecked already; restated so that it stays if the preset changes.
      '@typescript-eslint/no-floating-promises': 'error',

      // Off: library edges hand us `any` (req.body, express err, pg rows, res.json() in tests): ~770 findings.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Off: `async () => value` is how the code implements Promise-returning interfaces (codec, mailer, stubs).
      '@typescript-eslint/require-await': 'off',
      // As tsc's noUnused*: a leading _ marks a name unused on purpose (rest omissions, express's error handler).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
    },
  },

  // The plain JavaScript files (bin/, jest.config.js, scripts/register-ts.js): CommonJS, no type information.
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    rules: {
      '@typescript-eslint/no-require-imports': 'off', // CommonJS by design (bin/ runs dist/ without a build step).
    },
  },

  // The pages' browser scripts (api/pages/static/): ES modules served as they are, no build step.
  {
    files: ['api/pages/static/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'location',
          'history',
          'sessionStorage',
          'fetch',
          'crypto',
          'atob',
          'setTimeout',
          'clearTimeout',
          'URLSearchParams',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },

  // No import cycles between the product folders (type-only imports are erased, so they do not count).
  {
    files: PRODUCT.map((folder) => `${folder}/**/*.ts`),
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json', '.node'] })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },

  // workflows/: deterministic code for Temporal's sandbox.
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: ourFolder(['activities']),
              allowTypeImports: true,
              message: 'workflows call activities through proxyActivities: import them only as types (`import type`)',
            },
            {
              regex: ourFolder(OURS.filter((folder) => !['domain', 'workflows', 'activities'].includes(folder))),
              allowTypeImports: true,
              message: 'the code outside domain/ and workflows/ does I/O: workflows may import only its types',
            },
            NODE_BUILTINS,
            PG_EXPRESS,
          ],
        },
      ],
    },
  },

  // domain/: the pure business model: no SDK, no I/O, nothing of ours outside domain/.
  {
    files: ['domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: ourFolder(OURS.filter((folder) => folder !== 'domain')),
              message: 'domain/ depends on nothing of ours outside domain/',
            },
            { regex: '^@temporalio/', message: 'domain/ is free of the Temporal SDK' },
            NODE_BUILTINS,
            PG_EXPRESS,
          ],
        },
      ],
    },
  },

  prettier,
);
