// Import rules for src/, checked by `npm test` (test/architecture/imports.test.ts).
// Type-only imports count: a circle of types still ties the modules into one (issue 15).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules depend one way; a circle means two of them are really one (DESIGN.md "Modules talk through contracts").',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'services-only-for-composition',
      severity: 'error',
      comment:
        'The Services bag is for the code that builds and serves (composition, HTTP pipeline, CLI); methods and domains get the ports they declare (src/ports.ts).',
      from: {
        path: '^src/',
        pathNot: [
          '^src/(services|server|routes)[.]ts$',
          '^src/(cli|seed|setup)/',
          '^src/rest/httpHandler[.]ts$',
          '^src/auth/authenticate[.]ts$',
          '^src/auth/oauth/(authorizeEndpoint|tokenEndpoint|portal|routes)[.]ts$',
          '^src/dashboard/routes[.]ts$',
        ],
      },
      to: { path: '^src/services[.]ts$' },
    },
    {
      name: 'no-database-in-handlers',
      severity: 'error',
      comment:
        'A method handler asks its ports; SQL and drivers stay in the stores and db/ (issue 15). The schema module is allowed for the opaque transaction type a port hands back.',
      from: { path: ['/methods/', '^src/system/methods[.]ts$', '^src/rest/batch[.]ts$'] },
      to: {
        path: ['^src/db/', 'node_modules/(kysely|better-sqlite3|pg)/'],
        pathNot: '^src/db/schema[.]ts$',
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
