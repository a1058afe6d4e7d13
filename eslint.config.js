import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true }),
  {
    rules: {
      // `void promise` as a statement is how the code marks a promise it deliberately does not wait for.
      'no-void': ['error', { allowAsStatement: true }],
      // Loops here await while another task changes their condition (a stop flag, a shared count), which the rule cannot see.
      'no-unmodified-loop-condition': 'off'
    }
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // As standard, and a leading underscore marks a variable that must exist but is not read.
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none', caughtErrors: 'none', ignoreRestSiblings: true, vars: 'all', varsIgnorePattern: '^_' }],
      // node:test's describe and it return promises that the runner itself waits for.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }] }]
    }
  }
]
