import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'data/**', 'packages/api-client/src/schema.ts', 'test-results/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      // Portability rules (docs/architecture): no PostgreSQL-only query builder calls in shared code.
      'no-restricted-syntax': ['error',
        { selector: "Literal[value='ilike']", message: 'ILIKE is PostgreSQL-only; use containsCi() from db/dialect.ts.' },
        { selector: "CallExpression[callee.property.name='distinctOn']", message: 'DISTINCT ON is PostgreSQL-only.' },
      ],
    },
  },
);
