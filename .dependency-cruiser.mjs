/**
 * Folder boundaries (docs/architecture.md, "Folders and the rule between them"), checked
 * by `npm run lint` on the resolved imports of every TypeScript file, type-only ones too.
 */
const HARNESS = '(test|bench|stack)';
const TEST_FILE = '(\\.test\\.ts$|/test/)';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'deep-import-across-folders',
      comment:
        'A top-level folder is imported only through its index.ts: import from "../<folder>/index.js", ' +
        "or export what you need from that folder's index.ts.",
      severity: 'error',
      from: { path: '^([^/]+)/' },
      to: {
        dependencyTypes: ['local'],
        path: '^[^/]+/',
        // test/ is a folder of suites: its shared helpers are entered through their own index.ts
        pathNot: [
          '^$1/',
          '^[^/]+/index\\.ts$',
          '^test/support/index\\.ts$',
          '^test/[a-z-]+/support/index\\.ts$',
        ],
      },
    },
    {
      name: 'product-imports-harness',
      comment:
        'Product code never imports test/, bench/, stack/ or a test folder: move the helper into ' +
        'runtime/ (or the product folder) instead.',
      severity: 'error',
      from: { path: `^(?!${HARNESS}/)[^/]+/`, pathNot: TEST_FILE },
      to: { dependencyTypes: ['local'], path: [`^${HARNESS}/`, '/test/', '\\.test\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: '^node_modules/' },
    exclude: { path: '^(node_modules|dist|data|\\.tmp)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
