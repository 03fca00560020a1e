// What a BFF file needs, for `import { defineBff } from 'loom/bff'` (package.json "exports").
export { defineBff, type BffDefinition, type BffPolicy, type BffViewOptions } from './define-bff';
export { discoverBffFiles } from './discover-bff-files';
